"""The cart's unit count in the storefront header: cached per cart owner, kept right by every cart write.

The header shows the count on every storefront page, so it costs no query: it is kept in the cache beside
the version of the cart it counts. An owner is an account (`u<id>`, its one cart) or an anonymous
session's cart (`c<id>`); a shopper who just logged in may hold both until the session's cart merges.
Every write to a cart (`orders.services.cart`) replaces its owner's version, at once and again when its
transaction commits, so the next page of any of the owner's sessions counts again: the cart changes
without the shopper's session too (the Stripe webhook or the expiry sweep put a declined or unpaid
order back in it, another device adds to the account's cart). The bump inside the transaction serves
the writer's own request and tests; the one after commit undoes a count read meanwhile from the rows
as they were before the commit.

A version is a fresh token, never a counter: an evicted key comes back as a new token, never as the
version an old count was stored under (the same rule as `catalog.versioning`).
"""

from __future__ import annotations

import functools
import operator
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum

from orders.models import Cart, CartLine

# The anonymous cart of a session (`orders.views.resolve_cart`).
CART_SESSION_KEY = "encore_cart_id"
# Long enough to outlive a shopping session; an expired key only costs one count.
TIMEOUT = 7 * 24 * 3600


def _owners(*, user_id: int | None, cart_id: int | None) -> list[str]:
    owners = [f"u{user_id}"] if user_id is not None else []
    if cart_id is not None:
        owners.append(f"c{cart_id}")
    return owners


def _version_key(owner: str) -> str:
    return f"orders:cart:{owner}:version"


def _token() -> str:
    return uuid.uuid4().hex[:12]


def cart_units(*, user_id: int | None, cart_id: int | None) -> int:
    """Units in the account's cart and in the anonymous cart `cart_id`, one query (no cache)."""
    conditions = [Q(cart__user_id=user_id)] if user_id is not None else []
    if cart_id is not None:
        conditions.append(Q(cart_id=cart_id, cart__user__isnull=True))
    if not conditions:
        return 0
    total = CartLine.objects.filter(functools.reduce(operator.or_, conditions)).aggregate(total=Sum("quantity"))[
        "total"
    ]
    return int(total or 0)


def cart_count_get(*, user_id: int | None, cart_id: int | None) -> int:
    """The header's count for an account and/or an anonymous session cart: from the cache when it was
    counted under the owners' current versions (one round trip), else counted (one query) and kept."""
    owners = _owners(user_id=user_id, cart_id=cart_id)
    if not owners:
        return 0
    count_key = f"orders:cart-count:{'+'.join(owners)}"
    version_keys = [_version_key(owner) for owner in owners]
    found = cache.get_many([count_key, *version_keys])
    versions = []
    for key in version_keys:
        if key not in found:
            cache.add(key, _token(), timeout=TIMEOUT)
            found[key] = cache.get(key) or _token()
        versions.append(str(found[key]))
    stored = found.get(count_key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == tuple(versions):
        return int(stored[1])
    # The versions are read before the rows: a write committed after this count replaces them again.
    count = cart_units(user_id=user_id, cart_id=cart_id)
    cache.set(count_key, (tuple(versions), count), timeout=TIMEOUT)
    return count


def cart_count_changed(*, cart: Cart) -> None:
    """`cart`'s lines changed (added, removed, merged, restored): its owner's header counts again.
    Call inside the writing transaction (or with none): the version changes now and on commit."""
    keys = [_version_key(owner) for owner in _owners(user_id=cart.user_id, cart_id=None if cart.user_id else cart.pk)]

    def bump() -> None:
        if len(keys) == 1:
            cache.set(keys[0], _token(), timeout=TIMEOUT)  # one key: a plain SET, no MULTI/EXEC pipeline
        else:
            cache.set_many({key: _token() for key in keys}, timeout=TIMEOUT)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)  # outside a transaction the write is already committed: once is enough
