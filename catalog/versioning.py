"""Catalog versions: tokens in the cache that writes replace after commit, so cached pages never go stale.

Two levels:

- The global version (`catalog_version()`, bumped by `catalog_changed()`): for what many pages show
  at once: product models and their words, categories, grades, seller scores and ratings, bulk loads.
- Offer versions, as fine as the change (`listings_changed(listing_ids)`): a seller's price, stock or
  status change replaces the version of that product in that market, of its category and the
  category's parents in that market, and of the market. A product page keys on its product's version,
  a category page on its category's, a search page on the categories its query matches (see
  `catalog.selectors.search.search_category_slugs`), the home page and the products API on the
  market's. So a price change of product A leaves product B's page and the other categories' pages
  cached, and shows at once on every page that shows A's offers.

Reads call `catalog_version()` or `scope_version(...)` (one round trip to the cache for all the keys
a page depends on); writes call `catalog_changed()` / `listings_changed(...)` inside their transaction.
A version is a fresh unique token, never a counter: a key evicted from the cache comes back as a new
token, never as a value an old cached page was stored under.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

CATALOG_VERSION_KEY = "catalog:version"
VERSION_PREFIX = "catalog:v"
# Past this many products in one change (a seller's listings paused by the platform, a bulk import),
# one global bump costs less than naming every page; the pages rebuild once either way.
FINE_GRAINED_LIMIT = 200
# Scoped versions live a day (far longer than any page under them): one that expired comes back as a
# new token, which only costs a rebuild, and versions of slugs nobody asks for any more go away.
VERSION_TIMEOUT = 24 * 3600
ANY_MARKET = "*"  # the version of pages that show offers of every market (the products API without ?market=)


def _token() -> str:
    return uuid.uuid4().hex[:12]


def catalog_version() -> str:
    """The global version (bumped on commit by every write that changes many pages)."""
    version = cache.get(CATALOG_VERSION_KEY)
    if version is None:
        cache.add(CATALOG_VERSION_KEY, _token(), timeout=None)
        version = cache.get(CATALOG_VERSION_KEY) or _token()
    return str(version)


def catalog_changed() -> None:
    """Schedule a global version change for when the current transaction commits (every cached page goes)."""
    transaction.on_commit(lambda: cache.set(CATALOG_VERSION_KEY, _token(), timeout=None))


def market_key(market: str) -> str:
    return f"{VERSION_PREFIX}:{market}"


def product_key(market: str, product_slug: str) -> str:
    return f"{VERSION_PREFIX}:{market}:p:{product_slug}"


def category_key(market: str, category_slug: str) -> str:
    return f"{VERSION_PREFIX}:{market}:c:{category_slug}"


def scope_version(*, market: str, product: str | None = None, categories: Iterable[str] = ()) -> str:
    """The version of what a page shows in `market`: the global version, the market's, or (finer) the
    product's and/or the categories' (slugs). One `get_many`; a missing key gets a fresh token."""
    keys = [CATALOG_VERSION_KEY]
    if product is not None:
        keys.append(product_key(market, product))
    keys += [category_key(market, slug) for slug in sorted(set(categories))]
    if len(keys) == 1:
        keys.append(market_key(market))
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _token(), timeout=None if key == CATALOG_VERSION_KEY else VERSION_TIMEOUT)
            found[key] = cache.get(key) or _token()
    return ".".join(str(found[key]) for key in keys)


def global_version_of(scope: str) -> str:
    """The global version a `scope_version` starts with (already read with it: no round trip)."""
    return scope.split(".", 1)[0]


def listings_changed(listing_ids: Iterable[int]) -> None:
    """Offers changed (price, stock, status, any field a page shows): schedule, for when the current
    transaction commits, new versions for their products, categories (and parents) and markets.

    One query, inside the caller's transaction (so on the primary, seeing its own writes). Many
    products at once fall back to `catalog_changed()`.
    """
    from catalog.models import Listing

    ids = list(listing_ids)
    if not ids:
        return
    rows = set(
        Listing.objects.filter(pk__in=ids).values_list(
            "market_id",
            "variant__product__slug",
            "variant__product__category__slug",
            "variant__product__category__parent__slug",
            "variant__product__category__parent__parent__slug",
        )
    )
    if len(rows) > FINE_GRAINED_LIMIT:
        catalog_changed()
        return
    keys: set[str] = {market_key(ANY_MARKET)}
    for market, product, *categories in rows:
        keys.add(market_key(market))
        keys.add(product_key(market, product))
        keys.update(category_key(market, slug) for slug in categories if slug)
    if keys:
        transaction.on_commit(lambda: cache.set_many({key: _token() for key in keys}, timeout=VERSION_TIMEOUT))
