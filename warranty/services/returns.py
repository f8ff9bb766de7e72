"""Returns within 30 days of delivery, without a reason (DOMAIN.md, After-sales).

The buyer picks units of one parcel (seller order); the return is authorised at once with a prepaid
label; the refund (the units' prices, shipping being free) is paid when the seller marks the parcel
received, or by itself 14 days after the label's carrier delivery if the seller does nothing. While
it is open the units' money is held from the seller's payout. Refunds go through the one refund
service (`orders.services.refunds.refund_issue`, key `refund-return-<id>`), so a return refunded
twice at once pays once. Events: `return.opened`, `return.refunded`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType
from marketplace.money import Money
from marketplace.transitions import audit_record, transition
from orders.models import OrderUnit, Payment, SellerOrder
from orders.services.holds import line_hold_place, line_hold_release
from orders.services.refunds import refund_issue
from orders.states import SellerOrderStatus
from warranty import notifications
from warranty.hooks import return_received
from warranty.models import Claim, Return, ReturnItem, Warranty
from warranty.payloads import return_data
from warranty.selectors import return_with_relations
from warranty.services.claims import Claimant
from warranty.services.labels import label_issue
from warranty.services.warranties import warranties_end_by_refund
from warranty.states import OPEN_CLAIM_STATUSES, RETURN_TRANSITIONS, ReturnReason, ReturnStatus

RETURNABLE = frozenset({SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED})


def _emit(ret: Return, event_type: EventType) -> None:
    fresh = return_with_relations(ret.pk)
    data = return_data(fresh)
    emit(event_type, data, fresh.seller)
    if fresh.partner_id is not None:
        emit(event_type, data, fresh.partner)


def _hold_source(ret: Return, line_id: int) -> str:
    return f"return-{ret.pk}-{line_id}"


def units_for_lines(*, seller_order: SellerOrder, lines: Sequence[tuple[int, int]]) -> list[OrderUnit]:
    """The units to return for `(order line id, quantity)` pairs (the partner API names lines, not units):
    the line's units not already being returned or under an open claim, lowest first. Errors name
    `lines[i].order_line` / `lines[i].quantity`. Raises VALIDATION, NOTHING_TO_RETURN."""
    errors: list[dict[str, str]] = []
    chosen: list[OrderUnit] = []
    known = set(seller_order.lines.values_list("pk", flat=True))
    seen: set[int] = set()
    for index, (line_id, quantity) in enumerate(lines):
        if line_id not in known:
            errors.append({"field": f"lines[{index}].order_line", "message": _("Not a line of this parcel.")})
            continue
        if line_id in seen:
            errors.append({"field": f"lines[{index}].order_line", "message": _("Named twice.")})
            continue
        seen.add(line_id)
        available = list(
            OrderUnit.objects.filter(line_id=line_id)
            .exclude(return_items__live=True)
            .exclude(warranty__claims__status__in=OPEN_CLAIM_STATUSES)
            .exclude(warranty__refunded_at__isnull=False)
            .order_by("pk")
        )
        if quantity > len(available):
            errors.append(
                {
                    "field": f"lines[{index}].quantity",
                    "message": _("Only %(count)d unit(s) of this line can be returned.") % {"count": len(available)},
                }
            )
            continue
        chosen.extend(available[:quantity])
    if errors:
        code = (
            ErrorCode.NOTHING_TO_RETURN
            if all(e["field"].endswith("quantity") for e in errors)
            else ErrorCode.VALIDATION
        )
        raise ApplicationError(code, " ".join(e["message"] for e in errors), errors=errors)
    return chosen


def return_open(
    *,
    seller_order: SellerOrder,
    units: Sequence[OrderUnit],
    reason: str,
    buyer: Claimant,
    actor: Actor,
    now: datetime | None = None,
) -> Return:
    """Open a return of `units` (of one parcel) and issue its prepaid label at once.

    Preconditions: the caller scoped `seller_order` to the buyer (a shopper's own order, a partner's own).
    Refused, nothing saved: no unit or a unit of another parcel (VALIDATION); the parcel not delivered
    (UNIT_NOT_DELIVERED); after the 30-day window (RETURN_WINDOW_CLOSED, with the date it ended); a unit
    already being returned, under an open claim, refunded or replaced (NOTHING_TO_RETURN).
    Side effects: the return (amount = the units' prices), its label, one payout hold per line,
    `return.opened`, e-mails to the buyer (with the label) and the seller after commit.
    """
    now = now or timezone.now()
    if reason not in ReturnReason.values:
        message = _("Choose a reason.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "reason", "message": message}])
    if not units:
        message = _("Choose at least one unit to return.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "units", "message": message}])
    if any(unit.line.seller_order_id != seller_order.pk for unit in units):
        message = _("Every unit must come from this parcel.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "units", "message": message}])
    market = seller_order.order.market
    if seller_order.status not in RETURNABLE:
        raise ApplicationError(
            ErrorCode.UNIT_NOT_DELIVERED, _("This parcel has not been delivered yet: it can be returned once it has.")
        )
    ends = seller_order.return_window_ends_at
    if ends is None or now > ends:
        raise ApplicationError(
            ErrorCode.RETURN_WINDOW_CLOSED,
            _("The 30-day return window of this parcel ended on %(date)s. A warranty claim remains possible.")
            % {"date": formats.date_format((ends or now).astimezone(ZoneInfo(market.time_zone)), "DATE_FORMAT")},
            extra={"return_window_ended_at": ends.isoformat() if ends else None},
        )
    with transaction.atomic():
        # Returns of one parcel queue on its row; a unit's one live return is also a partial unique index.
        SellerOrder.objects.select_for_update(of=("self",)).get(pk=seller_order.pk)
        unit_ids = [unit.pk for unit in units]
        _refuse_unavailable(unit_ids)
        ret = Return.objects.create(
            seller_order=seller_order,
            seller_id=seller_order.seller_id,
            shopper=buyer.shopper,
            partner=buyer.partner,
            market=market,
            reason=reason,
            amount=sum(unit.line.unit_price_amount for unit in units),
            currency=seller_order.currency,
            opened_at=now,
        )
        try:
            with transaction.atomic():
                ReturnItem.objects.bulk_create(
                    [
                        ReturnItem(ret=ret, line=unit.line, unit=unit, unit_price_amount=unit.line.unit_price_amount)
                        for unit in units
                    ]
                )
        except IntegrityError:
            raise ApplicationError(
                ErrorCode.NOTHING_TO_RETURN, _("One of these units is already being returned.")
            ) from None
        audit_record(
            obj=ret, actor=actor, from_status="", to_status=ReturnStatus.OPENED, reason=reason, organisation=ret.seller
        )
        label_issue(ret=ret)
        per_line: dict[int, list[OrderUnit]] = defaultdict(list)
        for unit in units:
            per_line[unit.line_id].append(unit)
        for line_units in per_line.values():
            line = line_units[0].line
            line_hold_place(line=line, units=len(line_units), source=_hold_source(ret, line.pk), actor=actor)
        _emit(ret, EventType.RETURN_OPENED)
        return_id = ret.pk
        transaction.on_commit(lambda: notifications.return_opened_notify_task.delay(return_id))
    return ret


def _refuse_unavailable(unit_ids: list[int]) -> None:
    returning = set(
        ReturnItem.objects.filter(unit_id__in=unit_ids, live=True).values_list("unit__identifier", flat=True)
    )
    claimed = set(
        Claim.objects.filter(warranty__unit_id__in=unit_ids, status__in=OPEN_CLAIM_STATUSES).values_list(
            "identifier", flat=True
        )
    )
    ended = set(
        Warranty.objects.filter(unit_id__in=unit_ids)
        .exclude(refunded_at__isnull=True, replaced_at__isnull=True)
        .values_list("identifier", flat=True)
    )
    errors = [
        {"field": "units", "message": _("%(unit)s is already being returned.") % {"unit": unit}}
        for unit in sorted(returning)
    ]
    errors += [
        {"field": "units", "message": _("%(unit)s has an open warranty claim: follow it there.") % {"unit": unit}}
        for unit in sorted(claimed)
    ]
    errors += [
        {"field": "units", "message": _("%(unit)s was already refunded or replaced.") % {"unit": unit}}
        for unit in sorted(ended)
    ]
    if errors:
        raise ApplicationError(ErrorCode.NOTHING_TO_RETURN, " ".join(e["message"] for e in errors), errors=errors)


def return_receive(*, ret: Return, actor: Actor, now: datetime | None = None) -> Return:
    """opened -> received -> refunded: the seller has the parcel; the refund is issued at once.
    Fires `warranty.hooks.return_received` with the units sent back (the workshop takes them in again).
    Raises INVALID_TRANSITION (409, naming the allowed moves) for a return not opened."""
    now = now or timezone.now()
    with transaction.atomic():
        received = transition(
            ret,
            to=ReturnStatus.RECEIVED,
            actor=actor,
            transitions=RETURN_TRANSITIONS,
            organisation=ret.seller,
            extra_updates={"received_at": now},
        )
        # The units are back with the seller: upper apps follow them (the workshop's board).
        return_received.fire(
            ret=received,
            units=list(
                OrderUnit.objects.filter(return_items__ret=received, return_items__live=True)
                .select_related("line__listing")
                .order_by("pk")
            ),
        )
        return _refund(received, actor=actor, now=now, automatically=False)


def _refund(ret: Return, *, actor: Actor, now: datetime, automatically: bool) -> Return:
    seller_order = SellerOrder.objects.get(pk=ret.seller_order_id)
    refund = refund_issue(
        payment=Payment.objects.get(order_id=seller_order.order_id),
        amount=Money(ret.amount, ret.currency),
        actor=actor,
        reason=f"return {ret.reference}",
        idempotency_key=f"refund-return-{ret.pk}",
        seller_order=seller_order,
    )
    refunded = transition(
        ret,
        to=ReturnStatus.REFUNDED,
        actor=actor,
        transitions=RETURN_TRANSITIONS,
        organisation=ret.seller,
        reason="14 days after the label's delivery" if automatically else "received",
        extra_updates={"refund": refund, "refunded_at": now, "refunded_automatically": automatically},
    )
    items = list(ReturnItem.objects.filter(ret=refunded, live=True).values_list("line_id", "unit_id"))
    warranties_end_by_refund(
        warranty_ids=list(
            Warranty.objects.filter(unit_id__in=[unit for _, unit in items]).values_list("pk", flat=True)
        ),
        now=now,
    )
    for line_id in sorted({line for line, _unit in items}):
        line_hold_release(source=_hold_source(refunded, line_id), actor=actor)
    _emit(refunded, EventType.RETURN_REFUNDED)
    return_id = refunded.pk
    transaction.on_commit(lambda: notifications.return_refunded_notify_task.delay(return_id))
    return refunded


def return_cancel(*, ret: Return, actor: Actor) -> Return:
    """opened -> cancelled: the buyer keeps the units after all; they may be returned again within the
    window, and their money is no longer held. Raises INVALID_TRANSITION."""
    with transaction.atomic():
        cancelled = transition(
            ret,
            to=ReturnStatus.CANCELLED,
            actor=actor,
            transitions=RETURN_TRANSITIONS,
            organisation=ret.seller,
            extra_updates={"cancelled_at": timezone.now()},
        )
        line_ids = sorted(set(ReturnItem.objects.filter(ret=cancelled).values_list("line_id", flat=True)))
        ReturnItem.objects.filter(ret=cancelled).update(live=False)
        for line_id in line_ids:
            line_hold_release(source=_hold_source(cancelled, line_id), actor=actor)
    return cancelled


def returns_refund_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Returns the seller did not mark received within 14 days of the label's delivery are refunded.
    Bounded, idempotent (the query filters on opened; each refund has its own key)."""
    now = now or timezone.now()
    actor = Actor.system("return refund deadline")
    count = 0
    for ret in (
        Return.objects.filter(status=ReturnStatus.OPENED, refund_due_at__lt=now)
        .select_related("seller")
        .order_by("refund_due_at")[:batch]
    ):
        try:
            with transaction.atomic():
                _refund(ret, actor=actor, now=now, automatically=True)
            count += 1
        except ApplicationError:
            continue  # moved meanwhile (received, cancelled)
    return count
