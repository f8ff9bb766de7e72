"""Which language to write to someone in: one rule for every e-mail and document."""

from __future__ import annotations

from django.conf import settings


def email_language(language: str | None) -> str:
    """The language to write to someone whose market speaks `language`: that one when Encore ships it
    (`settings.LANGUAGES`), else English."""
    shipped = {code for code, _name in settings.LANGUAGES}
    return language if language in shipped else "en"
