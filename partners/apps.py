from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and webhooks")

    def ready(self) -> None:
        from marketplace.events import on_events_committed
        from partners import checks  # noqa: F401 - registers the deploy check
        from partners.tasks import webhook_relay_nudge

        # Right after a commit that emitted events for an organisation with webhooks: relay them
        # now rather than at the next sweep (CELERY_BEAT_SCHEDULE "webhooks-relay").
        on_events_committed(webhook_relay_nudge)
