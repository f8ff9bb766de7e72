# One convention for the impact figures (catalog/impact.py): per device, CO2e counting one year of use,
# e-waste the device's mass; every figure cited or labelled an estimate with its method.

from django.db import migrations, models

SMARTPHONE_SHARE = (
    "Estimate: a share of the ADEME (2022) smartphone figure (24.6 kg per year of use) by how much of a "
    "smartphone's electronics (screen, battery, processor) the device holds: {share}; conservative"
)
MASS = "Estimate: the mass of a typical current model ({what}), rounded"

# slug: (CO2e g per device and year of use, its source (None: keep the cited ADEME one), e-waste g, its source).
FIGURES = {
    "smartphones": (24_600, None, 190, MASS.format(what="a 6.1-inch smartphone, 170 to 210 g")),
    "laptops": (27_000, None, 1_500, MASS.format(what="a 13 to 14-inch laptop, 1.2 to 1.8 kg")),
    "tablets": (
        24_600,
        SMARTPHONE_SHARE.format(share="a tablet, 100 %"),
        480,
        MASS.format(what="a 10 to 11-inch tablet, 450 to 500 g"),
    ),
    "consoles": (
        24_600,
        SMARTPHONE_SHARE.format(share="a games console, 100 %"),
        3_000,
        MASS.format(what="a home games console without controllers, 2.5 to 4 kg"),
    ),
    "smartwatches": (
        4_900,
        SMARTPHONE_SHARE.format(share="a smartwatch, 20 %"),
        40,
        MASS.format(what="a smartwatch, 30 to 50 g"),
    ),
    "audio": (
        2_500,
        SMARTPHONE_SHARE.format(share="earbuds or headphones, 10 %"),
        50,
        MASS.format(what="wireless earbuds with their case, 40 to 60 g"),
    ),
}


def forwards(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for slug, (co2e, co2e_source, ewaste, ewaste_source) in FIGURES.items():
        updates = {"co2e_avoided_grams": co2e, "ewaste_avoided_grams": ewaste, "ewaste_source": ewaste_source}
        if co2e_source is not None:
            updates.update(co2e_source=co2e_source, co2e_source_url="")
        Category.objects.filter(slug=slug, parent__isnull=True).update(**updates)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_ratings")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="ewaste_source",
            field=models.CharField(
                blank=True,
                help_text="A document (title, publisher, year), or “Estimate:” and its method",
                max_length=300,
                verbose_name="source of the e-waste figure",
            ),
        ),
        migrations.AlterField(
            model_name="category",
            name="co2e_avoided_grams",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Refurbished vs new, per device, counting one year of use",
                verbose_name="CO2e avoided per device (g, one year of use)",
            ),
        ),
        migrations.AlterField(
            model_name="category",
            name="co2e_source",
            field=models.CharField(
                blank=True,
                help_text="A document (title, publisher, year), or “Estimate:” and its method",
                max_length=300,
                verbose_name="source of the CO2e figure",
            ),
        ),
        migrations.AlterField(
            model_name="category",
            name="ewaste_avoided_grams",
            field=models.PositiveIntegerField(
                default=0,
                help_text="The mass of a typical device kept out of waste",
                verbose_name="e-waste avoided per device (g)",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
