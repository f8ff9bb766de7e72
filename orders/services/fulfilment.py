"""The seller side: accept, ship (with each unit's IMEI or serial), deliver, complete, cancel.

Every move goes through `marketplace.transitions.transition` (row lock, table check, audit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType
from marketplace.money import Money
from marketplace.transitions import transition
from orders import hooks, notifications
from orders.models import BlockedDevice, IdentifierKind, OrderLine, OrderUnit, Payment, SellerOrder
from orders.services import ledger
from orders.services.events import order_event_data
from orders.services.refunds import cancel_refund_key, goods_refunded, refund_issue
from orders.services.stock import stock_restock
from orders.states import CANCELLABLE, TRANSITIONS, CancelledBy, RefundStatus, SellerOrderStatus

SERIAL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{5,30}$")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum an IMEI's 15th digit carries."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def identifier_normalise(raw: str) -> tuple[str, IdentifierKind]:
    """An IMEI (15 digits, Luhn-checked) or a serial number (6-31 letters, digits, dashes), upper-cased.

    Raises INVALID_DEVICE_IDENTIFIER.
    """
    value = re.sub(r"\s+", "", raw or "").upper()
    if value.isdigit() and len(value) in (14, 15, 16, 17):
        if len(value) != 15 or not luhn_valid(value):
            raise ApplicationError(
                ErrorCode.INVALID_DEVICE_IDENTIFIER,
                f"{raw!r} is not a valid IMEI (15 digits with a correct check digit).",
            )
        return value, IdentifierKind.IMEI
    if not SERIAL_PATTERN.match(value):
        raise ApplicationError(ErrorCode.INVALID_DEVICE_IDENTIFIER, f"{raw!r} is not a valid IMEI or serial number.")
    return value, IdentifierKind.SERIAL


def seller_order_accept(*, seller_order: SellerOrder, actor: Actor) -> SellerOrder:
    """paid -> accepted: the seller commits to ship."""
    return transition(
        seller_order,
        to=SellerOrderStatus.ACCEPTED,
        actor=actor,
        transitions=TRANSITIONS,
        organisation=seller_order.seller,
        extra_updates={"accepted_at": timezone.now()},
    )


def seller_order_ship(
    *,
    seller_order: SellerOrder,
    actor: Actor,
    carrier: str,
    tracking_number: str,
    units: Mapping[int, Sequence[str]],
) -> SellerOrder:
    """accepted -> shipped, with the carrier, the tracking number and each unit's IMEI or serial.

    `units` maps order line id -> identifiers, exactly one per unit of the line. Every identifier
    is validated (Luhn for IMEIs), unique in the parcel and checked against the blocklist of
    reported-stolen devices. Fires `orders.hooks.seller_order_shipped` in the transaction (a handler
    may refuse the units: the workshop ships a listing's refurbished units only). Emits
    `order.shipped`; the shopper is e-mailed after commit.
    Raises VALIDATION, INVALID_DEVICE_IDENTIFIER, DEVICE_BLOCKLISTED, INVALID_TRANSITION.
    """
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    errors = []
    if not carrier:
        errors.append({"field": "carrier", "message": "Required."})
    if not tracking_number:
        errors.append({"field": "tracking_number", "message": "Required."})
    lines = list(OrderLine.objects.filter(seller_order=seller_order).order_by("pk"))
    normalised: list[tuple[OrderLine, str, IdentifierKind]] = []
    seen: set[str] = set()
    for line in lines:
        given = [value for value in units.get(line.pk, []) if str(value).strip()]
        if len(given) != line.quantity:
            errors.append(
                {"field": f"units.{line.pk}", "message": f"{line.quantity} IMEI or serial number(s) expected."}
            )
            continue
        for raw in given:
            try:
                identifier, kind = identifier_normalise(str(raw))
            except ApplicationError as exc:
                errors.append({"field": f"units.{line.pk}", "message": exc.message})
                continue
            if identifier in seen:
                errors.append({"field": f"units.{line.pk}", "message": f"{identifier} is given twice."})
            seen.add(identifier)
            normalised.append((line, identifier, kind))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The shipment is incomplete or invalid.", errors=errors)
    blocked = sorted(BlockedDevice.objects.filter(identifier__in=seen).values_list("identifier", flat=True))
    if blocked:
        raise ApplicationError(
            ErrorCode.DEVICE_BLOCKLISTED,
            f"Reported stolen, may not be shipped: {', '.join(blocked)}.",
            errors=[{"field": "units", "message": f"{identifier} is reported stolen."} for identifier in blocked],
        )
    with transaction.atomic():
        seller_order = transition(
            seller_order,
            to=SellerOrderStatus.SHIPPED,
            actor=actor,
            transitions=TRANSITIONS,
            organisation=seller_order.seller,
            extra_updates={
                "carrier": carrier[:60],
                "tracking_number": tracking_number[:60],
                "shipped_at": timezone.now(),
            },
        )
        shipped_units = OrderUnit.objects.bulk_create(
            [OrderUnit(line=line, identifier=identifier, identifier_kind=kind) for line, identifier, kind in normalised]
        )
        # Upper apps check and follow the units shipped (the workshop's listed units become sold).
        hooks.seller_order_shipped.fire(seller_order=seller_order, units=shipped_units)
        data = order_event_data(seller_order.order, seller_order)
        emit(EventType.ORDER_SHIPPED, data, seller_order.seller)
        if seller_order.order.partner_id:
            emit(EventType.ORDER_SHIPPED, data, seller_order.order.partner)
        pk = seller_order.pk
        transaction.on_commit(lambda: notifications.seller_order_shipped_notify_task.delay(pk))
    return seller_order


def seller_order_mark_delivered(
    *, seller_order: SellerOrder, actor: Actor, delivered_at: datetime | None = None
) -> SellerOrder:
    """shipped -> delivered (by the seller, a carrier scan through the API, or automatically).

    Fires `orders.hooks.seller_order_delivered` in the transaction (warranty gives each unit its
    warranty, starting on the delivery date): a handler that raises rolls the delivery back.
    Emits `order.delivered`; the shopper is e-mailed after commit. A `delivered_at` given by a
    seller (any actor but the platform's own jobs) lies between shipping and now: it starts the
    warranty and the 30-day return window, so it cannot be back-dated. Raises INVALID_TRANSITION,
    DELIVERY_TIME_OUT_OF_BOUNDS.
    """
    now = timezone.now()
    delivered_at = delivered_at or now

    def within_bounds(locked: SellerOrder, from_status: str) -> None:
        if actor.is_system:
            return
        if delivered_at > now or (locked.shipped_at is not None and delivered_at < locked.shipped_at):
            message = "The delivery time lies between the shipping time and now."
            raise ApplicationError(
                ErrorCode.DELIVERY_TIME_OUT_OF_BOUNDS, message, errors=[{"field": "delivered_at", "message": message}]
            )

    with transaction.atomic():
        seller_order = transition(
            seller_order,
            to=SellerOrderStatus.DELIVERED,
            actor=actor,
            transitions=TRANSITIONS,
            organisation=seller_order.seller,
            extra_updates={"delivered_at": delivered_at},
            then=within_bounds,
        )
        hooks.seller_order_delivered.fire(seller_order=seller_order)
        data = order_event_data(seller_order.order, seller_order)
        emit(EventType.ORDER_DELIVERED, data, seller_order.seller)
        if seller_order.order.partner_id:
            emit(EventType.ORDER_DELIVERED, data, seller_order.order.partner)
        pk = seller_order.pk
        transaction.on_commit(lambda: notifications.seller_order_delivered_notify_task.delay(pk))
    return seller_order


def seller_orders_auto_deliver(*, now: datetime | None = None, batch: int = 500) -> int:
    """Shipped parcels with no delivery news after ORDERS_AUTO_DELIVER_DAYS become delivered. Idempotent."""
    now = now or timezone.now()
    due = now - timedelta(days=settings.ORDERS_AUTO_DELIVER_DAYS)
    count = 0
    for seller_order in (
        SellerOrder.objects.filter(status=SellerOrderStatus.SHIPPED, shipped_at__lt=due)
        .select_related("order", "seller")
        .order_by("pk")[:batch]
    ):
        try:
            seller_order_mark_delivered(
                seller_order=seller_order, actor=Actor.system("auto delivery"), delivered_at=now
            )
            count += 1
        except ApplicationError:
            continue
    return count


def seller_order_complete(*, seller_order: SellerOrder, actor: Actor) -> SellerOrder:
    """delivered -> completed when the return window is over: the seller's net becomes payable."""
    with transaction.atomic():
        seller_order = transition(
            seller_order,
            to=SellerOrderStatus.COMPLETED,
            actor=actor,
            transitions=TRANSITIONS,
            organisation=seller_order.seller,
            extra_updates={"completed_at": timezone.now()},
        )
        ledger.book_release(seller_order=seller_order)
    return seller_order


def seller_orders_complete_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Delivered seller orders past ORDERS_RETURN_WINDOW_DAYS complete (money payable). Idempotent, batched."""
    now = now or timezone.now()
    due = now - timedelta(days=settings.ORDERS_RETURN_WINDOW_DAYS)
    count = 0
    for seller_order in (
        # The window runs from delivery, and never ends before 30 days after shipping either: a delivery
        # time written around `seller_order_mark_delivered` (which keeps it between shipping and now)
        # cannot buy an early payout.
        SellerOrder.objects.filter(status=SellerOrderStatus.DELIVERED, delivered_at__lt=due, shipped_at__lt=due)
        .select_related("seller")
        .order_by("pk")[:batch]
    ):
        try:
            seller_order_complete(seller_order=seller_order, actor=Actor.system("return window over"))
            count += 1
        except ApplicationError:
            continue
    return count


def seller_order_cancel(*, seller_order: SellerOrder, actor: Actor, by: CancelledBy, reason: str = "") -> SellerOrder:
    """paid | accepted -> cancelled, by the shopper or the seller (counts against its quality) or the platform.

    The seller order's amount is refunded (`refund_issue`, key `refund-cancel-<id>`) and the units go
    back to stock. Emits `order.cancelled` to the seller (and the partner of a partner order); the
    shopper and the seller are e-mailed after commit. Raises INVALID_TRANSITION once it has shipped.
    """
    if seller_order.status not in CANCELLABLE:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION, "This order can no longer be cancelled: it has left the seller."
        )
    with transaction.atomic():
        seller_order = transition(
            seller_order,
            to=SellerOrderStatus.CANCELLED,
            actor=actor,
            transitions=TRANSITIONS,
            organisation=seller_order.seller,
            reason=reason or f"cancelled by {by}",
            extra_updates={"cancelled_at": timezone.now(), "cancelled_by": by, "cancel_reason": reason[:300]},
        )
        payment = Payment.objects.get(order_id=seller_order.order_id)
        refund_issue(
            payment=payment,
            amount=Money(seller_order.subtotal_amount, seller_order.currency),
            actor=actor,
            reason=f"seller order {seller_order.pk} cancelled by {by}",
            idempotency_key=cancel_refund_key(seller_order.pk),
            seller_order=seller_order,
        )
        stock_restock(seller_order=seller_order)
        data = {**order_event_data(seller_order.order, seller_order), "cancelled_by": by}
        emit(EventType.ORDER_CANCELLED, data, seller_order.seller)
        if seller_order.order.partner_id:
            emit(EventType.ORDER_CANCELLED, data, seller_order.order.partner)
        pk = seller_order.pk
        transaction.on_commit(lambda: notifications.seller_order_cancelled_notify_task.delay(pk))
    return seller_order


def seller_order_refund(*, seller_order: SellerOrder, actor: Actor, reason: str) -> SellerOrder:
    """delivered | completed -> refunded: what is left of the seller order's amount goes back to the buyer.

    Through `refund_issue` (key `refund-rest-<id>`), never beyond what was captured; the seller's share
    is clawed back from its pending or payable balance, and the refund moves the seller order to
    refunded. The units do not go back to stock. Raises INVALID_TRANSITION when it is not delivered
    or completed (a second call finds it refunded).
    """
    with transaction.atomic():
        locked = SellerOrder.objects.select_for_update().get(pk=seller_order.pk)
        if locked.status not in (SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED):
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"seller order cannot go from {locked.status} to refunded.",
                extra={
                    "from": locked.status,
                    "to": SellerOrderStatus.REFUNDED,
                    "allowed": sorted(TRANSITIONS[locked.status]),
                },
            )
        already = goods_refunded(locked.refunds.exclude(status=RefundStatus.FAILED))
        remaining = locked.subtotal_amount - already
        if remaining > 0:
            refund_issue(
                payment=Payment.objects.get(order_id=locked.order_id),
                amount=Money(remaining, locked.currency),
                actor=actor,
                reason=reason or f"seller order {locked.pk} refunded",
                idempotency_key=f"refund-rest-{locked.pk}",
                seller_order=locked,
            )
        else:
            transition(
                locked,
                to=SellerOrderStatus.REFUNDED,
                actor=actor,
                transitions=TRANSITIONS,
                organisation=locked.seller,
                reason=reason,
            )
    return SellerOrder.objects.get(pk=seller_order.pk)
