"""The webhook relay's marks on the kernel: which outbox events are relayed, which organisations listen.

Events written before webhook endpoints existed had no one to reach: they are marked relayed here,
so the relay's partial index starts empty.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0003_event_types_of_the_api'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='relayed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='relayed'),
        ),
        migrations.RunSQL(
            "UPDATE marketplace_event SET relayed_at = created_at WHERE relayed_at IS NULL",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddField(
            model_name='organisation',
            name='receives_webhooks',
            field=models.BooleanField(default=False, editable=False, verbose_name='receives webhooks'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('relayed_at__isnull', True)), fields=['created_at', 'id'], name='event_unrelayed'),
        ),
    ]
