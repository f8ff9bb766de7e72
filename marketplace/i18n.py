"""Which language to write to someone in: one rule for every e-mail and document."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import pgettext, pgettext_lazy

# The markets' country names, seeded in English (marketplace migration 0002): `Market.display_name`.
COUNTRIES = (
    pgettext_lazy("country", "France"),
    pgettext_lazy("country", "Germany"),
    pgettext_lazy("country", "Spain"),
    pgettext_lazy("country", "Italy"),
    pgettext_lazy("country", "Belgium"),
    pgettext_lazy("country", "United Kingdom"),
    pgettext_lazy("country", "United States"),
    pgettext_lazy("country", "Japan"),
)


def country_display(country: str) -> str:
    """A country name in the active language (as stored when the catalogs do not know it)."""
    return pgettext("country", country) if country else ""


def email_language(language: str | None) -> str:
    """The language to write to someone whose market speaks `language`: that one when Encore ships it
    (`settings.LANGUAGES`), else English."""
    shipped = {code for code, _name in settings.LANGUAGES}
    return language if language in shipped else "en"
