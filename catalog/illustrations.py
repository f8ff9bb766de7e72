"""Pictures drawn by the app where no photo exists: a simple line drawing of the device's category
(phone, tablet, laptop, watch, console, headphones, or a generic device) filled in the variant's colour.

SVG markup made here from fixed shapes and a colour from `COLOURS` (never from user input), so it is
safe to embed. The colour comes from the variant's colour name: a known name, else the first known word
in it ("Phantom Black" -> black), else a neutral grey.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour names of the catalog (and their words) -> fill colour.
COLOURS: dict[str, str] = {
    "black": "#2b2b2e",
    "midnight": "#232a36",
    "graphite": "#4a4a4f",
    "space grey": "#5f6166",
    "space black": "#2f2f33",
    "grey": "#8a8d93",
    "gray": "#8a8d93",
    "charcoal": "#3c3f44",
    "obsidian": "#26282c",
    "onyx": "#2c2c30",
    "carbon": "#2e3034",
    "titanium": "#9b968e",
    "natural titanium": "#b3ab9f",
    "silver": "#c9ccd1",
    "platinum": "#d4d6d9",
    "white": "#f1f1ee",
    "snow": "#f4f5f3",
    "chalk": "#ecebe6",
    "porcelain": "#ece7df",
    "starlight": "#ebe3d4",
    "cream": "#f0e6d0",
    "beige": "#e3d5bd",
    "sandstone": "#d7c4a6",
    "hazel": "#b59b78",
    "umber": "#6e5a4b",
    "gold": "#e3cc9a",
    "champagne": "#e8d8b5",
    "rose": "#e8b9b3",
    "pink": "#f0b7c6",
    "peach": "#f6c7a8",
    "coral": "#f08a75",
    "red": "#c8262f",
    "(product)red": "#c8262f",
    "burgundy": "#6d1f2f",
    "yellow": "#f5d94e",
    "sunny": "#f3dc6b",
    "amber": "#f2b23e",
    "lemongrass": "#d7dc8c",
    "lime": "#c7e36f",
    "green": "#7fae8a",
    "mint": "#a9dcc5",
    "sage": "#a7b59c",
    "olive": "#7d8056",
    "forest": "#3f5e4a",
    "emerald": "#2f7a5a",
    "seafoam": "#9fd6c7",
    "turquoise": "#45b8b3",
    "blue": "#4f79b8",
    "sierra blue": "#a7c1d9",
    "pacific blue": "#2e4a62",
    "sky": "#a9cbe8",
    "ice": "#cfe4f0",
    "icy": "#cfe4f0",
    "navy": "#26365c",
    "sapphire": "#2c4b8c",
    "cobalt": "#3b4fa0",
    "purple": "#b8a4d6",
    "violet": "#8a6fc2",
    "lavender": "#c9b9e6",
    "lilac": "#c7b3dd",
    "bronze": "#a0785a",
    "transparent": "#d8dde3",
}
NEUTRAL = "#9aa0a6"

KINDS = ("phone", "tablet", "laptop", "watch", "console", "audio", "device")
# Root category slug -> drawing.
CATEGORY_KINDS = {
    "smartphones": "phone",
    "tablets": "tablet",
    "laptops": "laptop",
    "smartwatches": "watch",
    "consoles": "console",
    "audio": "audio",
}


def colour_hex(name: str) -> str:
    """The fill colour for a variant's colour name ("Phantom Black" -> black's)."""
    key = (name or "").strip().lower()
    if key in COLOURS:
        return COLOURS[key]
    words = key.replace("/", " ").split()
    for size in (2, 1):  # "space grey" before "grey"
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in COLOURS:
                return COLOURS[phrase]
    return NEUTRAL


def _ink(fill: str) -> str:
    """A dark or light outline, whichever reads against the fill."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#1f2328" if (0.299 * red + 0.587 * green + 0.114 * blue) > 110 else "#e8eaed"


_SHAPES = {
    # viewBox 0 0 120 120; {fill}, {ink}, {screen}
    "phone": (
        '<rect x="38" y="14" width="44" height="92" rx="8" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="42" y="22" width="36" height="74" rx="3" fill="{screen}"/>'
        '<rect x="53" y="17" width="14" height="2.5" rx="1.25" fill="{ink}"/>'
    ),
    "tablet": (
        '<rect x="22" y="16" width="76" height="92" rx="7" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="27" y="22" width="66" height="80" rx="2.5" fill="{screen}"/>'
        '<circle cx="60" cy="19" r="1.3" fill="{ink}"/>'
    ),
    "laptop": (
        '<rect x="24" y="28" width="72" height="48" rx="4" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="29" y="33" width="62" height="38" rx="1.5" fill="{screen}"/>'
        '<path d="M14 80h92l-6 9H20z" fill="{fill}" stroke="{ink}" stroke-width="2" stroke-linejoin="round"/>'
        '<rect x="52" y="80" width="16" height="2.5" rx="1.2" fill="{ink}"/>'
    ),
    "watch": (
        '<rect x="46" y="8" width="28" height="26" rx="5" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="46" y="86" width="28" height="26" rx="5" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="36" y="30" width="48" height="60" rx="13" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="41" y="36" width="38" height="48" rx="9" fill="{screen}"/>'
        '<rect x="84" y="50" width="4" height="12" rx="2" fill="{ink}"/>'
    ),
    "console": (
        '<path d="M30 42h60c11 0 18 10 20 26l2 14c1 9-8 14-14 8l-10-10H32L22 90c-6 6-15 1-14-8l2-14c2-16 9-26 20-26z"'
        ' fill="{fill}" stroke="{ink}" stroke-width="2" stroke-linejoin="round"/>'
        '<path d="M36 56v14M29 63h14" stroke="{ink}" stroke-width="3" stroke-linecap="round"/>'
        '<circle cx="80" cy="58" r="3.2" fill="{ink}"/><circle cx="88" cy="66" r="3.2" fill="{ink}"/>'
    ),
    "audio": (
        '<path d="M26 70V58a34 34 0 0 1 68 0v12" fill="none" stroke="{ink}" stroke-width="5" stroke-linecap="round"/>'
        '<rect x="16" y="62" width="20" height="34" rx="8" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="84" y="62" width="20" height="34" rx="8" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
    ),
    "device": (
        '<rect x="28" y="24" width="64" height="72" rx="8" fill="{fill}" stroke="{ink}" stroke-width="2"/>'
        '<rect x="34" y="30" width="52" height="52" rx="3" fill="{screen}"/>'
        '<circle cx="60" cy="89" r="3" fill="{ink}"/>'
    ),
}


def kind_of(category_slug: str) -> str:
    return CATEGORY_KINDS.get(category_slug, "device")


def device_svg(kind: str, colour: str, *, label: str = "", css_class: str = "device-illustration") -> SafeString:
    """An SVG drawing of a `kind` of device in `colour` (a colour name). With `label`, it is an image with
    that accessible name; without, decorative (hidden from screen readers)."""
    fill = colour_hex(colour)
    ink = _ink(fill)
    body = _SHAPES.get(kind, _SHAPES["device"]).format(fill=fill, ink=ink, screen="#20242b")
    background = '<rect width="120" height="120" rx="14" fill="#f3f4f6"/>'
    if label:
        a11y = f'role="img" aria-label="{escape(label)}"'
        title = f"<title>{escape(label)}</title>"
    else:
        a11y, title = 'aria-hidden="true" focusable="false"', ""
    return mark_safe(  # noqa: S308 - fixed shapes, a colour from COLOURS and an escaped label
        f'<svg class="{escape(css_class)}" viewBox="0 0 120 120" xmlns="http://www.w3.org/2000/svg" {a11y}>'
        f"{title}{background}{body}</svg>"
    )
