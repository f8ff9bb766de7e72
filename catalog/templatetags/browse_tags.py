"""Browse pages: the active filters as removable chips (each a link to the same page without it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import gettext

from catalog.selectors.suggestions import close_queries, suggested_categories

register = template.Library()

CHIP_FACETS = ("brand", "series", "storage", "colour", "grade")
KEPT = ("q", "market", "sort")  # what "Clear all" keeps: the search itself, the market and the order


@dataclass(frozen=True)
class Chip:
    label: str
    url: str


def _url(path: str, query: QueryDict) -> str:
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


@register.simple_tag(takes_context=True)
def filter_chips(context: dict[str, Any], facets: dict[str, list[tuple[str, str, int]]]) -> dict[str, Any]:
    """{"chips": [Chip(label, url without it)], "clear_url": the page without any filter}."""
    request = context["request"]
    path = request.path
    labels = {(name, value): label for name, values in (facets or {}).items() for value, label, _count in values}
    chips = []
    for name in CHIP_FACETS:
        for value in request.GET.getlist(name):
            query = request.GET.copy()
            query.setlist(name, [v for v in request.GET.getlist(name) if v != value])
            query.pop("page", None)
            chips.append(Chip(labels.get((name, value), value), _url(path, query)))
    for name, text in (("min", gettext("from %(price)s")), ("max", gettext("up to %(price)s"))):
        value = request.GET.get(name, "")
        if value:
            query = request.GET.copy()
            query.pop(name)
            query.pop("page", None)
            chips.append(Chip(text % {"price": value}, _url(path, query)))
    kept = QueryDict(mutable=True)
    for name in KEPT:
        if request.GET.get(name):
            kept[name] = request.GET[name]
    return {"chips": chips, "clear_url": _url(path, kept)}


@register.simple_tag
def search_alternatives(query: str, products: list[Any]) -> dict[str, Any]:
    """For an empty result: {"queries": close queries, "categories": categories to browse}."""
    return {"queries": close_queries(query) if query else [], "categories": suggested_categories(products)}
