"""Payout holds: while a claim or a return is open on a line, that line's money stays out of the payout.

Orders never imports the apps above it: warranty calls `line_hold_place` when it opens a claim or a
return and `line_hold_release` when it closes it, each in its own transaction. A hold is the
seller's net share (the price less the seller order's commission share, as a refund computes it)
of the units concerned, booked from the seller's pending or payable account into `seller_held`;
payouts pay only the payable account. `source` names the claim or return and makes both calls
idempotent.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.transitions import audit_record
from orders.models import LineHold, OrderLine, SellerOrder
from orders.services import ledger
from orders.states import SellerOrderStatus

HOLDABLE = frozenset({SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED})


def line_hold_place(*, line: OrderLine, units: int, source: str, actor: Actor) -> LineHold | None:
    """Hold the seller's net share of `units` units of `line` until `line_hold_release(source=...)`.

    Preconditions: 1 <= units <= the line's quantity; `source` (<= 40 characters) names the claim or
    return. Joins the caller's transaction when there is one. Returns the hold, the
    existing one for `source`, or None when the seller order holds no money any more (cancelled or
    refunded). Side effects: a LineHold row, a `hold` journal, an audit row under the seller.
    """
    with transaction.atomic():
        return _place(line, units=max(1, min(units, line.quantity)), source=source, actor=actor)


def _place(line: OrderLine, *, units: int, source: str, actor: Actor) -> LineHold | None:
    existing = LineHold.objects.filter(source=source).first()
    if existing is not None:
        return existing
    seller_order = SellerOrder.objects.select_for_update().get(pk=line.seller_order_id)
    if seller_order.status not in HOLDABLE:
        return None
    gross = line.unit_price_amount * units
    amount = gross - ledger.commission_share(seller_order=seller_order, amount=gross)
    try:
        with transaction.atomic():
            hold = LineHold.objects.create(
                line=line,
                seller_order=seller_order,
                seller_id=seller_order.seller_id,
                source=source,
                units=units,
                amount=amount,
                currency=line.currency,
            )
    except IntegrityError:  # placed by a concurrent call for the same source
        return LineHold.objects.get(source=source)
    ledger.book_hold(seller_order=seller_order, amount=amount)
    audit_record(
        obj=hold, actor=actor, from_status="", to_status="held", reason=source, organisation=seller_order.seller
    )
    return hold


def line_hold_release(*, source: str, actor: Actor) -> LineHold | None:
    """Release the hold placed for `source` (its money goes back to the seller's pending or payable
    account). Idempotent: a released or missing hold changes nothing. Joins the caller's transaction."""
    with transaction.atomic():
        return _release(source=source, actor=actor)


def _release(*, source: str, actor: Actor) -> LineHold | None:
    hold = LineHold.objects.select_for_update().filter(source=source, released_at__isnull=True).first()
    if hold is None:
        return LineHold.objects.filter(source=source).first()
    seller_order = SellerOrder.objects.select_for_update().get(pk=hold.seller_order_id)
    LineHold.objects.filter(pk=hold.pk).update(released_at=timezone.now())
    ledger.book_hold(seller_order=seller_order, amount=hold.amount, release=True)
    audit_record(
        obj=hold, actor=actor, from_status="held", to_status="released", reason=source, organisation=seller_order.seller
    )
    hold.refresh_from_db()
    return hold
