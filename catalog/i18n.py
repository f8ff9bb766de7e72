"""Reference data stored in English in the database, translated through the gettext catalogs.

Why catalogs and not a model-translation library (django-modeltranslation, django-parler): this data is a
small, closed vocabulary that the platform owns (grade names and criteria, category names, colour names,
spec labels, the method of Encore's own impact estimates; market names in `marketplace.i18n`), not
content that staff write per row. Catalogs give it to the same translators, the same `make messages`
and the same completeness test as every other string, with no extra columns or joins on the hot
catalog queries. Product names and cited
document titles are proper names: shown as published.

`Grade.display_name`, `Grade.display_criteria`, `Category.display_name`, `Variant.display_colour` and
the `spec_label` / `impact_source` helpers below pass the stored text through gettext; `makemessages`
finds the strings listed here.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

REFERENCE_STRINGS = (
    gettext_noop("Premium"),
    gettext_noop("Excellent"),
    gettext_noop("Good"),
    gettext_noop("Fair"),
    gettext_noop("Flawless, like new; only original or manufacturer-certified parts."),
    gettext_noop("No marks visible at 20 cm; no scratch on the screen."),
    gettext_noop("No marks visible at 50 cm."),
    gettext_noop("Visible scratches or dents; no cracks; fully working."),
    gettext_noop("Smartphones"),
    gettext_noop("Tablets"),
    gettext_noop("Laptops"),
    gettext_noop("Consoles"),
    gettext_noop("Smartwatches"),
    gettext_noop("Audio"),
)

# Spec keys of Product.specs (structured data; their values, like "6.1 in OLED", are shown as stored).
SPEC_LABELS = {
    "display": pgettext_lazy("spec", "Display"),
    "chip": pgettext_lazy("spec", "Chip"),
    "camera": pgettext_lazy("spec", "Camera"),
    "battery": pgettext_lazy("spec", "Battery"),
    "memory": pgettext_lazy("spec", "Memory"),
    "weight": pgettext_lazy("spec", "Weight"),
    "resolution": pgettext_lazy("spec", "Resolution"),
    "media": pgettext_lazy("spec", "Media"),
    "sensors": pgettext_lazy("spec", "Sensors"),
    "type": pgettext_lazy("spec", "Type"),
    "noise cancelling": pgettext_lazy("spec", "Noise cancelling"),
}


def colour_display(colour: str) -> str:
    """A colour name in the active language (as stored when the catalogs do not know it)."""
    return pgettext("colour", colour) if colour else ""


def spec_label(key: str) -> str:
    """The label of a spec key in the active language; an unknown key is shown capitalised as stored."""
    label = SPEC_LABELS.get(key)
    return str(label) if label is not None else key[:1].upper() + key[1:]


def impact_source(text: str) -> str:
    """An impact figure's source line: Encore's own estimates translated, a cited title as published."""
    return gettext(text) if text else ""


# Colour names as brands spell them (the demo catalog's); a colour missing here is shown as stored.
# msgctxt "colour": "Gold" the colour is not "Gold" the anything else.
COLOURS = (
    pgettext_lazy("colour", "(PRODUCT)RED"),
    pgettext_lazy("colour", "Amber Yellow"),
    pgettext_lazy("colour", "Arctic Sky"),
    pgettext_lazy("colour", "Astral Black"),
    pgettext_lazy("colour", "Awesome Black"),
    pgettext_lazy("colour", "Awesome Blue"),
    pgettext_lazy("colour", "Awesome Graphite"),
    pgettext_lazy("colour", "Awesome Iceblue"),
    pgettext_lazy("colour", "Awesome Lilac"),
    pgettext_lazy("colour", "Awesome Lime"),
    pgettext_lazy("colour", "Awesome Navy"),
    pgettext_lazy("colour", "Awesome Peach"),
    pgettext_lazy("colour", "Awesome Silver"),
    pgettext_lazy("colour", "Awesome Violet"),
    pgettext_lazy("colour", "Awesome White"),
    pgettext_lazy("colour", "Bay"),
    pgettext_lazy("colour", "Beige"),
    pgettext_lazy("colour", "Black"),
    pgettext_lazy("colour", "Black Titanium"),
    pgettext_lazy("colour", "Blue"),
    pgettext_lazy("colour", "Blue Black"),
    pgettext_lazy("colour", "Blue Titanium"),
    pgettext_lazy("colour", "Bora Purple"),
    pgettext_lazy("colour", "Burgundy"),
    pgettext_lazy("colour", "Carbon Black"),
    pgettext_lazy("colour", "Carbon Fibre"),
    pgettext_lazy("colour", "Chalk"),
    pgettext_lazy("colour", "Champagne Gold"),
    pgettext_lazy("colour", "Charcoal"),
    pgettext_lazy("colour", "Cloud Blue"),
    pgettext_lazy("colour", "Cloud Lavender"),
    pgettext_lazy("colour", "Cloud Mint"),
    pgettext_lazy("colour", "Cloud Navy"),
    pgettext_lazy("colour", "Cloud Pink"),
    pgettext_lazy("colour", "Cloud Red"),
    pgettext_lazy("colour", "Cloudy White"),
    pgettext_lazy("colour", "Cobalt Violet"),
    pgettext_lazy("colour", "Coral"),
    pgettext_lazy("colour", "Cosmic Black"),
    pgettext_lazy("colour", "Cosmic Grey"),
    pgettext_lazy("colour", "Cream"),
    pgettext_lazy("colour", "Deep Purple"),
    pgettext_lazy("colour", "Emerald Forest"),
    pgettext_lazy("colour", "Eternal Green"),
    pgettext_lazy("colour", "Flora Green"),
    pgettext_lazy("colour", "Fog"),
    pgettext_lazy("colour", "Forest"),
    pgettext_lazy("colour", "Frost White"),
    pgettext_lazy("colour", "Gold"),
    pgettext_lazy("colour", "Graphite"),
    pgettext_lazy("colour", "Graphite Gray"),
    pgettext_lazy("colour", "Gray"),
    pgettext_lazy("colour", "Gray Titanium"),
    pgettext_lazy("colour", "Graygreen"),
    pgettext_lazy("colour", "Green"),
    pgettext_lazy("colour", "Grey"),
    pgettext_lazy("colour", "Hazel"),
    pgettext_lazy("colour", "Ice Blue"),
    pgettext_lazy("colour", "Icy Blue"),
    pgettext_lazy("colour", "Jet Black"),
    pgettext_lazy("colour", "Just Black"),
    pgettext_lazy("colour", "Kinda Coral"),
    pgettext_lazy("colour", "Lavender"),
    pgettext_lazy("colour", "Lemongrass"),
    pgettext_lazy("colour", "Light Blue"),
    pgettext_lazy("colour", "Light Green"),
    pgettext_lazy("colour", "Marble Grey"),
    pgettext_lazy("colour", "Matte Black"),
    pgettext_lazy("colour", "Midnight"),
    pgettext_lazy("colour", "Midnight Black"),
    pgettext_lazy("colour", "Midnight Blue"),
    pgettext_lazy("colour", "Midnight Green"),
    pgettext_lazy("colour", "Mint"),
    pgettext_lazy("colour", "Mint Green"),
    pgettext_lazy("colour", "Mystic Black"),
    pgettext_lazy("colour", "Mystic Bronze"),
    pgettext_lazy("colour", "Mystic Silver"),
    pgettext_lazy("colour", "Natural Titanium"),
    pgettext_lazy("colour", "Navy"),
    pgettext_lazy("colour", "Neon Red/Blue"),
    pgettext_lazy("colour", "Obsidian"),
    pgettext_lazy("colour", "Olive"),
    pgettext_lazy("colour", "Onyx Black"),
    pgettext_lazy("colour", "Onyx Gray"),
    pgettext_lazy("colour", "Pacific Blue"),
    pgettext_lazy("colour", "Peach"),
    pgettext_lazy("colour", "Phantom Black"),
    pgettext_lazy("colour", "Phantom Green"),
    pgettext_lazy("colour", "Phantom Grey"),
    pgettext_lazy("colour", "Phantom Pink"),
    pgettext_lazy("colour", "Phantom Silver"),
    pgettext_lazy("colour", "Phantom Violet"),
    pgettext_lazy("colour", "Phantom White"),
    pgettext_lazy("colour", "Pink"),
    pgettext_lazy("colour", "Pink Gold"),
    pgettext_lazy("colour", "Platinum"),
    pgettext_lazy("colour", "Platinum Silver"),
    pgettext_lazy("colour", "Polished Silver"),
    pgettext_lazy("colour", "Porcelain"),
    pgettext_lazy("colour", "Purple"),
    pgettext_lazy("colour", "Red"),
    pgettext_lazy("colour", "Robot White"),
    pgettext_lazy("colour", "Rose"),
    pgettext_lazy("colour", "Rose Gold"),
    pgettext_lazy("colour", "Sage"),
    pgettext_lazy("colour", "Sage Grey"),
    pgettext_lazy("colour", "Sandstone"),
    pgettext_lazy("colour", "Sapphire"),
    pgettext_lazy("colour", "Sea"),
    pgettext_lazy("colour", "Sierra Blue"),
    pgettext_lazy("colour", "Silver"),
    pgettext_lazy("colour", "Sky"),
    pgettext_lazy("colour", "Sky Blue"),
    pgettext_lazy("colour", "Slate Gray"),
    pgettext_lazy("colour", "Snow"),
    pgettext_lazy("colour", "Soapstone"),
    pgettext_lazy("colour", "Sorta Sage"),
    pgettext_lazy("colour", "Sorta Seafoam"),
    pgettext_lazy("colour", "Sorta Sunny"),
    pgettext_lazy("colour", "Space Black"),
    pgettext_lazy("colour", "Space Grey"),
    pgettext_lazy("colour", "Speckled Green"),
    pgettext_lazy("colour", "Star Blue"),
    pgettext_lazy("colour", "Starlight"),
    pgettext_lazy("colour", "Stone Grey"),
    pgettext_lazy("colour", "Stormy Black"),
    pgettext_lazy("colour", "Thunder Black"),
    pgettext_lazy("colour", "Tidal Blue"),
    pgettext_lazy("colour", "Titan Black"),
    pgettext_lazy("colour", "Titanium"),
    pgettext_lazy("colour", "Titanium Black"),
    pgettext_lazy("colour", "Titanium Grey"),
    pgettext_lazy("colour", "Titanium Violet"),
    pgettext_lazy("colour", "Titanium Yellow"),
    pgettext_lazy("colour", "Translucent Black"),
    pgettext_lazy("colour", "Transparent"),
    pgettext_lazy("colour", "Triple Black"),
    pgettext_lazy("colour", "Turquoise"),
    pgettext_lazy("colour", "Twilight Blue"),
    pgettext_lazy("colour", "Umber"),
    pgettext_lazy("colour", "Violet"),
    pgettext_lazy("colour", "Volcanic Black"),
    pgettext_lazy("colour", "White"),
    pgettext_lazy("colour", "White Smoke"),
    pgettext_lazy("colour", "White Titanium"),
    pgettext_lazy("colour", "Winter Mist"),
    pgettext_lazy("colour", "Yellow"),
)

# The impact figures that are Encore's own estimates (catalog migration 0008) state their method in words
# people read: translated. A cited document's title is shown as published.
IMPACT_SOURCES = (
    gettext_noop("Estimate: the mass of a typical current model (a 6.1-inch smartphone, 170 to 210 g), rounded"),
    gettext_noop("Estimate: the mass of a typical current model (a 13 to 14-inch laptop, 1.2 to 1.8 kg), rounded"),
    gettext_noop(
        "Estimate: a share of the ADEME (2022) smartphone figure (24.6 kg per year of use) by how much of a "
        "smartphone's electronics (screen, battery, processor) the device holds: a tablet, 100 %; conservative"
    ),
    gettext_noop("Estimate: the mass of a typical current model (a 10 to 11-inch tablet, 450 to 500 g), rounded"),
    gettext_noop(
        "Estimate: a share of the ADEME (2022) smartphone figure (24.6 kg per year of use) by how much of a "
        "smartphone's electronics (screen, battery, processor) the device holds: a games console, 100 %; conservative"
    ),
    gettext_noop(
        "Estimate: the mass of a typical current model (a home games console without controllers, 2.5 to 4 kg), rounded"
    ),
    gettext_noop(
        "Estimate: a share of the ADEME (2022) smartphone figure (24.6 kg per year of use) by how much of a "
        "smartphone's electronics (screen, battery, processor) the device holds: a smartwatch, 20 %; conservative"
    ),
    gettext_noop("Estimate: the mass of a typical current model (a smartwatch, 30 to 50 g), rounded"),
    gettext_noop(
        "Estimate: a share of the ADEME (2022) smartphone figure (24.6 kg per year of use) by how much of a "
        "smartphone's electronics (screen, battery, processor) the device holds: earbuds or "
        "headphones, 10 %; conservative"
    ),
    gettext_noop(
        "Estimate: the mass of a typical current model (wireless earbuds with their case, 40 to 60 g), rounded"
    ),
)
