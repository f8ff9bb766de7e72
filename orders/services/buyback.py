"""Guaranteed buy-backs (forward trade-in): taken at checkout, claimed and released by trade-in.

The rules and the curves are in `orders/buyback.py`; this module writes the rows. Trade-in (floor 5)
calls `buyback_guarantee_claim` when the shopper redeems one (it starts a trade-in at the guaranteed
price) and `buyback_guarantee_release` when that trade-in falls through; orders never imports it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.transitions import audit_record
from orders.buyback import (
    GUARANTEE_MONTHS,
    LIVE_SELLER_ORDER_STATUSES,
    add_months,
    buyback_schedule,
    guaranteed_price,
)
from orders.models import BuybackGuarantee, BuybackGuaranteeStatus, Order, OrderLine, SellerOrder
from orders.selectors import root_category_slugs
from orders.states import OrderStatus


def buyback_guarantees_take(*, order: Order, lines: list[OrderLine], now: datetime | None = None) -> int:
    """One guarantee per unit of each line in `lines` (the buyer ticked it at checkout), its monthly
    prices fixed now from the price paid and the category's curve, redeemable for 24 months.

    Preconditions: inside the order's placement transaction; a storefront order with a buyer (a
    partner's customer has no account to redeem it from). Returns the number of guarantees taken."""
    if order.partner_id is not None or order.buyer_id is None:
        raise ApplicationError(ErrorCode.VALIDATION, "A guaranteed buy-back is for a shopper's own order.")
    now = now or timezone.now()
    roots = root_category_slugs(line.category_id_snapshot for line in lines)
    rows: list[BuybackGuarantee] = []
    for line in lines:
        curve = roots.get(line.category_id_snapshot or 0, "")
        schedule = [price.amount for price in buyback_schedule(line.unit_price, curve)]
        rows.extend(
            BuybackGuarantee(
                line=line,
                unit_number=number,
                currency=line.currency,
                price_paid_amount=line.unit_price_amount,
                schedule=schedule,
                curve=curve or "default",
                starts_at=now,
                ends_at=add_months(now, GUARANTEE_MONTHS),
            )
            for number in range(1, line.quantity + 1)
        )
    BuybackGuarantee.objects.bulk_create(rows)
    return len(rows)


def buyback_guarantee_claim(
    *, guarantee: BuybackGuarantee, reference: str, actor: Actor, now: datetime | None = None
) -> BuybackGuarantee:
    """Redeem a guarantee for the trade-in `reference`: one conditional UPDATE (active, within its 24
    months), so two redemptions at once end with one. Returns the guarantee, redeemed.

    Preconditions: the caller (trade-in) checked the unit's condition and owns the transaction that
    creates the trade-in. Raises INVALID_TRANSITION (redeemed already, order not paid or the unit
    refunded), QUOTE_EXPIRED (past its 24 months)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            BuybackGuarantee.objects.select_for_update(of=("self",))
            .select_related("line__seller_order__order")
            .get(pk=guarantee.pk)
        )
        seller_order: SellerOrder = locked.line.seller_order
        if seller_order.order.status != OrderStatus.PAID or seller_order.status not in LIVE_SELLER_ORDER_STATUSES:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                "This guaranteed buy-back no longer applies: its order was not paid, or this unit was cancelled or "
                "refunded.",
                extra={"status": "void", "allowed": []},
            )
        if guaranteed_price(locked.schedule, currency=locked.currency, starts_at=locked.starts_at, now=now) is None:
            raise ApplicationError(
                ErrorCode.QUOTE_EXPIRED,
                f"This guaranteed buy-back ended on {locked.ends_at:%Y-%m-%d}.",
                extra={"status": "expired", "allowed": []},
            )
        moved = BuybackGuarantee.objects.filter(pk=locked.pk, status=BuybackGuaranteeStatus.ACTIVE).update(
            status=BuybackGuaranteeStatus.REDEEMED, redemption_reference=reference[:12], redeemed_at=now
        )
        if moved != 1:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"This guaranteed buy-back was already redeemed (trade-in {locked.redemption_reference}).",
                extra={"status": BuybackGuaranteeStatus.REDEEMED, "allowed": []},
            )
        audit_record(obj=locked, actor=actor, from_status="active", to_status="redeemed", reason=reference)
        locked.refresh_from_db()
    return locked


def buyback_guarantee_release(*, reference: str, actor: Actor, reason: str) -> bool:
    """The trade-in `reference` that redeemed a guarantee fell through (not sent in time, or sent back):
    the guarantee is active again (redeemable until its end). True when one was released."""
    with transaction.atomic():
        guarantee = (
            BuybackGuarantee.objects.select_for_update()
            .filter(status=BuybackGuaranteeStatus.REDEEMED, redemption_reference=reference)
            .first()
        )
        if guarantee is None:
            return False
        BuybackGuarantee.objects.filter(pk=guarantee.pk).update(
            status=BuybackGuaranteeStatus.ACTIVE, redemption_reference="", redeemed_at=None
        )
        audit_record(obj=guarantee, actor=actor, from_status="redeemed", to_status="active", reason=reason)
    return True
