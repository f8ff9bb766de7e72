"""A search with no result: close queries (product series whose words are most similar, by trigram) and the
categories to browse instead (those of the closest products, else every top-level one)."""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity

from catalog.models import Category, Product
from catalog.selectors.search import normalise_text


def close_queries(query: str, *, limit: int = 4) -> list[str]:
    """Series names close to `query` ("iphon 13" -> "iPhone 13"), most similar first, the query itself left out."""
    text = normalise_text(query)
    if not text:
        return []
    rows = (
        Product.objects.annotate(similarity=TrigramWordSimilarity(text, "series"))
        .filter(similarity__gte=0.3)
        .order_by("-similarity", "series")
        .values_list("series", flat=True)[:50]
    )
    seen: list[str] = []
    for series in rows:
        if series.lower() != text and series not in seen:
            seen.append(series)
        if len(seen) == limit:
            break
    return seen


def suggested_categories(products: list[Product]) -> list[Category]:
    """The top-level categories of `products` (already loaded), else every top-level category."""
    wanted = {product.category_id for product in products}
    roots = list(Category.objects.filter(parent__isnull=True).order_by("position", "id"))
    chosen = [category for category in roots if category.pk in wanted]
    return chosen or roots
