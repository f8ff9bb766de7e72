"""Cart writes: add, change quantity, merge an anonymous cart into the account's at login."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import User
from orders.models import Cart, CartLine

MAX_QUANTITY_PER_LINE = 10


def cart_for_user(*, user: User) -> Cart:
    cart, _ = Cart.objects.get_or_create(user=user)
    return cart


def cart_add(*, cart: Cart, listing_id: int, quantity: int = 1) -> CartLine:
    """Add `quantity` units of a visible listing; the line's quantity never exceeds the stock.

    Raises OFFER_UNAVAILABLE when the listing is not on sale, OUT_OF_STOCK when the cart
    already holds all of it.
    """
    if quantity < 1:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "Quantity must be at least 1.",
            errors=[{"field": "quantity", "message": "At least 1."}],
        )
    listing = Listing.objects.visible().filter(pk=listing_id).first()
    if listing is None:
        raise ApplicationError(ErrorCode.OFFER_UNAVAILABLE, "This offer is no longer available.")
    limit = min(listing.stock, MAX_QUANTITY_PER_LINE)
    with transaction.atomic():
        line = CartLine.objects.select_for_update().filter(cart=cart, listing=listing).first()
        if line is None:
            try:
                with transaction.atomic():
                    line = CartLine.objects.create(
                        cart=cart,
                        listing=listing,
                        quantity=min(quantity, limit),
                        seen_price_amount=listing.price_amount,
                        currency=listing.currency,
                    )
            except IntegrityError:  # a double click: the other request created it
                line = CartLine.objects.select_for_update().get(cart=cart, listing=listing)
            else:
                Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
                return line
        if line.quantity >= limit:
            raise ApplicationError(ErrorCode.OUT_OF_STOCK, "Your cart already holds every unit of this offer.")
        line.quantity = min(line.quantity + quantity, limit)
        line.seen_price_amount = listing.price_amount
        line.save(update_fields=["quantity", "seen_price_amount"])
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return line


def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity (0 removes it), bounded by the listing's stock. Returns None when removed."""
    line = CartLine.objects.select_related("listing").filter(cart=cart, pk=line_id).first()
    if line is None:
        return None
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
    return target


def cart_clear(*, cart: Cart, listing_ids: list[int] | None = None) -> None:
    lines = CartLine.objects.filter(cart=cart)
    if listing_ids is not None:
        lines = lines.filter(listing_id__in=listing_ids)
    lines.delete()
