"""The storefront's filter parameters, parsed and validated with django-filter.

`StorefrontFilter` reads the shareable query string (`?brand=apple&storage=128&grade=good&min=200&sort=price`)
into a `BrowseFilters`; `catalog.selectors.browse` runs the queries (facets need each filter left out in turn).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Listing
from catalog.selectors.browse import BrowseFilters
from marketplace.models import Market
from marketplace.money import Money


class AnyValueMultipleField(forms.MultipleChoiceField):
    """A multi-value field whose choices are the facet values of the moment (unknown values just match nothing)."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and 0 < len(value) <= 100


class AnyValueMultipleFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyValueMultipleField


class StorefrontFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), max_length=200, method="keep")
    brand = AnyValueMultipleFilter(label=_("Brand"), method="keep")
    series = AnyValueMultipleFilter(label=_("Model"), method="keep")
    storage = AnyValueMultipleFilter(label=_("Storage"), method="keep")
    colour = AnyValueMultipleFilter(label=_("Colour"), method="keep")
    grade = AnyValueMultipleFilter(label=_("Grade"), method="keep")
    min = django_filters.NumberFilter(label=_("Min price"), min_value=0, max_value=10**9, method="keep")
    max = django_filters.NumberFilter(label=_("Max price"), min_value=0, max_value=10**9, method="keep")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="keep",
        empty_label=None,
        choices=[
            ("rated", _("Best rated")),
            ("price", _("Price: low to high")),
            ("-price", _("Price: high to low")),
            ("newest", _("Newest")),
            ("relevance", _("Relevance")),
        ],
    )
    page = django_filters.NumberFilter(min_value=1, max_value=10_000, method="keep")

    class Meta:
        model = Listing
        fields: tuple[str, ...] = ()

    def keep(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def to_browse(self, *, market: Market, category: Category | None) -> BrowseFilters:
        """The validated parameters (an invalid one is dropped, never an error page)."""
        self.form.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        errors = set(self.form.errors)

        def value(name: str, default: Any = None) -> Any:
            return default if name in errors else data.get(name) or default

        def price(name: str) -> int | None:
            amount = value(name)
            if amount is None:
                return None
            return Money.from_decimal(str(int(amount)), market.currency).amount

        query = value("q", "") or ""
        default_sort = "relevance" if query.strip() else "rated"
        return BrowseFilters(
            market=market,
            category=category,
            query=query,
            brand=value("brand", []),
            series=value("series", []),
            storage=[int(s) for s in value("storage", []) if s.isdigit()],
            colour=value("colour", []),
            grade=value("grade", []),
            min_price=price("min"),
            max_price=price("max"),
            sort=value("sort") or default_sort,
            page=int(value("page", 1)),
        )
