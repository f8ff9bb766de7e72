"""Category and search pages: visible offers of a market, filtered, with counts per filter value, sorted and paged.

Results are cached per catalog version and language.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchRank, SearchVector
from django.core.cache import cache
from django.db.models import Count, F, Max, Min, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from catalog.i18n import colour_display
from catalog.models import Category, Listing, Product
from catalog.ratings import PRIOR_SCORE_MILLI
from catalog.selectors.reference import category_and_descendant_ids, grades_all
from catalog.selectors.search import ParsedQuery, parse_query, products_matching, search_suggestions, tsquery
from catalog.versioning import catalog_version
from marketplace.models import Market
from marketplace.money import Money

SORTS = {
    "price": ("from_price", "product_id"),
    "-price": ("-from_price", "product_id"),
    "newest": ("-variant__product__release_year", "-product_id"),
    # Best rated: the products' Bayesian score (`catalog.services.ratings`; unrated ones at the prior),
    # then the number of offers, then the price.
    "rated": ("-rating_score", "-offers", "from_price", "product_id"),
    "relevance": (),
}
FACETS = {
    "brand": "variant__product__brand__slug",
    "series": "variant__product__series",
    "storage": "variant__storage_gb",
    "colour": "variant__colour",
    "grade": "grade_id",
}


@dataclass
class BrowseFilters:
    market: Market
    category: Category | None = None
    query: str = ""
    brand: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    storage: list[int] = field(default_factory=list)
    colour: list[str] = field(default_factory=list)
    grade: list[str] = field(default_factory=list)
    min_price: int | None = None  # minor units
    max_price: int | None = None
    in_stock: bool = True
    sort: str = "rated"
    page: int = 1
    category_ids: list[int] | None = None  # the category and its descendants, resolved once per request

    def cache_key(self) -> str:
        parts = [
            self.market.code,
            str(self.category.pk if self.category else ""),
            self.query.strip().lower(),
            ",".join(sorted(self.brand)),
            ",".join(sorted(self.series)),
            ",".join(str(s) for s in sorted(self.storage)),
            ",".join(sorted(self.colour)),
            ",".join(sorted(self.grade)),
            str(self.min_price),
            str(self.max_price),
            str(self.in_stock),
            self.sort,
            str(self.page),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass
class ProductCard:
    product: Product
    from_price: Money | None
    offers: int
    rating_count: int = 0
    rating_sum: int = 0

    @property
    def rating_average(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


@dataclass
class BrowseResult:
    cards: list[ProductCard]
    total: int
    facets: dict[str, list[tuple[str, str, int]]]  # facet -> [(value, label, product count)]
    price_range: tuple[Money, Money] | None
    parsed_query: ParsedQuery | None
    suggestions: list[Product]
    page: int
    pages: int


PAGE_SIZE = 24


@dataclass
class SearchScope:
    """A search query resolved once per request: the parsed query and the matching products (a subquery)."""

    parsed: ParsedQuery
    matching: QuerySet[Product] | None


def search_scope(filters: BrowseFilters) -> SearchScope | None:
    """Parse the query and resolve its products once (each facet's query reuses them); None without a query."""
    if not filters.query.strip():
        return None
    parsed = parse_query(filters.query)
    return SearchScope(parsed=parsed, matching=products_matching(parsed))


def _visible_listings(
    filters: BrowseFilters, search: SearchScope | None, *, exclude_facet: str | None = None
) -> QuerySet[Listing] | None:
    listings = Listing.objects.visible().filter(market=filters.market)
    if filters.category is not None:
        if filters.category_ids is None:
            filters.category_ids = category_and_descendant_ids(filters.category)
        listings = listings.filter(variant__product__category_id__in=filters.category_ids)
    if search is not None:
        if search.matching is not None:
            listings = listings.filter(variant__product__in=search.matching.values("pk"))
        if search.parsed.storage_gb:
            listings = listings.filter(variant__storage_gb=search.parsed.storage_gb)
        if search.matching is None and not search.parsed.storage_gb:
            return None
    selections = {
        "brand": filters.brand,
        "series": filters.series,
        "storage": filters.storage,
        "colour": filters.colour,
        "grade": filters.grade,
    }
    for name, values in selections.items():
        if values and name != exclude_facet:
            listings = listings.filter(**{f"{FACETS[name]}__in": values})
    if filters.min_price is not None:
        listings = listings.filter(price_amount__gte=filters.min_price)
    if filters.max_price is not None:
        listings = listings.filter(price_amount__lte=filters.max_price)
    return listings


def browse(filters: BrowseFilters) -> BrowseResult:
    """Products of a market (category and/or search), filtered, with counts per filter value and a sort.

    Each facet counts products over the other filters (selecting a brand still shows the other brands'
    counts). The query count is fixed: one per facet, one for the total, one for the page, one for its
    products, whatever the number of rows (a search is parsed and resolved once, not once per facet);
    the result is cached per catalog version and language.
    """
    # The facet labels (grade and colour names) are translated: the language is part of the key.
    key = f"catalog:browse:{catalog_version()}:{get_language()}:{filters.cache_key()}"
    cached: BrowseResult | None = cache.get(key)
    if cached is not None:
        return cached
    result = _browse(filters)
    cache.set(key, result, 600)
    return result


def _browse(filters: BrowseFilters) -> BrowseResult:
    search = search_scope(filters)
    parsed = search.parsed if search is not None else None
    listings = _visible_listings(filters, search)
    grade_names = {g.code: g.display_name for g in grades_all()}
    if listings is None:
        return BrowseResult([], 0, {}, None, parsed, search_suggestions(filters.query), 1, 1)
    facets: dict[str, list[tuple[str, str, int]]] = {}
    for name, path in FACETS.items():
        facet_listings = _visible_listings(filters, search, exclude_facet=name)
        if facet_listings is None:
            continue
        rows = (
            facet_listings.values(path)
            .annotate(products=Count("variant__product_id", distinct=True))
            .order_by(path)
            .values_list(path, "products")
        )
        values = []
        for value, count in rows:
            if value in (None, ""):
                continue
            if name == "storage":
                label = f"{value // 1024} TB" if value >= 1024 and value % 1024 == 0 else f"{value} GB"
            elif name == "grade":
                label = grade_names.get(value, value)
            else:
            elif name == "colour":
                label = colour_display(value)
                label = str(value)
            values.append((str(value), label, count))
        if name == "grade":
            order = [g.code for g in grades_all()]
            values.sort(key=lambda item: order.index(item[0]) if item[0] in order else 99)
        facets[name] = values
    summary = listings.aggregate(
        total=Count("variant__product_id", distinct=True), low=Min("price_amount"), high=Max("price_amount")
    )
    total = summary["total"] or 0
    currency = filters.market.currency
    price_range = (
        (Money(summary["low"], currency), Money(summary["high"], currency)) if summary["low"] is not None else None
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(filters.page, pages))
    sort = filters.sort if filters.sort in SORTS else "rated"
    # The product's rating joins the same query (one row per product): no query more for ratings.
    grouped = listings.values(product_id=F("variant__product_id")).annotate(
        from_price=Min("price_amount"),
        offers=Count("id"),
        rating_score=Coalesce(Max("variant__product__rating__score_milli"), Value(PRIOR_SCORE_MILLI)),
        rating_count=Coalesce(Max("variant__product__rating__rating_count"), Value(0)),
        rating_sum=Coalesce(Max("variant__product__rating__rating_sum"), Value(0)),
    )
    if sort == "relevance" and parsed is not None and parsed.text_terms:
        grouped = grouped.annotate(
            rank=Max(
                SearchRank(
                    SearchVector("variant__product__search_document", config="simple"), tsquery(parsed.text_terms)
                )
            )
        ).order_by("-rank", "from_price", "product_id")
    else:
        grouped = grouped.order_by(*(SORTS[sort] or SORTS["rated"]))
    rows = list(grouped[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    products = Product.objects.select_related("brand", "category").in_bulk([row["product_id"] for row in rows])
    cards = [
        ProductCard(
            products[row["product_id"]],
            Money(row["from_price"], currency),
            row["offers"],
            rating_count=row["rating_count"],
            rating_sum=row["rating_sum"],
        )
        for row in rows
        if row["product_id"] in products
    ]
    suggestions = search_suggestions(filters.query) if (not cards and filters.query.strip()) else []
    return BrowseResult(cards, total, facets, price_range, parsed, suggestions, page, pages)
