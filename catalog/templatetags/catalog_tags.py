"""Template helpers for the storefront: money in the page's language, query strings that keep filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalog import i18n
from catalog.impact import top_level
from marketplace.money import Money

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    """`€129.99` in English, `129,99 €` in German and French."""
    if value is None:
        return ""
    return value.format(get_language() or "en")


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with `changes` applied (None removes a key); the page is reset unless given."""
    request = context["request"]
    query: QueryDict = request.GET.copy()
    if "page" not in changes:
        query.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def add_money(value: Money | None, other: Money | None) -> Money | None:
    """`a|add_money:b`: the sum of two amounts of the same currency (None when either is missing)."""
    if value is None or other is None:
        return None
    return value + other


@register.filter
def saving_percent(price: Money | None, new_price: Money | None) -> int:
    if price is None or new_price is None or new_price.amount <= 0 or price.currency != new_price.currency:
        return 0
    return max(0, round(100 - price.amount * 100 / new_price.amount))


@register.filter
def kg(grams: int) -> str:
    """Grams as kilograms in the page's language, one decimal when there is one: 24.6 (en), 24,6 (fr)."""
    kilograms = round(grams / 1000, 1)
    return number_format(kilograms, 0 if kilograms == int(kilograms) else 1)


@register.filter
def attr_launch_price(product: Any, currency: str) -> Money | None:
    """The product's price new at launch in `currency` (labelled "new" wherever it is shown)."""
    return product.launch_price(currency) if product is not None and currency else None


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.inclusion_tag("catalog/partials/rating.html")
def rating(average: float | None, count: int | None, *, compact: bool = False) -> dict[str, Any]:
    """Stars with their count ("★ 4.7 (123)"), or "No ratings yet"; the label reads the whole for screen readers."""
    return {"average": average, "count": count or 0, "compact": compact}


@register.inclusion_tag("catalog/partials/rating.html")
def seller_rating(seller: Any, *, compact: bool = False) -> dict[str, Any]:
    """A seller's rating from its catalog standing (load it with the offers: `seller__catalog_standing`)."""
    standing = getattr(seller, "catalog_standing", None)
    if standing is None:
        return {"average": None, "count": 0, "compact": compact}
    return {"average": standing.rating_average, "count": standing.rating_count, "compact": compact}


@register.filter
def spec_label(key: str) -> str:
    """A spec key's label in the active language: {{ key|spec_label }}."""
    return i18n.spec_label(key)


@register.filter
def impact_source(text: str) -> str:
    """An impact figure's source line: Encore's own estimates translated, a cited title as published."""
    return i18n.impact_source(text)


@register.filter
def impact_figures(category: Any) -> Any:
    """The category whose impact figures `category` uses: its top level (`catalog.impact`). No query for a
    top-level category, one per level above a sub-category."""
    return top_level(category)


@register.simple_tag
def facet_items(name: str, values: Any, chosen: Any = (), indent: int = 10) -> str:
    """The `<li>` of each (value, label, count) of a facet, as the filter panel shows them: a checkbox named
    after the facet (ticked for the values in `chosen`), the label and the product count. Built here with
    plain string formatting, not a template loop: a category's Model facet has hundreds of values, and the
    template engine spent more time on them than on the rest of an uncached category page. Values and
    labels are escaped as the template would (`name` is one of the facet names, ours)."""
    chosen = chosen or ()
    prefix = "\n" + " " * indent
    grouped = settings.USE_THOUSAND_SEPARATOR
    items = []
    for value, label, count in values:
        text = escape(value)
        ticked = " checked" if value in chosen else ""
        number = localize(count) if grouped else str(count)
        items.append(
            f'{prefix}<li data-value="{text}"><label class="check"><input type="checkbox" name="{name}" '
            f'value="{text}"{ticked}> {conditional_escape(label)} <span class="count">({number})</span></label></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - every value and label escaped above
