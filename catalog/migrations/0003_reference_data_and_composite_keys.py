"""The grade table and the six categories as data, and two composite foreign keys Django cannot express:

- listing (grade_id, battery_floor) -> grade (code, battery_floor), ON UPDATE CASCADE: the listing's
  copy of the floor always equals its grade's, so the CHECK battery_health >= battery_floor is the
  DOMAIN rule; raising a grade's floor above an existing listing's battery is refused by that CHECK.
- listing (market_id, currency) -> market (code, currency): a listing's currency is its market's.
"""

from django.db import migrations

GRADES = [
    # code, name, rank, battery floor, criteria
    (
        "premium",
        "Premium",
        1,
        90,
        "Flawless, like new; only original or manufacturer-certified parts.",
    ),
    ("excellent", "Excellent", 2, 85, "No marks visible at 20 cm; no scratch on the screen."),
    ("good", "Good", 3, 80, "No marks visible at 50 cm."),
    ("fair", "Fair", 4, 80, "Visible scratches or dents; no cracks; fully working."),
]

ADEME = (
    "ADEME (2022), Évaluation de l'impact environnemental d'un ensemble de produits reconditionnés; "
    "per year of use, refurbished vs new"
)
ADEME_URL = "https://librairie.ademe.fr/consommer-autrement/5610-evaluation-de-l-impact-environnemental-d-un-ensemble-de-produits-reconditionnes.html"
ESTIMATE = "Encore estimate (scaled from the ADEME 2022 laptop figure by device mass); to be replaced by a cited figure"

CATEGORIES = [
    # slug, name, icon, CO2e avoided (g per year of use), e-waste avoided (g), source, url
    ("smartphones", "Smartphones", "📱", 24_600, 170, ADEME, ADEME_URL),
    ("tablets", "Tablets", "📲", 20_000, 250, ESTIMATE, ""),
    ("laptops", "Laptops", "💻", 27_000, 314, ADEME, ADEME_URL),
    ("consoles", "Consoles", "🎮", 25_000, 300, ESTIMATE, ""),
    ("smartwatches", "Smartwatches", "⌚", 5_000, 40, ESTIMATE, ""),
    ("audio", "Audio", "🎧", 3_000, 50, ESTIMATE, ""),
]


def forwards(apps, schema_editor):
    Grade = apps.get_model("catalog", "Grade")
    Category = apps.get_model("catalog", "Category")
    for code, name, rank, floor, criteria in GRADES:
        Grade.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank, "battery_floor": floor, "criteria": criteria}
        )
    for position, (slug, name, icon, co2e, ewaste, source, url) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "icon": icon,
                "position": position,
                "co2e_avoided_grams": co2e,
                "ewaste_avoided_grams": ewaste,
                "co2e_source": source,
                "co2e_source_url": url,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL(
            [
                "CREATE UNIQUE INDEX IF NOT EXISTS catalog_market_code_currency "
                "ON marketplace_market (code, currency)",
                "ALTER TABLE catalog_listing ADD CONSTRAINT listing_grade_battery_floor_fk "
                "FOREIGN KEY (grade_id, battery_floor) REFERENCES catalog_grade (code, battery_floor) "
                "ON UPDATE CASCADE DEFERRABLE INITIALLY IMMEDIATE",
                "ALTER TABLE catalog_listing ADD CONSTRAINT listing_market_currency_fk "
                "FOREIGN KEY (market_id, currency) REFERENCES marketplace_market (code, currency) "
                "ON UPDATE CASCADE DEFERRABLE INITIALLY IMMEDIATE",
            ],
            [
                "ALTER TABLE catalog_listing DROP CONSTRAINT IF EXISTS listing_market_currency_fk",
                "ALTER TABLE catalog_listing DROP CONSTRAINT IF EXISTS listing_grade_battery_floor_fk",
                "DROP INDEX IF EXISTS catalog_market_code_currency",
            ],
        ),
    ]
