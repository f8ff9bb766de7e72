"""Product search documents, and bulk loads of listings with one offer-summary rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from catalog.models import Product
from catalog.selectors.search import normalise_text
from catalog.versioning import catalog_changed


@contextmanager
def listings_bulk_load() -> Iterator[None]:
    """For bulk inserts of listings (bench seed, imports): one set-based summary rebuild instead of per-statement work.

    Inside the block the offer-summary triggers (migration 0004) stand aside for this transaction only
    (`SET LOCAL`); at its end the whole summary is recomputed in one statement (under a table lock, so
    concurrent writers wait and nothing is missed), the planner statistics are refreshed and the catalog
    cache version is bumped on commit. Must run inside a transaction.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("listings_bulk_load() must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL catalog.offer_summary = 'off'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL catalog.offer_summary = 'on'")
        cursor.execute("SELECT catalog_offer_summary_rebuild()")
        # Fresh statistics: a plan made for an empty table (seq scans, wrong join order) costs 20x on this data.
        cursor.execute("ANALYZE catalog_product, catalog_variant, catalog_listing, catalog_offersummary")
    catalog_changed()


def product_search_document(product: Product, *, aliases: tuple[str, ...] = ()) -> str:
    words = [product.brand.name, product.series, product.name, product.category.name, *aliases]
    seen: list[str] = []
    for word in normalise_text(" ".join(words)).split():
        if word not in seen:
            seen.append(word)
    return " ".join(seen)


def product_refresh_search_document(*, product: Product, aliases: tuple[str, ...] = ()) -> Product:
    product.search_document = product_search_document(product, aliases=aliases)
    Product.objects.filter(pk=product.pk).update(search_document=product.search_document)
    catalog_changed()
    return product
