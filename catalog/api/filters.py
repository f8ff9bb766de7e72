"""Query parameters of the catalog API (validated: a bad value is a 400 problem, never a 500)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery

from catalog.models import Category, Grade, Listing, Product
from catalog.selectors import category_and_descendant_ids, parse_query, products_matching
from marketplace.models import Market

PRODUCT_ORDERINGS = {
    "slug": ("slug",),
    "-slug": ("-slug",),
    "newest": ("-release_year", "slug"),
    "oldest": ("release_year", "slug"),
    "price": ("from_price_amount", "slug"),
    "-price": ("-from_price_amount", "slug"),
}


class ProductFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", method="filter_category", help_text="Category slug."
    )
    brand = django_filters.CharFilter(method="filter_brand", max_length=80, help_text="Brand slug, e.g. apple.")
    q = django_filters.CharFilter(method="filter_noop", help_text="Search text; typos are forgiven.", max_length=200)
    market = django_filters.ModelChoiceFilter(
        queryset=Market.objects.filter(is_active=True),
        method="filter_noop",
        help_text="Market code: only products with offers there, with their lowest price.",
    )
    grade = django_filters.ModelChoiceFilter(
        queryset=Grade.objects.all(), method="filter_noop", help_text="Grade code: only products offered in it."
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
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        market, grade = data.get("market"), data.get("grade")
        min_price, max_price = data.get("min_price"), data.get("max_price")
        offers = Listing.objects.visible().filter(variant__product=OuterRef("pk"))
        storage = None
        if data.get("q"):
            parsed = parse_query(data["q"])
            matching = products_matching(parsed)
            if matching is not None:
                queryset = queryset.filter(pk__in=matching.values("pk"))
            storage = parsed.storage_gb
            if storage:
                offers = offers.filter(variant__storage_gb=storage)
        if market is not None:
            offers = offers.filter(market=market)
        if grade is not None:
            offers = offers.filter(grade=grade)
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
