"""The score formula's first version: DOMAIN.md's numbers (sellers/scoring.py is the function)."""

from django.db import migrations


def create_v1(apps, schema_editor):
    ScoreFormula = apps.get_model("sellers", "ScoreFormula")
    # Field defaults are version 1's numbers.
    ScoreFormula.objects.get_or_create(
        version=1,
        defaults={"note": "First version: DOMAIN.md's ladder (warning < 70, cap < 60, suspension < 50 or defects > 8 %)."},
    )


class Migration(migrations.Migration):
    dependencies = [("sellers", "0003_performance_ladder_and_mystery_orders")]

    operations = [migrations.RunPython(create_v1, migrations.RunPython.noop)]
