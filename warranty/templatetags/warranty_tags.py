"""Template helpers of after-sales pages: stars, a claim's photo URL per surface."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def stars(count: int | None) -> str:
    """★★★★☆ for 4 (out of 5); pair it with a text for screen readers."""
    value = max(0, min(5, int(count or 0)))
    return "★" * value + "☆" * (5 - value)


@register.simple_tag
def photo_url(surface: str, claim_id: int, photo_id: int) -> str:
    """A claim photo's address on the page's surface (each checks who asks)."""
    names = {
        "shopper": "warranty:account_claim_photo",
        "seller": "seller_warranty:claim_photo",
        "console": "console_warranty:claim_photo",
    }
    return reverse(names[surface], args=[claim_id, photo_id])
