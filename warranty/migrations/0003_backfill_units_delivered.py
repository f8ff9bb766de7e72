"""The catalog's standing row counts each seller's units delivered (its sales on its public page); the
delivery hook keeps it current from now on. This counts what was delivered before: one warranty per
unit bought (replacements excluded)."""

from django.db import migrations
from django.db.models import Count


def backfill(apps, schema_editor):
    Warranty = apps.get_model("warranty", "Warranty")
    SellerStanding = apps.get_model("catalog", "SellerStanding")
    counts = Warranty.objects.filter(original__isnull=True).values("seller_id").annotate(units=Count("pk"))
    for row in counts:
        SellerStanding.objects.filter(organisation_id=row["seller_id"]).update(units_delivered=row["units"])


class Migration(migrations.Migration):
    dependencies = [
        ("warranty", "0002_claims_returns_reviews"),
        ("catalog", "0007_ratings"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
