"""Query parameters of the catalog API (validated: a bad value is a 400 problem, never a 500)."""

from __future__ import annotations

import django_filters
from django.db.models import BigIntegerField, Exists, F, Min, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from catalog.models import Category, Grade, Listing, Product
from catalog.selectors.reference import category_and_descendant_ids, grades_all, markets_active
from catalog.selectors.search import parse_query, products_matching
from marketplace.models import Market

PRODUCT_ORDERINGS = {
    "slug": ("slug",),
    "-slug": ("-slug",),
    "newest": ("-release_year", "slug"),
    "oldest": ("release_year", "slug"),
    "price": ("from_price_amount", "slug"),
    "-price": ("-from_price_amount", "slug"),
}


def _market_choices() -> list[tuple[str, str]]:
    return [(market.code, market.code) for market in markets_active()]


def _grade_choices() -> list[tuple[str, str]]:
    return [(grade.code, grade.code) for grade in grades_all()]


class ProductFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", method="filter_category", help_text="Category slug."
    )
    brand = django_filters.CharFilter(method="filter_brand", max_length=80, help_text="Brand slug, e.g. apple.")
    q = django_filters.CharFilter(method="filter_noop", help_text="Search text; typos are forgiven.", max_length=200)
    # Choices from the cached market list and grade table: validating them costs no query.
    market = django_filters.ChoiceFilter(
        choices=_market_choices,
        method="filter_noop",
        help_text="Market code: only products with offers there, with their lowest price.",
    )
    grade = django_filters.ChoiceFilter(
        choices=_grade_choices, method="filter_noop", help_text="Grade code: only products offered in it."
    )
    min_price = django_filters.NumberFilter(
        method="filter_noop", min_value=0, max_value=10**12, help_text="Minor units, all-in."
    )
    max_price = django_filters.NumberFilter(
        method="filter_noop", min_value=0, max_value=10**12, help_text="Minor units, all-in."
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in PRODUCT_ORDERINGS],
        method="filter_noop",
        help_text="slug (default), -slug, newest, oldest, price, -price (price needs ?market=).",
    )

    class Meta:
        model = Product
        fields = ("category", "brand", "q", "market", "grade", "min_price", "max_price", "ordering")

    def filter_noop(self, queryset: QuerySet[Product], name: str, value: object) -> QuerySet[Product]:
        return queryset  # applied together in filter_queryset (they shape one offer subquery)

    def filter_brand(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(brand__slug=value.replace("\x00", ""))  # PostgreSQL refuses NUL in text

    def filter_category(self, queryset: QuerySet[Product], name: str, value: Category) -> QuerySet[Product]:
        return queryset.filter(category_id__in=category_and_descendant_ids(value))

    def filter_queryset(self, queryset: QuerySet[Product]) -> QuerySet[Product]:
        """Offer filters and `from_price_amount`: from the offer summary when it can answer, else the listings.

        The summary (one row per product and market with visible offers, lowest price overall and per
        grade) answers `market` and `market` + `grade` with one indexed join, so the cursor seeks on the
        product index instead of scanning listings per product. A price range or a storage size (from
        `q`) needs the listings themselves: the offer subquery below, exact as well but slower.
        """
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        markets = {market.code: market for market in markets_active()}
        market = markets.get(data.get("market") or "")
        grade = data.get("grade") or None
        min_price, max_price = data.get("min_price"), data.get("max_price")
        storage = None
        if data.get("q"):
            parsed = parse_query(data["q"])
            matching = products_matching(parsed)
            if matching is not None:
                queryset = queryset.filter(pk__in=matching.values("pk"))
            storage = parsed.storage_gb
        if market is not None and min_price is None and max_price is None and storage is None:
            summary = {"offer_summaries__market": market}
            if grade is None:
                return queryset.filter(**summary).annotate(from_price_amount=F("offer_summaries__from_price_amount"))
            summary["offer_summaries__grade_prices__has_key"] = grade
            return queryset.filter(**summary).annotate(
                from_price_amount=Cast(KeyTextTransform(grade, "offer_summaries__grade_prices"), BigIntegerField())
            )
        offers = Listing.objects.visible().filter(variant__product=OuterRef("pk"))
        if storage:
            offers = offers.filter(variant__storage_gb=storage)
        if market is not None:
            offers = offers.filter(market=market)
        if grade is not None:
            offers = offers.filter(grade_id=grade)
        if min_price is not None:
            offers = offers.filter(price_amount__gte=int(min_price))
        if max_price is not None:
            offers = offers.filter(price_amount__lte=int(max_price))
        if any(v is not None for v in (market, grade, min_price, max_price, storage)):
            queryset = queryset.filter(Exists(offers))
        if market is not None:
            lowest = offers.order_by().values("variant__product").annotate(low=Min("price_amount")).values("low")
            queryset = queryset.annotate(from_price_amount=Subquery(lowest))
        return queryset


class OfferFilter(django_filters.FilterSet):
    market = django_filters.ModelChoiceFilter(queryset=Market.objects.filter(is_active=True), help_text="Market code.")
    grade = django_filters.ModelChoiceFilter(queryset=Grade.objects.all(), help_text="Grade code.")
    variant = django_filters.NumberFilter(
        field_name="variant_id", min_value=1, max_value=2**62, help_text="Variant id."
    )

    class Meta:
        model = Listing
        fields = ("market", "grade", "variant")
