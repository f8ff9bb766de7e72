"""The catalog version: one counter in the cache that every catalog write bumps after commit.

Storefront caches (rendered pages, browse results, reference lists) key on it, so a cached
page never outlives the data it shows. Reads call `catalog_version()`; writes call
`catalog_changed()` inside their transaction.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

CATALOG_VERSION_KEY = "catalog:version"


def catalog_version() -> int:
    """A counter bumped after every catalog write; storefront caches key on it (so they never go stale)."""
    version = cache.get(CATALOG_VERSION_KEY)
    if version is None:
        cache.add(CATALOG_VERSION_KEY, 1, timeout=None)
        version = cache.get(CATALOG_VERSION_KEY, 1)
    return int(version)


def catalog_changed() -> None:
    """Schedule a cache-version bump for when the current transaction commits."""

    def bump() -> None:
        try:
            cache.incr(CATALOG_VERSION_KEY)
        except ValueError:
            cache.set(CATALOG_VERSION_KEY, 2, timeout=None)

    transaction.on_commit(bump)
