"""Cart writes: add, change quantity, merge an anonymous cart into the account's at login.

Every write that changes a cart's lines calls `cart_count_changed` (`orders.cart_count`): the header's
count of that cart is counted again on its owner's next page, whichever request made the change."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import User
from orders.cart_count import cart_count_changed
from orders.models import Cart, CartLine, Order, OrderLine

MAX_QUANTITY_PER_LINE = 10


def cart_for_user(*, user: User) -> Cart:
    """The account's cart, created on first use (one per user: a unique column)."""
    cart, _ = Cart.objects.get_or_create(user=user)
    return cart


def cart_add(*, cart: Cart, listing_id: int, quantity: int = 1) -> int:
    """Add `quantity` units of a visible listing; the line's quantity never exceeds the stock (nor 10).

    One upsert (INSERT ... ON CONFLICT DO UPDATE), so a double click cannot make two lines.
    Returns the line's quantity. Raises OFFER_UNAVAILABLE when the listing is not on sale,
    OUT_OF_STOCK when the cart already holds all of it.
    """
    added = _add(cart_sql="SELECT %s::bigint", cart_params=[cart.pk], listing_id=listing_id, quantity=quantity)
    if added is None:
        raise RuntimeError("cart_add() needs a saved cart")
    return _added(cart, *added)


def cart_add_for_user(*, user: User, listing_id: int, quantity: int = 1) -> int:
    """`cart_add` to the account's cart, found by its user inside the same statement (no read of the cart
    first); the cart is created on the account's first add."""
    table = Cart._meta.db_table
    added = _add(
        cart_sql=f"SELECT id FROM {table} WHERE user_id = %s",  # noqa: S608 - the table name from model meta
        cart_params=[user.pk],
        listing_id=listing_id,
        quantity=quantity,
    )
    if added is None:  # no cart yet
        return cart_add(cart=cart_for_user(user=user), listing_id=listing_id, quantity=quantity)
    cart_id, *rest = added
    return _added(Cart(pk=cart_id, user=user), cart_id, *rest)


def _add(*, cart_sql: str, cart_params: list[int], listing_id: int, quantity: int) -> tuple[int, ...] | None:
    """The add's one statement, its cart given by `cart_sql` (one row with the cart's id, or none): the
    cart's id, the most the line may hold, its quantity now and before; None when there is no cart."""
    if quantity < 1:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "Quantity must be at least 1.",
            errors=[{"field": "quantity", "message": "At least 1."}],
        )
    # One statement: the offer read as the storefront shows it (`visible()`), the line as it was before
    # (so "already full" is told apart from "added"), and the upsert, capped by the stock (and 10).
    try:
        offer_sql, offer_params = (
            Listing.objects.visible()
            .filter(pk=listing_id)
            .values("pk", "stock", "price_amount", "currency")
            .query.sql_with_params()
        )
    except EmptyResultSet:  # an id no listing can have (out of the column's range)
        raise ApplicationError(ErrorCode.OFFER_UNAVAILABLE, "This offer is no longer available.") from None
    table = CartLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH cart (id) AS ({cart_sql}),
            offer (id, stock, price_amount, currency) AS ({offer_sql}),
            prior AS (SELECT quantity FROM {table} WHERE cart_id = (SELECT id FROM cart) AND listing_id = %s),
            added AS (
                INSERT INTO {table} (cart_id, listing_id, quantity, seen_price_amount, currency, added_at)
                SELECT cart.id, offer.id, LEAST(%s, offer.stock, %s), offer.price_amount, offer.currency, %s
                FROM offer, cart
                ON CONFLICT (cart_id, listing_id) DO UPDATE
                    SET quantity = LEAST({table}.quantity + EXCLUDED.quantity, (SELECT LEAST(stock, %s) FROM offer)),
                        seen_price_amount = EXCLUDED.seen_price_amount, currency = EXCLUDED.currency
                RETURNING quantity
            )
            SELECT (SELECT id FROM cart), (SELECT LEAST(stock, %s) FROM offer), (SELECT quantity FROM added),
                   (SELECT quantity FROM prior)
            """,  # noqa: S608 - the table name comes from model meta, the SQL from the ORM; values bound
            [
                *cart_params,
                *offer_params,
                listing_id,
                quantity,
                MAX_QUANTITY_PER_LINE,
                timezone.now(),
                MAX_QUANTITY_PER_LINE,
                MAX_QUANTITY_PER_LINE,
            ],
        )
        row = cursor.fetchone()
    return None if row[0] is None else tuple(row)


def _added(cart: Cart, cart_id: int, limit: int | None, new_quantity: int | None, prior_quantity: int | None) -> int:
    if limit is None:
        raise ApplicationError(ErrorCode.OFFER_UNAVAILABLE, "This offer is no longer available.")
    cart_count_changed(cart=cart)
    if prior_quantity is not None and prior_quantity >= limit:
        raise ApplicationError(ErrorCode.OUT_OF_STOCK, "Your cart already holds every unit of this offer.")
    return int(new_quantity or 0)


def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity (0 removes it), bounded by the listing's stock. Returns None when removed."""
    line = CartLine.objects.select_related("listing").filter(cart=cart, pk=line_id).first()
    if line is None:
        return None
    cart_count_changed(cart=cart)
    if quantity <= 0:
        line.delete()
        return None
    line.quantity = max(1, min(quantity, line.listing.stock or 1, MAX_QUANTITY_PER_LINE))
    line.save(update_fields=["quantity"])
    return line


def cart_accept_prices(*, cart: Cart) -> None:
    """The shopper saw the new prices: remember them as seen."""
    for line in CartLine.objects.filter(cart=cart).select_related("listing"):
        if line.seen_price_amount != line.listing.price_amount:
            line.seen_price_amount = line.listing.price_amount
            line.currency = line.listing.currency
            line.save(update_fields=["seen_price_amount", "currency"])


def cart_merge(*, source: Cart, target: Cart) -> Cart:
    """Move an anonymous cart's lines into the account's cart (quantities add up, within stock) and drop it."""
    if source.pk == target.pk:
        return target
    with transaction.atomic():
        existing = {line.listing_id: line for line in CartLine.objects.select_for_update().filter(cart=target)}
        for line in CartLine.objects.filter(cart=source).select_related("listing"):
            limit = max(1, min(line.listing.stock, MAX_QUANTITY_PER_LINE))
            if line.listing_id in existing:
                CartLine.objects.filter(pk=existing[line.listing_id].pk).update(
                    quantity=min(existing[line.listing_id].quantity + line.quantity, limit)
                )
            else:
                CartLine.objects.filter(pk=line.pk).update(cart=target)
        source.delete()
        cart_count_changed(cart=source)
        cart_count_changed(cart=target)
    return target


def cart_clear(*, cart: Cart, listing_ids: list[int] | None = None) -> None:
    """Remove the cart's lines of `listing_ids` (the ones just ordered), or every line."""
    lines = CartLine.objects.filter(cart=cart)
    if listing_ids is not None:
        lines = lines.filter(listing_id__in=listing_ids)
    lines.delete()
    cart_count_changed(cart=cart)


def cart_restore_order(*, order: Order) -> int:
    """Put an unpaid order's lines back in its buyer's cart (a declined or abandoned payment keeps the
    cart, so paying again is one click). Quantities add to what the cart holds, at most 10 per line;
    the price the shopper saw is the order's, so a change since shows plainly. A partner's order
    (no buyer) has no cart. Returns the number of lines restored. Joins the caller's transaction."""
    if order.buyer_id is None:
        return 0
    cart, _ = Cart.objects.get_or_create(user_id=order.buyer_id)
    lines = list(
        OrderLine.objects.filter(seller_order__order=order, listing__isnull=False).values_list(
            "listing_id", "quantity", "unit_price_amount", "currency"
        )
    )
    if not lines:
        return 0
    table = CartLine._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        for listing_id, quantity, price, currency in sorted(lines):
            cursor.execute(
                f"""
                INSERT INTO {table} (cart_id, listing_id, quantity, seen_price_amount, currency, added_at)
                VALUES (%s, %s, LEAST(%s, %s), %s, %s, %s)
                ON CONFLICT (cart_id, listing_id) DO UPDATE
                    SET quantity = LEAST({table}.quantity + EXCLUDED.quantity, %s)
                """,  # noqa: S608 - the table name comes from model meta; values are bound
                [cart.pk, listing_id, quantity, MAX_QUANTITY_PER_LINE, price, currency, now, MAX_QUANTITY_PER_LINE],
            )
    Cart.objects.filter(pk=cart.pk).update(updated_at=now)
    cart_count_changed(cart=cart)
    return len(lines)


def carts_purge_abandoned(*, older_than_days: int = 30) -> int:
    """Delete anonymous carts (their session is long gone) older than `older_than_days`. Set-based, idempotent."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Cart.objects.filter(user__isnull=True, created_at__lt=cutoff).delete()
    return deleted


def cart_follow_market(*, cart: Cart, market_code: str) -> int:
    """The shopper switched market: each line of another market becomes the same variant in the same grade
    in this one (its cheapest visible offer), the quantity kept within stock and the price seen set to the
    new one (the currency changed). A line with no such offer here stays as it is: the cart says why and
    offers to remove it. Lines for an offer already in the cart add up. Returns the lines moved."""
    with transaction.atomic():
        lines = list(
            CartLine.objects.select_for_update(of=("self",))
            .filter(cart=cart)
            .select_related("listing")
            .order_by("added_at", "id")
        )
        away = [line for line in lines if line.listing.market_id != market_code]
        if not away:
            return 0
        wanted = {(line.listing.variant_id, line.listing.grade_id) for line in away}
        here: dict[tuple[int, str], Listing] = {}
        candidates = (
            Listing.objects.visible()
            .filter(market_id=market_code, variant_id__in={variant for variant, _ in wanted})
            .order_by("price_amount", "id")
        )
        for listing in candidates:
            here.setdefault((listing.variant_id, listing.grade_id), listing)
        present = {line.listing_id: line for line in lines if line.listing.market_id == market_code}
        moved = 0
        for line in away:
            found = here.get((line.listing.variant_id, line.listing.grade_id))
            if found is None:
                continue
            listing = found
            limit = max(1, min(listing.stock, MAX_QUANTITY_PER_LINE))
            if listing.pk in present:
                kept = present[listing.pk]
                kept.quantity = min(kept.quantity + line.quantity, limit)
                kept.save(update_fields=["quantity"])
                line.delete()
            else:
                line.listing = listing
                line.quantity = min(line.quantity, limit)
                line.seen_price_amount = listing.price_amount
                line.currency = listing.currency
                line.save(update_fields=["listing", "quantity", "seen_price_amount", "currency"])
                present[listing.pk] = line
            moved += 1
        if moved:
            cart_count_changed(cart=cart)
        return moved
