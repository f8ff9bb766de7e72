"""Reference data the storefront reads on every page: markets, grades, the category tree."""

from __future__ import annotations

from django.core.cache import cache

from catalog.models import Category, Grade
from catalog.versioning import catalog_version
from marketplace.models import Market


def markets_active() -> list[Market]:
    key = "catalog:markets"
    markets: list[Market] | None = cache.get(key)
    if markets is None:
        markets = list(Market.objects.filter(is_active=True))
        cache.set(key, markets, 300)
    return markets


def grades_all() -> list[Grade]:
    key = f"catalog:grades:{catalog_version()}"
    grades: list[Grade] | None = cache.get(key)
    if grades is None:
        grades = list(Grade.objects.all())
        cache.set(key, grades, 3600)
    return grades


def categories_tree(*, version: str | None = None) -> list[Category]:
    """Top-level categories (children prefetched), ordered; cached per catalog version (pass it if known)."""
    key = f"catalog:categories:{catalog_version() if version is None else version}"
    categories: list[Category] | None = cache.get(key)
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
