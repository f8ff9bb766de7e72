"""Dashboard figures as people read them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    """A fraction as a percentage with one decimal (`3.4 %`, `3,4 %`); a dash when there is no base."""
    if value is None:
        return "–"  # noqa: RUF001 - a dash, as printed
    return f"{formats.number_format(round(value * 100, 1), decimal_pos=1, use_l10n=True)} %"
