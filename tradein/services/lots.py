"""Routing: devices the platform owns, wiped and paid for, are offered to refurbishers in lots (one
model and condition, one currency), to the best bid within 48 hours or at a fixed price (the first
refurbisher to take it), or sent to a recycler. The buyer pays through its seller ledger (the price
comes off its payable balance) and the platform ships the lot; each device arrives with its
identifier and inspection (routed, `routed_to` the buyer), on the buyer's board through
`tradein.hooks.devices_routed`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from catalog.services.standing import seller_assert_may_sell
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation, OrganisationKind
from marketplace.money import Money
from marketplace.transitions import audit_record, transition
from orders.services import ledger
from tradein import hooks, notifications, rules
from tradein.models import Bid, Lot, TradeIn
from tradein.selectors import lots_eligible_devices
from tradein.services.common import tradein_transition
from tradein.states import LOT_TRANSITIONS, LotStatus, Route, TradeInStatus


def lot_create(
    *,
    actor: Actor,
    product: Product,
    condition: str,
    currency: str,
    tradein_ids: Sequence[int] | None = None,
    fixed_price: Money | None = None,
    reserve: Money | None = None,
    hours: int = rules.LOT_BIDDING_HOURS,
) -> Lot:
    """Offer eligible devices (paid, wiped, in no lot) of one model, condition and currency as a lot.
    `tradein_ids` narrows the devices; without it, all eligible ones join. Raises VALIDATION."""
    if fixed_price is not None and (fixed_price.currency != currency or fixed_price.amount <= 0):
        raise ApplicationError(ErrorCode.VALIDATION, "A fixed price is positive, in the lot's currency.")
    with transaction.atomic():
        devices = (
            lots_eligible_devices()
            .select_for_update(of=("self",))
            .filter(product=product, inspection__condition=condition, currency=currency)
        )
        if tradein_ids is not None:
            devices = devices.filter(pk__in=list(tradein_ids))
        ids = list(devices.order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ApplicationError(ErrorCode.VALIDATION, "No device may join this lot (paid, wiped, in no lot).")
        now = timezone.now()
        lot = Lot.objects.create(
            product=product,
            condition=condition,
            currency=currency,
            fixed_price_amount=fixed_price.amount if fixed_price is not None else None,
            reserve_amount=reserve.amount if reserve is not None else 0,
            closes_at=now + timedelta(hours=hours),
            created_at=now,
            updated_at=now,
        )
        TradeIn.objects.filter(pk__in=ids).update(lot=lot, updated_at=now)
        audit_record(obj=lot, actor=actor, from_status="", to_status=LotStatus.OPEN, reason=f"{len(ids)} devices")
    return lot


def lots_create_from_stock(*, actor: Actor, hours: int = rules.LOT_BIDDING_HOURS) -> list[Lot]:
    """One lot per (model, condition, currency) of the eligible devices (the console's button)."""
    groups: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for pk, product_id, condition, currency in lots_eligible_devices().values_list(
        "pk", "product_id", "inspection__condition", "currency"
    ):
        groups[(product_id, condition, currency)].append(pk)
    products = Product.objects.in_bulk([key[0] for key in groups])
    return [
        lot_create(
            actor=actor,
            product=products[product_id],
            condition=condition,
            currency=currency,
            tradein_ids=ids,
            hours=hours,
        )
        for (product_id, condition, currency), ids in sorted(groups.items())
    ]


def _sell(lot: Lot, *, buyer: Organisation, price: Money, actor: Actor) -> Lot:
    """Under the lot's lock: sold to `buyer`, paid from its seller ledger, every device routed to it."""
    now = timezone.now()
    lot = transition(
        lot,
        to=LotStatus.SOLD,
        actor=actor,
        transitions=LOT_TRANSITIONS,
        organisation=buyer,
        reason=f"sold for {price}",
        extra_updates={"buyer": buyer, "price_amount": price.amount, "closed_at": now},
    )
    ledger.book_tradein_lot_sale(seller=buyer, amount=price)
    routed = [
        tradein_transition(
            device,
            to=TradeInStatus.ROUTED,
            actor=actor,
            reason=f"lot {lot.pk} sold to {buyer.name}",
            extra_updates={"route": Route.RESOLD, "routed_to": buyer, "routed_at": now},
        )
        for device in TradeIn.objects.filter(lot=lot, status=TradeInStatus.PAID).order_by("pk")
    ]
    # The devices arrive on the buyer's board (the workshop connects here; trade-in never imports it).
    hooks.devices_routed.fire(
        lot=lot,
        buyer=buyer,
        tradeins=list(
            TradeIn.objects.filter(pk__in=[device.pk for device in routed]).select_related("inspection", "variant")
        ),
    )
    pk = lot.pk
    transaction.on_commit(lambda: notifications.lot_sold_notify_task.delay(pk))
    return lot


def lot_bid(*, lot: Lot, seller: Organisation, amount: Money, actor: Actor) -> Bid | Lot:
    """A refurbisher bids on an open lot (a seller that may sell; the lot's currency; at least its
    reserve; raising its own bid only). On a fixed-price lot, a bid of the fixed price buys it at once
    (returns the sold lot). Raises LOT_CLOSED (409), BID_TOO_LOW, CURRENCY_MISMATCH, SELLER_NOT_SELLING."""
    if seller.kind != OrganisationKind.SELLER:
        raise ApplicationError(ErrorCode.PERMISSION_DENIED, "Only refurbishers buy lots.")
    seller_assert_may_sell(seller.pk)
    now = timezone.now()
    with transaction.atomic():
        locked = Lot.objects.select_for_update().get(pk=lot.pk)
        if locked.status != LotStatus.OPEN or locked.closes_at <= now:
            raise ApplicationError(
                ErrorCode.LOT_CLOSED,
                f"Lot {locked.pk} is closed for bids.",
                extra={"status": locked.status, "allowed": []},
            )
        if amount.currency != locked.currency:
            raise ApplicationError(
                ErrorCode.CURRENCY_MISMATCH,
                f"This lot is sold in {locked.currency}.",
                errors=[{"field": "price", "message": f"In {locked.currency}."}],
            )
        if locked.fixed_price_amount is not None:
            if amount.amount != locked.fixed_price_amount:
                raise ApplicationError(
                    ErrorCode.BID_TOO_LOW,
                    f"This lot sells at its fixed price, {locked.fixed_price}.",
                    errors=[{"field": "price", "message": f"Exactly {locked.fixed_price}."}],
                )
            return _sell(locked, buyer=seller, price=amount, actor=actor)
        if amount.amount < max(locked.reserve_amount, 1):
            raise ApplicationError(
                ErrorCode.BID_TOO_LOW,
                f"The lowest bid accepted is {locked.reserve}.",
                errors=[{"field": "price", "message": f"At least {locked.reserve}."}],
            )
        bid = Bid.objects.filter(lot=locked, seller=seller).first()
        if bid is not None:
            if amount.amount <= bid.amount:
                raise ApplicationError(
                    ErrorCode.BID_TOO_LOW,
                    f"Your bid is already {bid.money}: a new bid raises it.",
                    errors=[{"field": "price", "message": f"More than {bid.money}."}],
                )
            bid.amount, bid.updated_at = amount.amount, now
            bid.save(update_fields=["amount", "updated_at"])
        else:
            bid = Bid.objects.create(lot=locked, seller=seller, amount=amount.amount, currency=amount.currency)
        audit_record(obj=locked, actor=actor, from_status="", to_status="", organisation=seller, reason=f"bid {amount}")
    return bid


def lot_close(*, lot: Lot, actor: Actor) -> Lot:
    """Close a lot at the end of its 48 hours: the best bid (highest, then earliest) buys it; without a
    bid it closes unsold and its devices may join another lot or go to recycling."""
    with transaction.atomic():
        locked = Lot.objects.select_for_update().get(pk=lot.pk)
        if locked.status != LotStatus.OPEN:
            return locked
        best = locked.bids.select_related("seller").order_by("-amount", "created_at", "id").first()
        if best is not None:
            return _sell(locked, buyer=best.seller, price=best.money, actor=actor)
        locked = transition(
            locked,
            to=LotStatus.UNSOLD,
            actor=actor,
            transitions=LOT_TRANSITIONS,
            reason="no bid",
            extra_updates={"closed_at": timezone.now()},
        )
        TradeIn.objects.filter(lot=locked, status=TradeInStatus.PAID).update(lot=None)
    return locked


def lots_close_due(*, now: datetime | None = None, batch: int = rules.SWEEP_BATCH) -> int:
    """Open lots whose 48 hours are over are closed. Bounded, idempotent (open lots only)."""
    now = now or timezone.now()
    actor = Actor.system("lot bidding close")
    count = 0
    for lot in Lot.objects.filter(status=LotStatus.OPEN, closes_at__lte=now).order_by("closes_at")[:batch]:
        lot_close(lot=lot, actor=actor)
        count += 1
    return count


def tradein_recycle(*, tradein: TradeIn, actor: Actor) -> TradeIn:
    """paid -> routed to a recycler (a broken device nobody bought). It must be wiped first, and in no open lot."""
    if not hasattr(tradein, "certificate"):
        raise ApplicationError(ErrorCode.VALIDATION, "Wipe the device (and certify it) before it leaves for recycling.")
    if tradein.lot_id is not None:
        raise ApplicationError(ErrorCode.VALIDATION, "This device is in an open lot.")
    return tradein_transition(
        tradein,
        to=TradeInStatus.ROUTED,
        actor=actor,
        reason="sent to recycling",
        extra_updates={"route": Route.RECYCLED, "routed_at": timezone.now()},
    )
