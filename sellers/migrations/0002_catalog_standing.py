"""Fill the catalog's seller standing (catalog 0006) from each seller's status: may sell in probation or active."""

from django.db import migrations

SELLING = ("probation", "active")


def fill(apps, schema_editor):
    Seller = apps.get_model("sellers", "Seller")
    SellerStanding = apps.get_model("catalog", "SellerStanding")
    SellerStanding.objects.bulk_create(
        [
            SellerStanding(organisation_id=seller.organisation_id, may_sell=seller.status in SELLING)
            for seller in Seller.objects.only("organisation_id", "status").iterator()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sellers", "0001_initial"),
        ("catalog", "0006_seller_standing"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
