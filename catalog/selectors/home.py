"""The home page's sections, read from the offer summary."""

from __future__ import annotations

from django.core.cache import cache

from catalog.models import OfferSummary
from catalog.selectors.browse import ProductCard
from catalog.selectors.pictures import copy_picture, with_picture
from catalog.versioning import scope_version
from marketplace.models import Market
from marketplace.money import Money


def home_sections(*, market: Market, limit: int = 8) -> dict[str, list[ProductCard]]:
    """Best-sellers (most offers until sales exist) and deals (largest saving vs the new price), cached.

    Read from the offer summary (one query), not from the listings.
    """
    key = f"catalog:home:{scope_version(market=market.code)}:{market.code}"
    cached: dict[str, list[ProductCard]] | None = cache.get(key)
    if cached is not None:
        return cached
    summaries = (
        with_picture(OfferSummary.objects.filter(market=market), product="product_id")
        .select_related("product__brand", "product__category")
        .order_by("-offers", "from_price_amount", "product_id")[:200]
    )
    cards = [
        ProductCard(
            copy_picture(summary, summary.product), Money(summary.from_price_amount, market.currency), summary.offers
        )
        for summary in summaries
    ]
    best_sellers = cards[:limit]

    def saving(card: ProductCard) -> float:
        new = card.product.launch_price(market.currency)
        if new is None or card.from_price is None or new.amount <= 0:
            return 0.0
        return 1 - card.from_price.amount / new.amount

    deals = sorted((c for c in cards if saving(c) > 0), key=lambda c: (-saving(c), c.product.pk))[:limit]
    result = {"best_sellers": best_sellers, "deals": deals}
    cache.set(key, result, 600)
    return result
