"""Stock moves of orders: taken at placement, given back when an unpaid order closes or a seller order is cancelled.

Every move runs inside the caller's transaction and updates the listing rows in primary-key
order, the order in which every checkout locks them, so two moves touching the same listings
queue instead of deadlocking. The CHECK (stock >= 0) on catalog_listing is the last line of defence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from catalog.models import Listing
from catalog.states import ListingStatus
from catalog.versioning import listings_changed
from marketplace.errors import ApplicationError, ErrorCode
from orders.models import Order, OrderLine, SellerOrder

# What the shopper reads when an offer of the cart cannot be bought (the check before placement, and the take).
UNAVAILABLE_MESSAGES = {
    ErrorCode.OFFER_UNAVAILABLE: "An offer in your cart is no longer available.",
    ErrorCode.PRICE_CHANGED: "A price changed since you added it to your cart.",
    ErrorCode.OUT_OF_STOCK: "Not enough stock left for your cart.",
}


def stock_take(*, listings: Sequence[Listing], quantities: Mapping[int, int]) -> None:
    """Take `quantities[listing.pk]` units of each listing in one conditional UPDATE, rows locked in
    primary-key order.

    Preconditions: inside the placement's transaction; `listings` were read (without a lock) with
    the price the order was built with. `stock >= qty AND status = active AND price = that price`:
    a row that changed since it was read updates nothing, and this raises OFFER_UNAVAILABLE,
    PRICE_CHANGED or OUT_OF_STOCK, so the whole placement rolls back. The rows are locked first in
    primary-key order (a materialised `SELECT ... FOR UPDATE ORDER BY id`, which the UPDATE joins), the
    order every stock move takes them in, so two checkouts of the same offers queue instead of
    deadlocking; they stay locked until commit: call it last in the transaction. One round trip for
    the whole cart. Side effect: the storefront cache is dropped after commit when an offer sold out.
    """
    ordered = sorted(listings, key=lambda item: item.pk)
    ids = [listing.pk for listing in ordered]
    table = Listing._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH wanted (id, quantity, price) AS (
                SELECT * FROM unnest(%s::bigint[], %s::integer[], %s::bigint[])
            ),
            locked AS MATERIALIZED (
                SELECT id FROM {table} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE
            )
            UPDATE {table} AS l SET stock = l.stock - w.quantity, updated_at = %s
            FROM wanted w
            WHERE l.id = w.id AND l.id IN (SELECT id FROM locked)
              AND l.stock >= w.quantity AND l.status = %s AND l.price_amount = w.price
            RETURNING l.id, l.stock
            """,  # noqa: S608 - the table name from model meta, values bound
            [
                ids,
                [quantities[listing.pk] for listing in ordered],
                [listing.price_amount for listing in ordered],
                ids,
                timezone.now(),
                ListingStatus.ACTIVE,
            ],
        )
        taken = dict(cursor.fetchall())
    for listing in ordered:
        if listing.pk not in taken:
            _refuse(listing)
    listings_changed([pk for pk, stock in taken.items() if stock == 0])  # an offer may have left the storefront


def _refuse(listing: Listing) -> None:
    """Why a listing's units could not be taken, as the shopper reads it."""
    current = Listing.objects.filter(pk=listing.pk).values("stock", "status", "price_amount").first()
    if current is None or current["status"] != ListingStatus.ACTIVE:
        code, message = ErrorCode.OFFER_UNAVAILABLE, "This offer is no longer available."
    elif current["price_amount"] != listing.price_amount:
        code, message = ErrorCode.PRICE_CHANGED, "The price changed meanwhile."
    else:
        code, message = ErrorCode.OUT_OF_STOCK, f"Only {current['stock']} left in stock."
    raise ApplicationError(
        code, UNAVAILABLE_MESSAGES[code], errors=[{"field": f"listing:{listing.pk}", "message": message}]
    )


def stock_release(*, order: Order) -> None:
    """Give back the units an unpaid order reserved (it expired or its payment failed).

    Precondition: inside the transaction that closes the order. Side effect: the storefront cache
    is dropped after commit.
    """
    _give_back(OrderLine.objects.filter(seller_order__order=order, listing__isnull=False))


def stock_restock(*, seller_order: SellerOrder) -> None:
    """Put back on sale the units of a seller order cancelled before it left the seller.

    Precondition: inside the cancellation's transaction. Side effect: the storefront cache is
    dropped after commit.
    """
    _give_back(OrderLine.objects.filter(seller_order=seller_order, listing__isnull=False))


def _give_back(lines: QuerySet[OrderLine]) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for listing_id, quantity in lines.values_list("listing_id", "quantity"):
        quantities[listing_id] += quantity
    for listing_id in sorted(quantities):
        Listing.objects.filter(pk=listing_id).update(stock=F("stock") + quantities[listing_id])
    listings_changed(quantities)
