"""Everything the product page shows: variants, one row per grade with its buy-box offer, every offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from catalog.delivery import DeliveryEstimate, delivery_estimate
from catalog.models import MINIMUM_WARRANTY_MONTHS, Grade, Listing, Product, ProductRating, Variant
from catalog.selectors.buy_box import buy_boxes, seller_scores_of
from catalog.selectors.reference import grades_all
from marketplace.models import Market
from marketplace.money import Money


@dataclass
class GradeRow:
    grade: Grade
    lowest: Money | None
    featured: Listing | None
    offers: int


@dataclass
class ProductPage:
    product: Product
    variants: list[Variant]
    variant: Variant | None
    grade_rows: list[GradeRow]
    offers: list[Listing]  # the selected variant's visible offers in the market, cheapest first
    featured_ids: set[int]
    from_price: dict[int, Money]  # variant id -> lowest visible price
    launch_price: Money | None
    rating: ProductRating | None = None  # its units' rating, when it has one

    @property
    def warranty_months(self) -> int:
        """The shortest warranty among the offers shown: every one has at least this (12 at the least)."""
        return min((offer.warranty_months for offer in self.offers), default=MINIMUM_WARRANTY_MONTHS)


# How long a product read under a catalog version stays cached (as long as the pages built from it).
PRODUCT_CACHE_SECONDS = 600


def product_get(*, slug: str, version: str | None = None) -> Product | None:
    """The product with its brand, category and rating (one query), its photos and its variants (two more).

    `version`: the global catalog version (`catalog.versioning.catalog_version`, which every write to a
    product, its variants, photos or rating replaces): the product is read from the cache under it, and
    kept there, so a product page rebuilt because one of its offers changed reads only the offers.
    """
    key = f"catalog:product:{version}:{slug}"
    if version is not None:
        cached: Product | None = cache.get(key)
        if cached is not None:
            return cached
    product = (
        Product.objects.select_related("brand", "category", "rating")
        .prefetch_related("images", "variants")
        .filter(slug=slug)
        .first()
    )
    if version is not None and product is not None:
        cache.set(key, product, PRODUCT_CACHE_SECONDS)
    return product


def product_page(
    *, product: Product, market: Market, variant_id: int | None = None, grade: str | None = None
) -> ProductPage:
    """Everything the product page shows, in four queries whatever the number of offers (the offers'
    unit photos in one of them); each offer carries its delivery estimate (`listing.delivery`).

    The selected variant is `variant_id` if it belongs to the product, else the one with the cheapest
    visible offer, else the first. One row per grade: its lowest price and its buy-box offer.
    """
    variants = list(product.variants.all())  # prefetched by `product_get`
    listings = list(
        Listing.objects.visible()
        .filter(market=market, variant__product=product)
        .select_related("seller__catalog_standing")
        .prefetch_related("photos")
        .order_by("price_amount", "id")
    )
    # Each offer's delivery estimate: its seller's handling time, then the market's transit time.
    now = timezone.now()
    estimates: dict[int, DeliveryEstimate] = {}
    for listing in listings:
        standing = getattr(listing.seller, "catalog_standing", None)
        handling = standing.handling_days if standing is not None else 1
        if handling not in estimates:
            estimates[handling] = delivery_estimate(market=market, handling_days=handling, now=now)
        listing.delivery = estimates[handling]  # type: ignore[attr-defined]
    scores = seller_scores_of(listings)
    from_price: dict[int, Money] = {}
    for listing in listings:
        from_price.setdefault(listing.variant_id, listing.price)
    by_id = {v.pk: v for v in variants}
    selected = by_id.get(variant_id) if variant_id else None
    if selected is None and listings:
        selected = by_id.get(listings[0].variant_id)
    if selected is None and variants:
        selected = variants[0]
    offers = [listing for listing in listings if selected is not None and listing.variant_id == selected.pk]
    winners = buy_boxes(offers, seller_scores=scores)
    rows = []
    for the_grade in grades_all():
        in_grade = [listing for listing in offers if listing.grade_id == the_grade.code]
        featured = winners.get((selected.pk, the_grade.code, market.code)) if selected else None
        rows.append(GradeRow(the_grade, in_grade[0].price if in_grade else None, featured, len(in_grade)))
    if grade:
        offers = [listing for listing in offers if listing.grade_id == grade]
    return ProductPage(
        product=product,
        variants=variants,
        variant=selected,
        grade_rows=rows,
        offers=offers,
        featured_ids={w.pk for w in winners.values()},
        from_price=from_price,
        launch_price=product.launch_price(market.currency),
        rating=_rating_of(product),
    )


def _rating_of(product: Product) -> ProductRating | None:
    """The product's rating when `product_get` loaded it with the product (never a query of its own);
    None without ratings, or for a product read without it (the API, which shows no rating)."""
    if not Product.rating.is_cached(product):
        return None
    rating = getattr(product, "rating", None)
    return rating if rating is not None and rating.rating_count else None
