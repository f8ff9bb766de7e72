"""The eight markets of DOMAIN.md, and the success managers' permission group."""

from django.db import migrations

MARKETS = [
    # code, country, currency, main language, languages, time zone, VAT (basis points)
    ("fr", "France", "EUR", "fr", ["fr"], "Europe/Paris", 2000),
    ("de", "Germany", "EUR", "de", ["de"], "Europe/Berlin", 1900),
    ("es", "Spain", "EUR", "es", ["es"], "Europe/Madrid", 2100),
    ("it", "Italy", "EUR", "it", ["it"], "Europe/Rome", 2200),
    ("be", "Belgium", "EUR", "fr", ["fr", "nl", "de"], "Europe/Brussels", 2100),
    ("gb", "United Kingdom", "GBP", "en", ["en"], "Europe/London", 2000),
    # US prices are shown tax-inclusive per the all-in rule; sales tax is per state, so no single VAT rate.
    ("us", "United States", "USD", "en", ["en", "es"], "America/New_York", 0),
    ("jp", "Japan", "JPY", "ja", ["ja"], "Asia/Tokyo", 1000),
]

SUCCESS_MANAGERS = "success managers"


def forwards(apps, schema_editor):
    Market = apps.get_model("marketplace", "Market")
    for position, (code, country, currency, language, languages, tz, vat) in enumerate(MARKETS):
        Market.objects.update_or_create(
            code=code,
            defaults={
                "country": country,
                "currency": currency,
                "language": language,
                "languages": languages,
                "time_zone": tz,
                "vat_rate_basis_points": vat,
                "position": position,
            },
        )
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=SUCCESS_MANAGERS)


def backwards(apps, schema_editor):
    apps.get_model("marketplace", "Market").objects.filter(code__in=[m[0] for m in MARKETS]).delete()
    apps.get_model("auth", "Group").objects.filter(name=SUCCESS_MANAGERS).delete()


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, backwards)]
