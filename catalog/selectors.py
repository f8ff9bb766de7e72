"""Every catalog read with a rule: what the storefront shows, search, facets, and the buy box.

Visibility: the storefront and the catalog API only show listings that are
`active` with `stock > 0` (`Listing.objects.visible()`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.core.cache import cache
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils.translation import get_language

from catalog.models import Category, Grade, Listing, OfferSummary, Product, Variant
from catalog.services import catalog_version, normalise_text
from marketplace.models import Market
from marketplace.money import Money

# --- seller quality (until the scoring issue lands) ------------------------------------------
NEUTRAL_SELLER_SCORE = 50


def seller_quality_score(organisation_ids: Iterable[int]) -> dict[int, int]:
    """Each seller's current quality score, 0-100, for the buy box.

    Until seller performance scoring exists every seller is neutral (50), so the
    buy box is decided by price alone. The scoring issue replaces the body of this
    function (one query for all ids); callers already pass every id at once.
    """
    return dict.fromkeys(organisation_ids, NEUTRAL_SELLER_SCORE)


# --- buy box -------------------------------------------------------------------------------
# A seller's score moves its price by at most +/-5 % in the comparison: adjusted = price * (1050 - score) / 1000.
# Score 50 (neutral) compares at the true price; 100 compares 5 % cheaper; 0 compares 5 % dearer.
SCORE_WEIGHT_BASE = 1050


def adjusted_price(price_amount: int, score: int) -> int:
    """The comparison key of an offer, in thousandths of a minor unit (integers only, exact)."""
    score = max(0, min(100, score))
    return price_amount * (SCORE_WEIGHT_BASE - score)


def _buy_box_key(listing: Listing, scores: Mapping[int, int]) -> tuple[Any, ...]:
    score = scores.get(listing.seller_id, NEUTRAL_SELLER_SCORE)
    # Ties: lower adjusted price, then lower price, then better score, then the older offer, then the lower id.
    return (adjusted_price(listing.price_amount, score), listing.price_amount, -score, listing.created_at, listing.pk)


def buy_box_winner(listings: Iterable[Listing], *, seller_scores: Mapping[int, int] | None = None) -> Listing | None:
    """The featured offer among `listings` (all of one variant, grade and market).

    Only visible listings (active, stock > 0) compete. Each is ranked by its price
    adjusted for its seller's quality score (`adjusted_price`), so a better-scored
    seller may win at a slightly higher price; ties go to the lower real price, the
    better score, the older listing, then the lower id: the result is deterministic.
    `seller_scores` maps organisation id -> score 0-100; missing sellers are neutral.
    Pure: no query.
    """
    candidates = [listing for listing in listings if listing.is_visible]
    if not candidates:
        return None
    scores = seller_scores or {}
    return min(candidates, key=lambda listing: _buy_box_key(listing, scores))


def buy_boxes(
    listings: Iterable[Listing], *, seller_scores: Mapping[int, int] | None = None
) -> dict[tuple[int, str, str], Listing]:
    """The winner of every (variant id, grade code, market code) group found in `listings`. Pure."""
    groups: dict[tuple[int, str, str], list[Listing]] = {}
    for listing in listings:
        groups.setdefault((listing.variant_id, listing.grade_id, listing.market_id), []).append(listing)
    winners = {}
    for key, group in groups.items():
        winner = buy_box_winner(group, seller_scores=seller_scores)
        if winner is not None:
            winners[key] = winner
    return winners


@dataclass(frozen=True)
class BuyBoxStanding:
    holds_buy_box: bool
    price_to_win: Money | None  # None: no competitor, the offer wins at any price


def price_to_win(listing: Listing, *, seller_scores: Mapping[int, int] | None = None) -> BuyBoxStanding:
    """Whether `listing` holds the buy box of its variant, grade and market, and the price that wins it.

    `price_to_win` is the highest price (minor units) at which this offer's adjusted
    price is strictly below every visible competitor's (other listings, any seller),
    so it wins whatever the tie-breaks; `None` when nobody competes. One query.
    """
    competitors = list(
        Listing.objects.visible()
        .filter(variant_id=listing.variant_id, grade_id=listing.grade_id, market_id=listing.market_id)
        .exclude(pk=listing.pk)
    )
    scores = dict(seller_scores) if seller_scores is not None else None
    if scores is None:
        scores = seller_quality_score({listing.seller_id, *(c.seller_id for c in competitors)})
    return standing_among(listing, competitors, seller_scores=scores)


def price_to_win_many(listings: list[Listing]) -> dict[int, BuyBoxStanding]:
    """`price_to_win` for a page of listings in one query (the seller back-office table)."""
    if not listings:
        return {}
    keys = Q()
    for listing in listings:
        keys |= Q(variant_id=listing.variant_id, grade_id=listing.grade_id, market_id=listing.market_id)
    groups: dict[tuple[int, str, str], list[Listing]] = {}
    for other in (
        Listing.objects.visible()
        .filter(keys)
        .only("pk", "variant_id", "grade_id", "market_id", "seller_id", "price_amount", "status", "stock", "created_at")
    ):
        groups.setdefault((other.variant_id, other.grade_id, other.market_id), []).append(other)
    scores = seller_quality_score(
        {listing.seller_id for listing in listings} | {o.seller_id for group in groups.values() for o in group}
    )
    return {
        listing.pk: standing_among(
            listing,
            [
                o
                for o in groups.get((listing.variant_id, listing.grade_id, listing.market_id), [])
                if o.pk != listing.pk
            ],
            seller_scores=scores,
        )
        for listing in listings
    }


def standing_among(listing: Listing, competitors: list[Listing], *, seller_scores: Mapping[int, int]) -> BuyBoxStanding:
    """Pure: `listing`'s buy-box standing against `competitors` (other listings of its variant, grade, market)."""
    scores = seller_scores
    winner = buy_box_winner([listing, *competitors], seller_scores=scores)
    holds = winner is not None and winner.pk == listing.pk
    visible_competitors = [c for c in competitors if c.is_visible]
    if not visible_competitors:
        return BuyBoxStanding(holds_buy_box=holds, price_to_win=None)
    best = min(adjusted_price(c.price_amount, scores.get(c.seller_id, NEUTRAL_SELLER_SCORE)) for c in competitors)
    weight = SCORE_WEIGHT_BASE - max(0, min(100, scores.get(listing.seller_id, NEUTRAL_SELLER_SCORE)))
    target = (best - 1) // weight  # strictly below the best competitor's adjusted price
    return BuyBoxStanding(holds_buy_box=holds, price_to_win=Money(max(target, 1), listing.currency))


# --- markets -------------------------------------------------------------------------------
def markets_active() -> list[Market]:
    key = "catalog:markets"
    markets = cache.get(key)
    if markets is None:
        markets = list(Market.objects.filter(is_active=True))
        cache.set(key, markets, 300)
    return markets


def grades_all() -> list[Grade]:
    key = f"catalog:grades:{catalog_version()}"
    grades = cache.get(key)
    if grades is None:
        grades = list(Grade.objects.all())
        cache.set(key, grades, 3600)
    return grades


def categories_tree(*, version: int | None = None) -> list[Category]:
    """Top-level categories (children prefetched), ordered; cached per catalog version (pass it if known)."""
    key = f"catalog:categories:{catalog_version() if version is None else version}"
    categories = cache.get(key)
    if categories is None:
        categories = list(Category.objects.filter(parent=None).prefetch_related("children"))
        cache.set(key, categories, 3600)
    return categories


def category_and_descendant_ids(category: Category) -> list[int]:
    ids = [category.pk]
    frontier = [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


# --- search --------------------------------------------------------------------------------
STORAGE_SIZES = {16, 32, 64, 128, 256, 512, 1024, 2048}
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass
class ParsedQuery:
    text_terms: list[str]
    storage_gb: int | None
    corrected: bool
    original: str

    @property
    def display(self) -> str:
        terms = list(self.text_terms)
        if self.storage_gb:
            terms.append(f"{self.storage_gb} GB")
        return " ".join(terms)


def search_vocabulary() -> set[str]:
    """Every word of every product's search document, cached per catalog version."""
    key = f"catalog:vocabulary:{catalog_version()}"
    words = cache.get(key)
    if words is None:
        words = set()
        for document in Product.objects.values_list("search_document", flat=True).iterator(chunk_size=2000):
            words.update(document.split())
        cache.set(key, words, 3600)
    return words


def parse_query(query: str) -> ParsedQuery:
    """Split a shopper's query into text terms and a storage size, correcting typos against the catalog's words.

    `iphnoe 13 128` -> terms [iphone, 13], storage 128 GB. A number that is a storage size and not a
    catalog word (128, 256, 1tb) becomes the storage filter; an unknown word is replaced by the closest
    catalog word (difflib ratio >= 0.7), so typos are forgiven.
    """
    vocabulary = search_vocabulary()
    terms: list[str] = []
    storage: int | None = None
    corrected = False
    for token in _TOKEN.findall(normalise_text(query)):
        size = re.fullmatch(r"(\d+)(gb|go|tb|to)?", token)
        if size and token not in vocabulary:
            number = int(size.group(1)) * (1024 if size.group(2) in ("tb", "to") else 1)
            if number in STORAGE_SIZES:
                storage = number
                continue
        if token in ("gb", "go", "tb", "to"):
            continue
        if token not in vocabulary and not token.isdigit() and len(token) > 2:
            close = difflib.get_close_matches(token, vocabulary, n=1, cutoff=0.7)
            if close:
                token = close[0]
                corrected = True
        terms.append(token)
    return ParsedQuery(text_terms=terms, storage_gb=storage, corrected=corrected, original=query)


def _tsquery(terms: list[str]) -> SearchQuery:
    raw = " & ".join(f"{term}:*" for term in terms)
    return SearchQuery(raw, search_type="raw", config="simple")


def products_matching(parsed: ParsedQuery) -> QuerySet[Product] | None:
    """Products matching the parsed query's text: full-text (prefix) first, trigram similarity as the fallback.

    Returns None when the query has no text terms (only a storage size, or nothing).
    """
    if not parsed.text_terms:
        return None
    vector = SearchVector("search_document", config="simple")
    full_text = Product.objects.annotate(document=vector).filter(document=_tsquery(parsed.text_terms))
    if full_text.exists():
        return full_text
    vocabulary = search_vocabulary()
    if any(term.isdigit() and term not in vocabulary for term in parsed.text_terms):
        return Product.objects.none()  # a model number nobody sells: no fuzzy guess, suggestions instead
    text = " ".join(parsed.text_terms)
    return Product.objects.annotate(similarity=TrigramWordSimilarity(text, "search_document")).filter(
        similarity__gte=0.5
    )


def search_suggestions(query: str, *, limit: int = 5) -> list[Product]:
    """Close matches for an empty result: the most similar product names, however loosely."""
    text = normalise_text(query)
    if not text:
        return []
    return list(
        Product.objects.annotate(similarity=TrigramWordSimilarity(text, "search_document"))
        .filter(similarity__gte=0.2)
        .select_related("brand")
        .order_by("-similarity", "name")[:limit]
    )


# --- storefront browsing --------------------------------------------------------------------
SORTS = {
    "price": ("from_price", "product_id"),
    "-price": ("-from_price", "product_id"),
    "newest": ("-variant__product__release_year", "-product_id"),
    "rated": ("-offers", "from_price", "product_id"),
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
    # The facet labels (grade names) are translated: the language is part of the key.
    key = f"catalog:browse:{catalog_version()}:{get_language()}:{filters.cache_key()}"
    cached = cache.get(key)
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
    grouped = listings.values(product_id=F("variant__product_id")).annotate(
        from_price=Min("price_amount"), offers=Count("id")
    )
    if sort == "relevance" and parsed is not None and parsed.text_terms:
        grouped = grouped.annotate(
            rank=Max(
                SearchRank(
                    SearchVector("variant__product__search_document", config="simple"), _tsquery(parsed.text_terms)
                )
            )
        ).order_by("-rank", "from_price", "product_id")
    else:
        grouped = grouped.order_by(*(SORTS[sort] or SORTS["rated"]))
    rows = list(grouped[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    products = Product.objects.select_related("brand", "category").in_bulk([row["product_id"] for row in rows])
    cards = [
        ProductCard(products[row["product_id"]], Money(row["from_price"], currency), row["offers"])
        for row in rows
        if row["product_id"] in products
    ]
    suggestions = search_suggestions(filters.query) if (not cards and filters.query.strip()) else []
    return BrowseResult(cards, total, facets, price_range, parsed, suggestions, page, pages)


# --- product page --------------------------------------------------------------------------
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


def product_get(*, slug: str) -> Product | None:
    return Product.objects.select_related("brand", "category").filter(slug=slug).first()


def product_page(
    *, product: Product, market: Market, variant_id: int | None = None, grade: str | None = None
) -> ProductPage:
    """Everything the product page shows, in three queries whatever the number of offers.

    The selected variant is `variant_id` if it belongs to the product, else the one with the cheapest
    visible offer, else the first. One row per grade: its lowest price and its buy-box offer.
    """
    variants = list(product.variants.all())
    listings = list(
        Listing.objects.visible()
        .filter(market=market, variant__product=product)
        .select_related("seller")
        .order_by("price_amount", "id")
    )
    scores = seller_quality_score({listing.seller_id for listing in listings})
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
    )


def home_sections(*, market: Market, limit: int = 8) -> dict[str, list[ProductCard]]:
    """Best-sellers (most offers until sales exist) and deals (largest saving vs the new price), cached.

    Read from the offer summary (one query), not from the listings.
    """
    key = f"catalog:home:{catalog_version()}:{market.code}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    summaries = (
        OfferSummary.objects.filter(market=market)
        .select_related("product__brand", "product__category")
        .order_by("-offers", "from_price_amount", "product_id")[:200]
    )
    cards = [
        ProductCard(summary.product, Money(summary.from_price_amount, market.currency), summary.offers)
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
