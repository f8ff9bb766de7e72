"""Units: taken in (by hand, by the API, by import, routed from trade-in, sent back by a customer), edited,
and moved on the board through the transition table (`workshop/states.py`), every move audited.

A unit's `due_at` is when its current status becomes overdue: the status's business days
(`DUE_BUSINESS_DAYS`) after the move, on the seller's home market's calendar; listed and final units
have none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing, Variant
from catalog.services.listings import listing_update
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.calendar import add_business_days
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market, Organisation
from marketplace.money import Money
from marketplace.transitions import audit_record, transition
from workshop.imports import UnitRow, row_error, rows_summary
from workshop.models import Technician, Unit
from workshop.selectors import seller_home_market
from workshop.services.assignment import unit_assign, unit_assign_by_rules
from workshop.services.flags import flag_record
from workshop.services.identifiers import CheckedIdentifier, identifier_check
from workshop.services.setup import workshop_settings_for
from workshop.states import (
    ACTIVE,
    DUE_BUSINESS_DAYS,
    SELLER_MOVES,
    TRANSITIONS,
    FlagReason,
    UnitSource,
    UnitStatus,
)

# A bound on any one money amount of a unit (a cost, a part): 10 billion minor units, far past any device.
MAX_COST_AMOUNT = 10_000_000_000


def due_at(status: str, *, market: Market, now: datetime) -> datetime | None:
    """When a unit that entered `status` at `now` becomes overdue (None: never)."""
    days = DUE_BUSINESS_DAYS.get(status)
    if days is None:
        return None
    return add_business_days(now, days, time_zone=market.time_zone, market_code=market.code)


def _error(code: ErrorCode, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, errors=[{"field": field, "message": message}])


def unit_move(
    unit: Unit,
    *,
    to: str,
    actor: Actor,
    reason: str = "",
    table: Mapping[str, frozenset[str]] = TRANSITIONS,
    extra: Mapping[str, object] | None = None,
    then: Callable[[Unit, str], None] | None = None,
) -> Unit:
    """The one way a unit's status changes: `marketplace.transitions.transition` (row lock, the table,
    the audit row), with the time it entered the status and when that becomes overdue."""
    now = timezone.now()
    market = seller_home_market(unit.seller)
    updates: dict[str, object] = {
        "status_changed_at": now,
        "due_at": due_at(to, market=market, now=now),
        **(extra or {}),
    }
    return transition(
        unit,
        to=to,
        actor=actor,
        transitions=table,
        reason=reason,
        organisation=unit.seller,
        extra_updates=updates,
        then=then,
        related=("seller",),
    )


# --- intake --------------------------------------------------------------------------------------------
def _receive(
    *,
    seller: Organisation,
    actor: Actor,
    checked: CheckedIdentifier,
    variant: Variant,
    source: str,
    purchase_amount: int,
    notes: str = "",
    technician: Technician | None = None,
    received_at: datetime | None = None,
    reason: str = "",
    **links: Any,
) -> Unit:
    """Create one received unit in the caller's transaction: audit, assignment, and the flag when another
    seller holds the identifier. Raises UNIT_ALREADY_HELD when a concurrent intake took the identifier."""
    settings_row = workshop_settings_for(seller)
    market = seller_home_market(seller)
    now = timezone.now()
    received = received_at or now
    unit = Unit(
        seller=seller,
        identifier=checked.value,
        identifier_kind=checked.kind,
        variant=variant,
        source=source,
        currency=settings_row.currency,
        purchase_amount=purchase_amount,
        notes=notes[:2000],
        received_at=received,
        status_changed_at=received,
        due_at=due_at(UnitStatus.RECEIVED, market=market, now=received),
        created_at=now,
        updated_at=now,
        **links,
    )
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:
        if "unit_active_identifier_once" in str(error):
            raise _error(
                ErrorCode.UNIT_ALREADY_HELD,
                "identifier",
                _("You already hold %(identifier)s as an active unit.") % {"identifier": checked.value},
            ) from None
        raise
    audit_record(
        obj=unit,
        actor=actor,
        from_status="",
        to_status=UnitStatus.RECEIVED,
        reason=reason or f"received ({source})",
        organisation=seller,
    )
    if technician is not None:
        unit_assign(unit=unit, actor=actor, technician=technician)
    else:
        unit_assign_by_rules(unit=unit, actor=actor, now=now)
    if checked.held_by is not None:
        flag_record(
            seller=seller,
            identifier=checked.value,
            reason=FlagReason.HELD_BY_ANOTHER_SELLER,
            unit=unit,
            other_seller=checked.held_by,
        )
    return unit


def unit_create(
    *,
    seller: Organisation,
    actor: Actor,
    identifier: str,
    variant: Variant,
    source: str = UnitSource.PURCHASE,
    purchase_amount: int = 0,
    notes: str = "",
    technician: Technician | None = None,
    received_at: datetime | None = None,
) -> Unit:
    """Take a device in: a received unit on the seller's board, assigned by the rules unless a technician
    is given. Raises INVALID_DEVICE_IDENTIFIER, DEVICE_BLOCKLISTED (reported to success managers),
    UNIT_ALREADY_HELD, VALIDATION. An identifier another seller holds is accepted and flagged to success
    managers, never revealed."""
    if source not in UnitSource.values:
        raise _error(ErrorCode.VALIDATION, "source", _("Use purchase, tradein or return."))
    if purchase_amount < 0:
        raise _error(ErrorCode.VALIDATION, "cost", _("A cost cannot be negative."))
    if technician is not None and technician.seller_id != seller.pk:
        raise _error(ErrorCode.VALIDATION, "technician", _("Choose one of your technicians."))
    checked = identifier_check(seller=seller, raw=identifier)
    with transaction.atomic():
        return _receive(
            seller=seller,
            actor=actor,
            checked=checked,
            variant=variant,
            source=source,
            purchase_amount=purchase_amount,
            notes=notes,
            technician=technician,
            received_at=received_at,
        )


# --- edits ---------------------------------------------------------------------------------------------
EDITABLE = frozenset({"identifier", "variant", "purchase_amount", "notes", "technician"})
NOT_ONCE_LISTED = frozenset({"identifier", "variant"})


def unit_update(*, unit: Unit, actor: Actor, **changes: Any) -> Unit:
    """Correct a unit: its identifier and variant (not once it is listed or has left the workshop), its
    purchase cost, notes, or technician (None: unassigned). Raises VALIDATION, UNIT_ALREADY_HELD,
    INVALID_DEVICE_IDENTIFIER, DEVICE_BLOCKLISTED, INVALID_TRANSITION. Audited (the fields changed)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        field = sorted(unknown)[0]
        raise _error(ErrorCode.VALIDATION, field, _("This field cannot be changed."))
    fixed = NOT_ONCE_LISTED & set(changes)
    if fixed and unit.status not in ACTIVE - {UnitStatus.LISTED}:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("A listed unit, or one that left the workshop, keeps its identifier and variant."),
            errors=[{"field": name, "message": _("Fixed once listed.")} for name in sorted(fixed)],
            extra={"from": unit.status, "allowed": []},
        )
    checked: CheckedIdentifier | None = None
    if "identifier" in changes:
        checked = identifier_check(seller=unit.seller, raw=str(changes["identifier"]), exclude_unit_id=unit.pk)
    if "purchase_amount" in changes and int(changes["purchase_amount"]) < 0:
        raise _error(ErrorCode.VALIDATION, "cost", _("A cost cannot be negative."))
    technician_given = "technician" in changes
    technician = changes.pop("technician", None)
    with transaction.atomic():
        locked = Unit.objects.select_for_update(of=("self",)).select_related("seller").get(pk=unit.pk)
        update_fields: list[str] = []
        if checked is not None and checked.value != locked.identifier:
            locked.identifier, locked.identifier_kind = checked.value, checked.kind
            update_fields += ["identifier", "identifier_kind"]
        if "variant" in changes and changes["variant"].pk != locked.variant_id:
            locked.variant = changes["variant"]
            update_fields.append("variant")
        if "purchase_amount" in changes and int(changes["purchase_amount"]) != locked.purchase_amount:
            locked.purchase_amount = int(changes["purchase_amount"])
            update_fields.append("purchase_amount")
        if "notes" in changes and str(changes["notes"]) != locked.notes:
            locked.notes = str(changes["notes"])[:2000]
            update_fields.append("notes")
        if update_fields:
            locked.updated_at = timezone.now()
            try:
                with transaction.atomic():
                    locked.save(update_fields=[*update_fields, "updated_at"])
            except IntegrityError:
                raise _error(
                    ErrorCode.UNIT_ALREADY_HELD, "identifier", _("You already hold this identifier as an active unit.")
                ) from None
            audit_record(
                obj=locked,
                actor=actor,
                from_status=locked.status,
                to_status=locked.status,
                reason="changed: " + ", ".join(sorted(set(update_fields) - {"identifier_kind"})),
                organisation=locked.seller,
            )
            if checked is not None and checked.held_by is not None and "identifier" in update_fields:
                flag_record(
                    seller=locked.seller,
                    identifier=checked.value,
                    reason=FlagReason.HELD_BY_ANOTHER_SELLER,
                    unit=locked,
                    other_seller=checked.held_by,
                )
        if technician_given:
            locked = unit_assign(unit=locked, actor=actor, technician=technician)
    return Unit.objects.select_related("seller").get(pk=unit.pk)


# --- moves ---------------------------------------------------------------------------------------------
def _withdraw_from_listing(actor: Actor) -> Callable[[Unit, str], None]:
    """listed -> ready: the unit leaves its listing, whose stock goes down by one under the listing's lock.
    A listing whose whole stock is in orders waiting to ship cannot give the unit back."""

    def withdraw(locked: Unit, from_status: str) -> None:
        if from_status != UnitStatus.LISTED or locked.listing_id is None:
            return
        listing = Listing.objects.select_for_update().get(pk=locked.listing_id)
        if listing.status != ListingStatus.DEACTIVATED:
            if listing.stock < 1:
                raise ApplicationError(
                    ErrorCode.INVALID_TRANSITION,
                    _("All of this listing's stock is sold and waiting to ship: ship this unit instead."),
                    extra={"from": from_status, "to": UnitStatus.READY, "allowed": []},
                )
            listing_update(listing=listing, actor=actor, stock=listing.stock - 1)
        Unit.objects.filter(pk=locked.pk).update(listing=None)
        locked.listing = None

    return withdraw


def unit_transition(*, unit: Unit, actor: Actor, to: str, note: str = "") -> Unit:
    """A seller's move on the board (`SELLER_MOVES`): every move of the table but three with their own door
    (a passed quality check makes a unit ready, the listing step lists it, shipping sells it). Listed ->
    ready takes the unit off its listing (stock - 1). Raises INVALID_TRANSITION (409) naming the moves
    the unit's status allows."""
    if to not in UnitStatus.values:
        raise _error(ErrorCode.VALIDATION, "to", _("Unknown status %(status)s.") % {"status": to})
    then = _withdraw_from_listing(actor) if to == UnitStatus.READY else None
    try:
        with transaction.atomic():
            moved = unit_move(unit, to=to, actor=actor, reason=note.strip()[:500], table=SELLER_MOVES, then=then)
            if to not in ACTIVE:
                Unit.objects.filter(pk=moved.pk).update(due_at=None)
                moved.due_at = None
    except ApplicationError as error:
        current = (error.extra or {}).get("from")
        if (
            error.code is ErrorCode.INVALID_TRANSITION
            and current in SELLER_MOVES
            and (error.extra or {}).get("allowed") == sorted(SELLER_MOVES[current])
        ):
            raise ApplicationError(
                error.code, refused_move_message(current, to), errors=error.errors, extra=error.extra
            ) from None
        raise
    return moved


def refused_move_message(current: str, to: str) -> str:
    """A move the table refuses, in words: where the unit is, what it may do instead (the 409's message;
    the problem's `allowed` names the same moves as codes)."""
    allowed = [str(UnitStatus(status).label) for status in sorted(SELLER_MOVES.get(current, frozenset()))]
    message = _("A unit in %(status)s cannot move to %(to)s.") % {
        "status": UnitStatus(current).label,
        "to": UnitStatus(to).label,
    }
    if allowed:
        message += " " + _("It can move to: %(moves)s.") % {"moves": ", ".join(allowed)}
    else:
        message += " " + _("It has left the workshop: it moves no further.")
    hints = {
        UnitStatus.READY: _("A unit becomes ready to list through a passed quality check."),
        UnitStatus.LISTED: _("A ready unit is listed through the listing step."),
        UnitStatus.SOLD: _("A listed unit is sold when its order ships."),
    }
    hint = hints.get(UnitStatus(to))
    if hint and (current, to) in {(s, t) for s, moves in TRANSITIONS.items() for t in moves}:
        message += " " + hint
    return message


# --- the import ----------------------------------------------------------------------------------------


def units_import(*, seller: Organisation, actor: Actor, rows: list[UnitRow]) -> list[Unit]:
    """Take in many units at once, all or nothing: every row is checked first (the identifier as for one
    unit, the variant, the cost in the seller's currency, the source; an identifier twice in the file),
    and if any row fails nothing is saved and each error names its row and column (`row 3.identifier`).
    Blocklisted identifiers are reported to success managers even when the file is refused."""
    settings_row = workshop_settings_for(seller)
    variants = Variant.objects.in_bulk({row.variant_id for row in rows})
    errors: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    checked: dict[int, CheckedIdentifier] = {}
    costs: dict[int, int] = {}
    for row in rows:
        try:
            result = identifier_check(seller=seller, raw=row.identifier)
        except ApplicationError as error:
            errors.append(row_error(row.number, "identifier", error.message))
        else:
            checked[row.number] = result
            if result.value in seen:
                errors.append(
                    row_error(
                        row.number,
                        "identifier",
                        _("%(identifier)s appears twice in the file (row %(row)s).")
                        % {"identifier": result.value, "row": seen[result.value]},
                    )
                )
            seen.setdefault(result.value, row.number)
        if row.variant_id not in variants:
            errors.append(row_error(row.number, "variant", _("No variant with id %(id)s.") % {"id": row.variant_id}))
        if row.source not in UnitSource.values:
            errors.append(row_error(row.number, "source", _("Use purchase, tradein or return.")))
        try:
            costs[row.number] = parse_cost(row.cost, settings_row.currency)
        except ValueError as error:
            errors.append(row_error(row.number, "cost", str(error)))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, rows_summary(errors), errors=errors)
    created: list[Unit] = []
    with transaction.atomic():
        for row in rows:
            try:
                created.append(
                    _receive(
                        seller=seller,
                        actor=actor,
                        checked=checked[row.number],
                        variant=variants[row.variant_id],
                        source=row.source,
                        purchase_amount=costs[row.number],
                        notes=row.notes,
                        reason=f"imported (row {row.number})",
                    )
                )
            except ApplicationError as error:
                errors.append(row_error(row.number, "identifier", error.message))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, rows_summary(errors), errors=errors)
    return created


def parse_cost(value: str | int, currency: str) -> int:
    """A cost as minor units: an int is minor units already (JSON); text is major units ("49.90", "49,90").
    Raises ValueError with the reason (negative, not an amount, beyond MAX_COST_AMOUNT)."""
    if isinstance(value, int):
        amount = value
    else:
        text = (value or "0").strip().replace(",", ".") or "0"
        try:
            amount = Money.from_decimal(text, currency).amount
        except (InvalidOperation, ValueError):
            message = _("'%(value)s' is not an amount in %(currency)s.") % {"value": value, "currency": currency}
            raise ValueError(message) from None
    if amount < 0:
        raise ValueError(_("A cost cannot be negative."))
    if amount > MAX_COST_AMOUNT:
        raise ValueError(_("This cost is too large for one unit."))
    return amount
