"""Category and search pages: visible offers of a market, filtered, with counts per filter value, sorted and paged.

Results are cached per language and version of what they show: the category's offers in the market, or
for a search the offers of the categories its products belong to (`results_version`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchRank, SearchVector
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Max, Min, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from catalog.i18n import colour_display
from catalog.models import Category, Listing, OfferSummary, Product
from catalog.ratings import PRIOR_SCORE_MILLI
from catalog.selectors.pictures import with_picture
from catalog.selectors.reference import category_and_descendant_ids, grades_all
from catalog.selectors.search import (
    ParsedQuery,
    parse_query,
    products_matching,
    search_category_slugs,
    search_suggestions,
    tsquery,
)
from catalog.versioning import scope_version
from marketplace.models import Market
from marketplace.money import Money

SORTS = {
    "price": ("from_price", "product_id"),
    "-price": ("-from_price", "product_id"),
    "newest": ("-product__release_year", "-product_id"),
    # Best rated: the products' Bayesian score (`catalog.services.ratings`; unrated ones at the prior),
    # then the number of offers, then the price.
    "rated": ("-rating_score", "-offers_count", "from_price", "product_id"),
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


def _category_ids(filters: BrowseFilters, category: Category) -> list[int]:
    """The category and its descendants, resolved once per request (every facet's query filters on them)."""
    if filters.category_ids is None:
        filters.category_ids = category_and_descendant_ids(category)
    return filters.category_ids


def _visible_listings(
    filters: BrowseFilters, search: SearchScope | None, *, exclude_facet: str | None = None
) -> QuerySet[Listing] | None:
    listings = Listing.objects.visible().filter(market=filters.market)
    if filters.category is not None:
        listings = listings.filter(variant__product__category_id__in=_category_ids(filters, filters.category))
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


def results_version(*, market: str, category_slug: str | None, query: str) -> str:
    """The version a category or search page of `market` keys on: its category's offers (the category's
    version, which changes with its descendants' offers too), else the categories the query's products
    belong to, else (no query, or a storage size only) the whole market's offers."""
    if category_slug is not None:
        return scope_version(market=market, categories=[category_slug])
    slugs = search_category_slugs(query) if query.strip() else None
    return scope_version(market=market, categories=slugs or ())


def browse(filters: BrowseFilters) -> BrowseResult:
    """Products of a market (category and/or search), filtered, with counts per filter value and a sort.

    Each facet counts products over the other filters (selecting a brand still shows the other brands'
    counts). The query count is fixed: one per facet, one for the total, one for the page, one for its
    products, whatever the number of rows (a search is parsed and resolved once, not once per facet);
    the result is cached per language and `results_version`.
    """
    # The facet labels (grade and colour names) are translated: the language is part of the key.
    version = results_version(
        market=filters.market.code,
        category_slug=filters.category.slug if filters.category else None,
        query=filters.query,
    )
    key = f"catalog:browse:{version}:{get_language()}:{filters.cache_key()}"
    cached: BrowseResult | None = cache.get(key)
    if cached is not None:
        return cached
    result = _browse(filters)
    cache.set(key, result, 600)
    return result


def _selected(filters: BrowseFilters, name: str) -> bool:
    chosen: dict[str, list[Any]] = {
        "brand": filters.brand,
        "series": filters.series,
        "storage": filters.storage,
        "colour": filters.colour,
        "grade": filters.grade,
    }
    return bool(chosen[name])


def _shared_counts(
    listings: QuerySet[Listing], names: list[str]
) -> tuple[dict[str, list[tuple[Any, int]]], dict[str, Any]]:
    """Products per value of each facet in `names`, and the products, lowest and highest price of all of
    `listings`, in one query: `GROUP BY GROUPING SETS ((brand), (series), ..., ())` over one scan of the
    offers (five separate counts were two thirds of an uncached category page). Each facet's values
    come in the database's order (each grouping set's rows sorted on its column, the others being NULL)."""
    columns = {name: f"facet_{name}" for name in names}
    offers = listings.order_by().values(
        product=F("variant__product_id"), price=F("price_amount"), **{columns[n]: F(FACETS[n]) for n in names}
    )
    counts: dict[str, list[tuple[Any, int]]] = {name: [] for name in names}
    summary: dict[str, Any] = {"total": 0, "low": None, "high": None}
    try:
        sql, params = offers.query.get_compiler(using=offers.db).as_sql()
    except EmptyResultSet:  # a search that matches no product: nothing to count
        return counts, summary
    groupings = "".join(f", GROUPING({column})" for column in columns.values())
    sets = "".join(f"({column}), " for column in columns.values())
    select = "".join(f"{column}, " for column in columns.values())
    query = (
        f"SELECT {select}COUNT(DISTINCT product), MIN(price), MAX(price){groupings} "  # noqa: S608 - names are ours
        f"FROM ({sql}) AS offers GROUP BY GROUPING SETS ({sets}()) ORDER BY {select}1"
    )
    with connections[offers.db].cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    width = len(names)
    for row in rows:
        values, (products, low, high), grouped = row[:width], row[width : width + 3], row[width + 3 :]
        inside = [name for name, flag in zip(names, grouped, strict=True) if flag == 0]
        if inside:
            counts[inside[0]].append((values[names.index(inside[0])], products))
        else:
            summary = {"total": products, "low": low, "high": high}
    return counts, summary


# The filters that look inside a product's offers: with none of them chosen, the page is the products'
# offer summaries (one row per product and market, kept by the database: `OfferSummary`).
OFFER_LEVEL_FACETS = ("storage", "colour", "grade")
SUMMARY_FACETS = {"brand": "product__brand__slug", "series": "product__series"}


def _product_level(filters: BrowseFilters, search: SearchScope | None) -> bool:
    """Whether every chosen filter is the product's own (brand, series, the query's products): then the
    products, their lowest price, their offers and every facet's count come from the offer summary."""
    if any(_selected(filters, name) for name in OFFER_LEVEL_FACETS):
        return False
    if filters.min_price is not None or filters.max_price is not None:
        return False
    return not (search is not None and search.parsed.storage_gb)


def _summary_rows(
    filters: BrowseFilters, search: SearchScope | None, *, exclude_facet: str | None = None
) -> QuerySet[OfferSummary] | None:
    """The offer-summary rows of the page's products (see `_product_level`); None when a search matches none."""
    rows = OfferSummary.objects.filter(market=filters.market)
    if filters.category is not None:
        rows = rows.filter(product__category_id__in=_category_ids(filters, filters.category))
    if search is not None:
        if search.matching is None:
            return None
        rows = rows.filter(product__in=search.matching.values("pk"))
    for name, path in SUMMARY_FACETS.items():
        values = getattr(filters, name)
        if values and name != exclude_facet:
            rows = rows.filter(**{f"{path}__in": values})
    return rows


def _summary_counts(
    rows: QuerySet[OfferSummary], names: list[str]
) -> tuple[dict[str, list[tuple[Any, int]]], dict[str, Any]]:
    """`_shared_counts` over offer-summary rows: products per value of each facet in `names` (the storage
    sizes, colours and grades a product offers are arrays in its row), and the products, lowest and
    highest price, in one query over one row per product instead of a scan of every offer."""
    base = rows.order_by().values(
        "from_price_amount",
        "high_price_amount",
        "storages",
        "colours",
        "grade_prices",
        brand=F("product__brand__slug"),
        series=F("product__series"),
    )
    counts: dict[str, list[tuple[Any, int]]] = {name: [] for name in names}
    summary: dict[str, Any] = {"total": 0, "low": None, "high": None}
    try:
        sql, params = base.query.get_compiler(using=base.db).as_sql()
    except EmptyResultSet:
        return counts, summary
    # One branch per facet (facet number, text value, numeric value, products); the summary row first.
    branches = {
        "brand": "SELECT 1, brand, NULL::bigint, count(*), NULL::bigint, NULL::bigint FROM s GROUP BY brand",
        "series": "SELECT 2, series, NULL::bigint, count(*), NULL::bigint, NULL::bigint FROM s GROUP BY series",
        "storage": "SELECT 3, NULL, v, count(*), NULL::bigint, NULL::bigint FROM s, unnest(s.storages) AS v GROUP BY v",
        "colour": "SELECT 4, v, NULL::bigint, count(*), NULL::bigint, NULL::bigint FROM s, unnest(s.colours) AS v "
        "GROUP BY v",
        "grade": "SELECT 5, v, NULL::bigint, count(*), NULL::bigint, NULL::bigint "
        "FROM s, jsonb_object_keys(s.grade_prices) AS v GROUP BY v",
    }
    selects = [
        "SELECT 0, NULL, NULL::bigint, count(*), min(from_price_amount), max(high_price_amount) FROM s",
        *(branches[name] for name in names),
    ]
    query = (
        f"WITH s AS MATERIALIZED ({sql}) "
        + " UNION ALL ".join(f"({select})" for select in selects)
        + " ORDER BY 1, 3, 2"
    )
    with connections[base.db].cursor() as cursor:
        cursor.execute(query, params)
        rows_found = cursor.fetchall()
    order = {1: "brand", 2: "series", 3: "storage", 4: "colour", 5: "grade"}
    for facet, text, number, products, low, high in rows_found:
        if facet == 0:
            summary = {"total": products, "low": low, "high": high}
        else:
            counts[order[facet]].append((number if facet == 3 else text, products))
    return counts, summary


def _browse(filters: BrowseFilters) -> BrowseResult:
    search = search_scope(filters)
    parsed = search.parsed if search is not None else None
    product_level = _product_level(filters, search)
    listings = None if product_level else _visible_listings(filters, search)
    summaries = _summary_rows(filters, search) if product_level else None
    grades = grades_all()
    grade_names = {g.code: g.display_name for g in grades}
    if listings is None and summaries is None:
        return BrowseResult([], 0, {}, None, parsed, search_suggestions(filters.query), 1, 1)
    facets: dict[str, list[tuple[str, str, int]]] = {}
    # A facet with no value selected counts over the page's own products: all of those, the total and the
    # price range come from one query; a facet with a selection counts over the other filters only
    # (selecting a brand still shows the other brands' counts), one query each. With product-level
    # filters only, over the offer summary (`_summary_counts`), else over the offers (`_shared_counts`).
    unselected = [name for name in FACETS if not _selected(filters, name)]
    if summaries is not None:
        shared, summary = _summary_counts(summaries, unselected)
    elif listings is not None:
        shared, summary = _shared_counts(listings, unselected)
    for name, path in FACETS.items():
        value_counts: list[tuple[Any, int]]
        if name in shared:
            value_counts = shared[name]
        elif summaries is not None:
            facet_rows = _summary_rows(filters, search, exclude_facet=name)
            if facet_rows is None:
                continue
            value_counts = _summary_counts(facet_rows, [name])[0][name]
        else:
            facet_listings = _visible_listings(filters, search, exclude_facet=name)
            if facet_listings is None:
                continue
            value_counts = list(
                facet_listings.values(path)
                .annotate(products=Count("variant__product_id", distinct=True))
                .order_by(path)
                .values_list(path, "products")
            )
        values = []
        for value, count in value_counts:
            if value in (None, ""):
                continue
            if name == "storage":
                label = f"{value // 1024} TB" if value >= 1024 and value % 1024 == 0 else f"{value} GB"
            elif name == "grade":
                label = grade_names.get(value, value)
            elif name == "colour":
                label = colour_display(value)
            else:
                label = str(value)
            values.append((str(value), label, count))
        if name == "grade":
            order = [g.code for g in grades]
            values.sort(key=lambda item: order.index(item[0]) if item[0] in order else 99)
        facets[name] = values
    total = summary["total"] or 0
    currency = filters.market.currency
    price_range = (
        (Money(summary["low"], currency), Money(summary["high"], currency)) if summary["low"] is not None else None
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(filters.page, pages))
    sort = filters.sort if filters.sort in SORTS else "rated"
    grouped = _page_rows(listings, summaries, parsed, sort)
    rows = list(grouped[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    # The picture (first photo, or the first variant's colour for the drawing) joins the same query.
    products = with_picture(Product.objects.select_related("brand", "category")).in_bulk(
        [row["product_id"] for row in rows]
    )
    cards = [
        ProductCard(
            products[row["product_id"]],
            Money(row["from_price"], currency),
            row["offers_count"],
            rating_count=row["rating_count"],
            rating_sum=row["rating_sum"],
        )
        for row in rows
        if row["product_id"] in products
    ]
    suggestions = search_suggestions(filters.query) if (not cards and filters.query.strip()) else []
    return BrowseResult(cards, total, facets, price_range, parsed, suggestions, page, pages)


def _page_rows(
    listings: QuerySet[Listing] | None, summaries: QuerySet[OfferSummary] | None, parsed: ParsedQuery | None, sort: str
) -> QuerySet[Any]:
    """One row per product (`product_id`, `from_price`, `offers_count`, the rating), sorted: over the
    products' offer summaries when the filters allow it (`summaries`), else grouped from the filtered
    offers. The product's rating joins the same query: no query more for ratings."""
    terms = parsed.text_terms if sort == "relevance" and parsed is not None else []
    grouped: QuerySet[Any, Any]
    per_product: Callable[[Any], Any]  # a summary row is one product; offers are grouped per product
    if summaries is not None:
        product, per_product = "product__", _as_is
        grouped = summaries.values("product_id").annotate(from_price=F("from_price_amount"), offers_count=F("offers"))
    elif listings is not None:
        product, per_product = "variant__product__", Max
        grouped = listings.values(product_id=F("variant__product_id")).annotate(
            from_price=Min("price_amount"), offers_count=Count("id")
        )
    else:
        return OfferSummary.objects.none().values("product_id")
    grouped = grouped.annotate(
        rating_score=Coalesce(per_product(f"{product}rating__score_milli"), Value(PRIOR_SCORE_MILLI)),
        rating_count=Coalesce(per_product(f"{product}rating__rating_count"), Value(0)),
        rating_sum=Coalesce(per_product(f"{product}rating__rating_sum"), Value(0)),
    )
    if terms:
        rank = SearchRank(SearchVector(f"{product}search_document", config="simple"), tsquery(terms))
        return grouped.annotate(rank=per_product(rank)).order_by("-rank", "from_price", "product_id")
    return grouped.order_by(*(f.replace("product__", product) for f in (SORTS[sort] or SORTS["rated"])))


def _as_is(expression: Any) -> Any:
    """A summary row's own value (one row per product: nothing to aggregate)."""
    return F(expression) if isinstance(expression, str) else expression
