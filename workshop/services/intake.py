"""What the workshop learns from the floors below, inside their transactions (connected in `WorkshopConfig.ready`):

- `tradein.hooks.devices_routed`: a lot sold to a refurbisher; each routed device arrives on its board as
  a received unit with its identifier, its inspection (condition, battery, notes) and its share of the
  lot's price as its purchase cost (the lot's price split evenly, the remainder's minor units to the
  first devices; a lot in another currency than the workshop's leaves the cost at 0 to be entered).
- `warranty.hooks.return_received`: the seller marked a customer's return received; each unit sent back
  arrives as a new received unit (source: return) with the same identifier, carrying the cost it had
  when sold.
- `orders.hooks.seller_order_shipped`: the units shipped. An identifier naming one of the seller's active
  units must be a listed unit of that line's listing (it becomes sold, with its order unit); a listing
  with listed units ships them first (identifiers outside the workshop only for the rest of the line).
  Otherwise the shipment is refused (UNIT_NOT_LISTED), nothing saved.
These handlers never refuse a lot sale or a return: a device the seller already holds as an active unit
is left alone (noted in the audit trail).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation
from marketplace.transitions import audit_record
from orders.models import OrderUnit
from workshop.models import Unit
from workshop.selectors import listed_units_by_line
from workshop.services.identifiers import CheckedIdentifier
from workshop.services.setup import workshop_settings_for
from workshop.services.units import _receive, unit_move
from workshop.states import ACTIVE, TRANSITIONS, UnitSource, UnitStatus


def _holder(seller_id: int, identifier: str) -> tuple[Unit | None, Organisation | None]:
    """(the seller's own active unit, another seller holding it) for `identifier`."""
    own = Unit.objects.filter(seller_id=seller_id, identifier=identifier, status__in=ACTIVE).first()
    other = (
        Unit.objects.filter(identifier=identifier, status__in=ACTIVE)
        .exclude(seller_id=seller_id)
        .select_related("seller")
        .first()
    )
    return own, (other.seller if other else None)


def _skip(seller: Organisation, identifier: str, unit: Unit, actor: Actor, why: str) -> None:
    audit_record(obj=unit, actor=actor, from_status=unit.status, to_status=unit.status, reason=why, organisation=seller)


def units_from_routed_tradeins(*, lot: Any, buyer: Organisation, tradeins: Sequence[Any], **_kwargs: Any) -> None:
    """`tradein.hooks.devices_routed`'s handler (see the module's docstring)."""
    actor = Actor.system("trade-in routing")
    currency = workshop_settings_for(buyer).currency
    devices = sorted(tradeins, key=lambda tradein: tradein.pk)
    count = len(devices)
    price = lot.price_amount or 0
    share, remainder = divmod(price, count) if count else (0, 0)
    for index, tradein in enumerate(devices):
        inspection = tradein.inspection
        own, other = _holder(buyer.pk, inspection.identifier)
        if own is not None:
            _skip(buyer, inspection.identifier, own, actor, f"trade-in {tradein.reference} routed again: unit kept")
            continue
        cost = share + (1 if index < remainder else 0) if lot.currency == currency else 0
        notes = " · ".join(
            part
            for part in (
                _("Trade-in %(reference)s, lot %(lot)s") % {"reference": tradein.reference, "lot": lot.pk},
                _("inspected as %(condition)s") % {"condition": inspection.get_condition_display()},
                _("battery %(health)s %%") % {"health": inspection.battery_health} if inspection.battery_health else "",
                inspection.notes,
                ""
                if lot.currency == currency
                else _("bought in %(currency)s: enter the cost") % {"currency": lot.currency},
            )
            if part
        )
        unit = _receive(
            seller=buyer,
            actor=actor,
            checked=CheckedIdentifier(value=inspection.identifier, kind=inspection.identifier_kind, held_by=other),
            variant=tradein.variant,
            source=UnitSource.TRADEIN,
            purchase_amount=cost,
            notes=notes,
            reason=f"routed trade-in {tradein.reference}",
            tradein=tradein,
        )
        if inspection.battery_health is not None:
            Unit.objects.filter(pk=unit.pk).update(battery_health=inspection.battery_health)


def units_from_return(*, ret: Any, units: Sequence[OrderUnit], **_kwargs: Any) -> None:
    """`warranty.hooks.return_received`'s handler (see the module's docstring)."""
    actor = Actor.system("customer return")
    seller = ret.seller
    sold = {unit.order_unit_id: unit for unit in Unit.objects.filter(order_unit_id__in=[u.pk for u in units])}
    for order_unit in units:
        listing = order_unit.line.listing
        before = sold.get(order_unit.pk)
        if listing is None and before is None:
            continue  # nothing says which variant it is
        own, other = _holder(seller.pk, order_unit.identifier)
        if own is not None:
            _skip(seller, order_unit.identifier, own, actor, f"return {ret.reference}: unit already on the board")
            continue
        _receive(
            seller=seller,
            actor=actor,
            checked=CheckedIdentifier(value=order_unit.identifier, kind=order_unit.identifier_kind, held_by=other),
            variant=before.variant if before is not None else listing.variant,  # type: ignore[union-attr]
            source=UnitSource.RETURN,
            purchase_amount=before.total_cost.amount
            if before and before.currency == workshop_settings_for(seller).currency
            else 0,
            notes=_("Returned by the customer (%(reference)s, %(reason)s)")
            % {"reference": ret.reference, "reason": ret.get_reason_display()},
            reason=f"customer return {ret.reference}",
            returned_unit=order_unit,
        )


def units_shipped(*, seller_order: Any, units: Sequence[OrderUnit], **_kwargs: Any) -> None:
    """`orders.hooks.seller_order_shipped`'s handler (see the module's docstring)."""
    if not units:
        return
    actor = Actor.system("shipping")
    lines = {line.pk: line for line in seller_order.lines.all()}
    held = {
        unit.identifier: unit
        for unit in Unit.objects.select_for_update()
        .filter(seller_id=seller_order.seller_id, identifier__in=[u.identifier for u in units], status__in=ACTIVE)
        .order_by("pk")
    }
    listing_ids = {line.listing_id for line in lines.values() if line.listing_id}
    listed = dict(
        Unit.objects.filter(seller_id=seller_order.seller_id, status=UnitStatus.LISTED, listing_id__in=listing_ids)
        .order_by()
        .values_list("listing_id")
        .annotate(count=Count("pk"))
        .values_list("listing_id", "count")
    )
    by_line: dict[int, list[OrderUnit]] = defaultdict(list)
    for order_unit in units:
        by_line[order_unit.line_id].append(order_unit)
    errors: list[dict[str, str]] = []
    selling: list[tuple[Unit, OrderUnit]] = []
    for line_id, shipped in sorted(by_line.items()):
        line = lines[line_id]
        named = [order_unit for order_unit in shipped if order_unit.identifier in held]
        for order_unit in named:
            unit = held[order_unit.identifier]
            if unit.status != UnitStatus.LISTED or unit.listing_id != line.listing_id:
                errors.append(
                    {
                        "field": f"units.{line_id}",
                        "message": _(
                            "%(identifier)s is your unit %(reference)s (%(status)s), not listed on this offer."
                        )
                        % {
                            "identifier": unit.identifier,
                            "reference": unit.reference,
                            "status": unit.get_status_display(),
                        },
                    }
                )
            else:
                selling.append((unit, order_unit))
        outside = len(shipped) - len(named)
        listed_here = listed.get(line.listing_id, 0) if line.listing_id else 0
        if outside > max(0, line.quantity - listed_here):
            errors.append(
                {
                    "field": f"units.{line_id}",
                    "message": _("This offer's refurbished units ship first: pick %(count)s of its listed units.")
                    % {"count": min(line.quantity, listed_here)},
                }
            )
    if errors:
        raise ApplicationError(ErrorCode.UNIT_NOT_LISTED, " ".join(e["message"] for e in errors), errors=errors)
    now = timezone.now()
    for unit, order_unit in selling:
        unit_move(
            unit,
            to=UnitStatus.SOLD,
            actor=actor,
            table=TRANSITIONS,
            reason=f"shipped in order {seller_order.order.number}",
            extra={"order_unit": order_unit, "sold_at": now, "due_at": None},
        )


def shippable_units(*, seller_order: Any, **_kwargs: Any) -> dict[int, list[tuple[str, str]]]:
    """`orders.hooks.shippable_units`' answer: each line's listing's listed units, as (identifier, label)."""
    return {
        line_id: [(unit.identifier, f"{unit.identifier} · {unit.reference}") for unit in units]
        for line_id, units in listed_units_by_line(seller_order=seller_order).items()
    }
