"""Warranty claims (DOMAIN.md, After-sales): open, answer, accept or dispute, repair or replace, refund,
escalate, decide, close; the conversation; the rule of three.

Every status change goes through `marketplace.transitions.transition` (row lock, table check, audit),
each under the claim's seller. While a claim is open, the unit's money is held from the seller's
payout (`orders.services.holds`). Each step emits its event (`claim.opened`, `claim.answered`,
`claim.escalated`, `claim.resolved`) to the seller and, for a partner's order, to the partner, and
queues its e-mails after commit. Messages are translated (`gettext`): pages show them as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit, emit_many
from marketplace.models import EventType, Organisation, User
from marketplace.money import Money
from marketplace.transitions import audit_record, bulk_transition, transition
from orders.models import BlockedDevice, OrderLine, Payment
from orders.services.fulfilment import identifier_normalise
from orders.services.holds import line_hold_place, line_hold_release
from orders.services.refunds import refund_issue
from orders.states import SellerOrderStatus
from warranty import deadlines, notifications
from warranty.models import Claim, ClaimMessage, ClaimPhoto, ReturnItem, Warranty
from warranty.payloads import claim_data
from warranty.photos import CheckedPhoto, photos_check
from warranty.selectors import claim_allowed_resolutions, claim_position, claim_with_relations
from warranty.services.labels import label_issue
from warranty.services.warranties import warranties_end_by_refund, warranty_replace
from warranty.states import (
    CLAIM_TRANSITIONS,
    OPEN_CLAIM_STATUSES,
    ClaimCategory,
    ClaimNote,
    ClaimStatus,
    EscalationReason,
    MessageAuthor,
    Outcome,
    Resolution,
)

logger = logging.getLogger(__name__)

DESCRIPTION_MIN_LENGTH = 10
TEXT_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 4000
NOT_DELIVERED = frozenset(
    {SellerOrderStatus.PENDING_PAYMENT, SellerOrderStatus.PAID, SellerOrderStatus.ACCEPTED, SellerOrderStatus.SHIPPED}
)


@dataclass(frozen=True)
class Claimant:
    """Who claims: the shopper who bought the unit, or the partner that placed the order for a customer."""

    shopper: User | None = None
    partner: Organisation | None = None

    @property
    def role(self) -> str:
        return MessageAuthor.PARTNER if self.partner is not None else MessageAuthor.SHOPPER


def _local_date(moment: datetime, time_zone: str) -> str:
    return formats.date_format(moment.astimezone(ZoneInfo(time_zone)), "DATE_FORMAT")


# --- helpers ---------------------------------------------------------------------------------------
def _emit(claim: Claim, event_type: EventType) -> None:
    fresh = claim_with_relations(claim.pk)
    data = claim_data(fresh)
    emit(event_type, data, fresh.seller)
    if fresh.partner_id is not None:
        emit(event_type, data, fresh.partner)


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.delay(*args))


def _save_photos(claim: Claim, message: ClaimMessage, photos: Sequence[CheckedPhoto], saved: list[str]) -> None:
    for photo in photos:
        row = ClaimPhoto(claim=claim, message=message, content_type=photo.content_type, size=photo.upload.size or 0)
        row.file.save(photo.storage_name, photo.upload, save=False)
        saved.append(row.file.name or "")
        row.save()


def _forget_files(names: list[str]) -> None:
    """The transaction rolled back: remove the photos already written, so nothing of it stays."""
    storage = ClaimPhoto._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not remove %s after a rollback", name)


def _message(
    claim: Claim, *, role: str, actor: Actor, body: str, photos: Sequence[CheckedPhoto] = (), saved: list[str]
) -> ClaimMessage:
    message = ClaimMessage.objects.create(
        claim=claim, author_role=role, author_user=actor.user, author_label=actor.label[:200], body=body
    )
    _save_photos(claim, message, photos, saved)
    return message


def _system_note(claim: Claim, note: ClaimNote, **values: Any) -> None:
    ClaimMessage.objects.create(
        claim=claim, author_role=MessageAuthor.PLATFORM, author_label="Encore", note=note, note_data=values
    )


def _text(value: str, *, field: str, required: bool, maximum: int = TEXT_MAX_LENGTH, minimum: int = 1) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if len(value) < minimum:
        message = _("Required.") if not value else _("Write at least %(count)d characters.") % {"count": minimum}
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field, "message": message}])
    if len(value) > maximum:
        message = _("At most %(count)d characters.") % {"count": maximum}
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field, "message": message}])
    return value


def _with_files(work: Callable[[list[str]], Claim]) -> Claim:
    """Run `work` in one transaction; photos it wrote are removed if the transaction rolls back."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            return work(saved)
    except BaseException:
        _forget_files(saved)
        raise


# --- open ------------------------------------------------------------------------------------------
def _find_warranty(line: OrderLine, identifier: str) -> Warranty:
    """The unit's current warranty on `line`, or the refusal that explains why there is none."""
    if line.seller_order.status in NOT_DELIVERED:
        raise ApplicationError(
            ErrorCode.UNIT_NOT_DELIVERED,
            _("This unit has not been delivered yet: a claim can be opened once it has arrived."),
        )
    try:
        normalised, _kind = identifier_normalise(identifier)
    except ApplicationError as error:
        raise ApplicationError(
            ErrorCode.VALIDATION, error.message, errors=[{"field": "unit", "message": error.message}]
        ) from None
    warranties = list(Warranty.objects.filter(line=line, identifier=normalised).order_by("-created_at", "-pk"))
    current = next((w for w in warranties if w.replaced_at is None), None)
    if current is not None:
        return current
    if warranties:
        replacement = Warranty.objects.filter(original_id=warranties[0].purchase_id, replaced_at__isnull=True).first()
        message = _("This unit was replaced; open the claim on the replacement %(identifier)s.") % {
            "identifier": replacement.identifier if replacement else "?"
        }
        raise ApplicationError(ErrorCode.UNIT_REPLACED, message, errors=[{"field": "unit", "message": message}])
    message = _("No unit with this IMEI or serial number in this order line.")
    raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "unit", "message": message}])


def claim_open(
    *,
    line: OrderLine,
    identifier: str,
    claimant: Claimant,
    category: str,
    description: str,
    photos: Sequence[UploadedFile[bytes]] = (),
    actor: Actor,
    now: datetime | None = None,
) -> Claim:
    """Open a warranty claim on one delivered unit of `line`.

    Preconditions: the caller has scoped `line` to the claimant (a shopper's own order, a partner's
    own order: another's is a 404 before this). Checked here, nothing saved when one fails: the
    category and a description (10 to 2000 characters), up to 5 photos by content (VALIDATION, field
    errors); the unit delivered (UNIT_NOT_DELIVERED), not replaced (UNIT_REPLACED), not returned or
    refunded, its warranty running in the market's calendar (WARRANTY_ENDED with the end date); no
    other open claim on it (CLAIM_ALREADY_OPEN: two opened at once make exactly one, the purchase's
    row lock and a partial unique index).

    Side effects: the claim (answer due in 2 business days), its first message with the photos, the
    audit row, a payout hold on the unit, `claim.opened`, and the seller's e-mail after commit.
    """
    now = now or timezone.now()
    errors: list[dict[str, str]] = []
    if category not in ClaimCategory.values:
        errors.append({"field": "category", "message": _("Choose a category.")})
    try:
        description = _text(description, field="description", required=True, minimum=DESCRIPTION_MIN_LENGTH)
    except ApplicationError as error:
        errors.extend(error.errors)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _("The claim is incomplete."), errors=errors)
    checked = photos_check(photos)
    warranty = _find_warranty(line, identifier)
    market = line.seller_order.order.market
    today = now.astimezone(ZoneInfo(market.time_zone)).date()
    if warranty.refunded_at is not None:
        raise ApplicationError(
            ErrorCode.WARRANTY_ENDED,
            _("This unit was refunded on %(date)s: its warranty has ended.")
            % {"date": _local_date(warranty.refunded_at, market.time_zone)},
        )
    if not warranty.is_active(today=today):
        raise ApplicationError(
            ErrorCode.WARRANTY_ENDED,
            _("The warranty of this unit ended on %(date)s.")
            % {"date": formats.date_format(warranty.ends_on, "DATE_FORMAT")},
            extra={"warranty_ended_on": warranty.ends_on.isoformat()},
        )

    def work(saved: list[str]) -> Claim:
        # Claims of one purchase queue on its first warranty's row: the open-claim check and the rule of
        # three's count see every claim committed before.
        Warranty.objects.select_for_update().get(pk=warranty.purchase_id)
        if warranty.unit_id is not None and ReturnItem.objects.filter(unit_id=warranty.unit_id, live=True).exists():
            raise ApplicationError(
                ErrorCode.NOTHING_TO_RETURN, _("This unit is being returned: a claim cannot be opened on it.")
            )
        open_claim = Claim.objects.filter(warranty=warranty, status__in=OPEN_CLAIM_STATUSES).first()
        if open_claim is not None:
            raise _already_open(open_claim)
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    warranty=warranty,
                    purchase_id=warranty.purchase_id,
                    line=line,
                    seller_id=line.seller_order.seller_id,
                    shopper=claimant.shopper,
                    partner=claimant.partner,
                    market=market,
                    identifier=warranty.identifier,
                    category=category,
                    description=description,
                    opened_at=now,
                    answer_due_at=deadlines.answer_due(now, market=market),
                )
        except IntegrityError:
            raise _already_open(
                Claim.objects.filter(warranty=warranty, status__in=OPEN_CLAIM_STATUSES).first()
            ) from None
        audit_record(
            obj=claim,
            actor=actor,
            from_status="",
            to_status=ClaimStatus.OPENED,
            reason=category,
            organisation=claim.seller,
        )
        _message(claim, role=claimant.role, actor=actor, body=description, photos=checked, saved=saved)
        line_hold_place(line=line, units=1, source=f"claim-{claim.pk}", actor=actor)
        _emit(claim, EventType.CLAIM_OPENED)
        _after_commit(notifications.claim_opened_notify_task, claim.pk)
        return claim

    return _with_files(work)


def _already_open(claim: Claim | None) -> ApplicationError:
    return ApplicationError(
        ErrorCode.CLAIM_ALREADY_OPEN,
        _("A claim is already open on this unit (%(reference)s): follow it there.")
        % {"reference": claim.reference if claim else ""},
        extra={"claim": claim.pk if claim else None},
    )


# --- the seller answers -----------------------------------------------------------------------------
def claim_respond(*, claim: Claim, resolution: str, message: str, actor: Actor, now: datetime | None = None) -> Claim:
    """opened -> answered: the seller proposes a repair, a replacement or a refund, with a message.

    The rule of three decides what may be proposed (RESOLUTION_NOT_ALLOWED names the one allowed).
    An answer after the deadline (before the sweep escalated it) is recorded as a missed deadline.
    The shopper has 7 days to accept or dispute; silence accepts. Emits `claim.answered`; the
    shopper is e-mailed. Raises VALIDATION, RESOLUTION_NOT_ALLOWED, INVALID_TRANSITION.
    """
    now = now or timezone.now()
    message = _text(message, field="message", required=True)
    if resolution not in Resolution.values:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Choose repair, replace or refund."),
            errors=[{"field": "resolution", "message": _("One of repair, replace, refund.")}],
        )
    _check_rule_of_three(claim, resolution)

    def work(saved: list[str]) -> Claim:
        moved = transition(
            claim,
            to=ClaimStatus.ANSWERED,
            actor=actor,
            transitions=CLAIM_TRANSITIONS,
            reason=resolution,
            organisation=claim.seller,
            extra_updates={
                "resolution": resolution,
                "answer_message": message,
                "answered_at": now,
                "accept_by": deadlines.accept_by(now),
                "deadline_missed": claim.deadline_missed or now > claim.answer_due_at,
            },
        )
        _message(moved, role=MessageAuthor.SELLER, actor=actor, body=message, saved=saved)
        _emit(moved, EventType.CLAIM_ANSWERED)
        _after_commit(notifications.claim_answered_notify_task, moved.pk)
        return moved

    return _with_files(work)


def _check_rule_of_three(claim: Claim, resolution: str) -> None:
    allowed = claim_allowed_resolutions(claim)
    if resolution in allowed:
        return
    names = ", ".join(str(Resolution(value).label).lower() for value in sorted(allowed))
    raise ApplicationError(
        ErrorCode.RESOLUTION_NOT_ALLOWED,
        _("The rule of three allows only: %(allowed)s (this is this purchase's technical claim number %(n)d).")
        % {"allowed": names, "n": claim_position(claim)},
        errors=[{"field": "resolution", "message": _("Allowed: %(allowed)s.") % {"allowed": names}}],
        extra={"allowed": sorted(allowed)},
    )


# --- the shopper (or partner) answers ------------------------------------------------------------------
def claim_accept(*, claim: Claim, actor: Actor, silently: bool = False, now: datetime | None = None) -> Claim:
    """answered -> accepted, then at once: a refund is paid (resolved, refunded); a repair or a
    replacement moves to in_repair with a prepaid return label. `silently`: the 7 days passed without
    a reply (the sweep). Raises INVALID_TRANSITION."""
    now = now or timezone.now()

    def work(saved: list[str]) -> Claim:
        accepted = transition(
            claim,
            to=ClaimStatus.ACCEPTED,
            actor=actor,
            transitions=CLAIM_TRANSITIONS,
            reason="accepted without a reply for 7 days" if silently else "accepted",
            organisation=claim.seller,
            extra_updates={"accepted_at": now, "accepted_silently": silently},
        )
        if silently:
            _system_note(accepted, ClaimNote.ACCEPTED_SILENTLY)
        return _carry_out(accepted, resolution=accepted.resolution, actor=actor, now=now)

    return _with_files(work)


def claim_dispute(*, claim: Claim, actor: Actor, message: str, role: str = MessageAuthor.SHOPPER) -> Claim:
    """answered -> escalated: the shopper (or partner) disputes the answer; a success manager decides.
    The message says why (required). Emits `claim.escalated`; success managers and the seller are
    e-mailed. Raises VALIDATION, INVALID_TRANSITION."""
    message = _text(message, field="message", required=True)

    def work(saved: list[str]) -> Claim:
        moved = transition(
            claim,
            to=ClaimStatus.ESCALATED,
            actor=actor,
            transitions=CLAIM_TRANSITIONS,
            reason=EscalationReason.DISPUTED,
            organisation=claim.seller,
            extra_updates={"escalated_at": timezone.now(), "escalation_reason": EscalationReason.DISPUTED},
        )
        _message(moved, role=role, actor=actor, body=message, saved=saved)
        _emit(moved, EventType.CLAIM_ESCALATED)
        _after_commit(notifications.claim_escalated_notify_task, moved.pk)
        return moved

    return _with_files(work)


# --- carrying out a resolution --------------------------------------------------------------------------
def _carry_out(claim: Claim, *, resolution: str, actor: Actor, now: datetime, reason: str = "") -> Claim:
    """Accepted or decided: refund at once, or start the repair/replacement with a label. In the
    caller's transaction, the claim locked by the caller's transition."""
    if resolution == Resolution.REFUND:
        return _refund_and_resolve(claim, actor=actor, now=now, reason=reason)
    label = label_issue(claim=claim)
    extra: dict[str, Any] = {"repair_started_at": now, "resolution": resolution}
    if claim.unit_received_at is not None:
        # Decided again after an overdue repair: a new period from now, the unit already there.
        extra["repair_due_at"] = deadlines.repair_due(now, market=claim.market)
    moved = transition(
        claim,
        to=ClaimStatus.IN_REPAIR,
        actor=actor,
        transitions=CLAIM_TRANSITIONS,
        reason=reason or resolution,
        organisation=claim.seller,
        extra_updates=extra,
    )
    _system_note(moved, ClaimNote.LABEL_ISSUED, tracking=label.tracking_number)
    _after_commit(notifications.claim_in_repair_notify_task, moved.pk)
    return moved


def _refund_and_resolve(claim: Claim, *, actor: Actor, now: datetime, reason: str = "") -> Claim:
    line = OrderLine.objects.select_related("seller_order").get(pk=claim.line_id)
    refund = refund_issue(
        payment=Payment.objects.get(order_id=line.seller_order.order_id),
        amount=Money(line.unit_price_amount, line.currency),
        actor=actor,
        reason=f"warranty claim {claim.reference}",
        idempotency_key=f"refund-claim-{claim.pk}",
        seller_order=line.seller_order,
    )
    warranties_end_by_refund(warranty_ids=[claim.warranty_id], now=now)
    return _resolve(claim, outcome=Outcome.REFUNDED, actor=actor, now=now, extra={"refund": refund}, reason=reason)


def _resolve(
    claim: Claim, *, outcome: str, actor: Actor, now: datetime, extra: dict[str, Any] | None = None, reason: str = ""
) -> Claim:
    moved = transition(
        claim,
        to=ClaimStatus.RESOLVED,
        actor=actor,
        transitions=CLAIM_TRANSITIONS,
        reason=reason or outcome,
        organisation=claim.seller,
        extra_updates={"outcome": outcome, "resolved_at": now, **(extra or {})},
    )
    line_hold_release(source=f"claim-{moved.pk}", actor=actor)
    _emit(moved, EventType.CLAIM_RESOLVED)
    _after_commit(notifications.claim_resolved_notify_task, moved.pk)
    return moved


# --- the seller repairs or replaces ------------------------------------------------------------------
def claim_unit_received(*, claim: Claim, actor: Actor, now: datetime | None = None) -> Claim:
    """The seller has the unit: the repair clock starts (done within 5 business days). A note in the
    conversation tells the shopper the deadline. Raises INVALID_TRANSITION when the claim is not in
    repair or the unit was already marked received."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("market", "seller").get(pk=claim.pk)
        if locked.status != ClaimStatus.IN_REPAIR or locked.unit_received_at is not None:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                _("The unit can be marked received once, while the claim is in repair."),
                extra={"from": locked.status, "allowed": ["resolve"] if locked.status == ClaimStatus.IN_REPAIR else []},
            )
        due = deadlines.repair_due(now, market=locked.market)
        Claim.objects.filter(pk=locked.pk).update(unit_received_at=now, repair_due_at=due, updated_at=now)
        audit_record(
            obj=locked,
            actor=actor,
            from_status=locked.status,
            to_status=locked.status,
            reason="unit received",
            organisation=locked.seller,
        )
        _system_note(locked, ClaimNote.UNIT_RECEIVED, due=due.isoformat(), time_zone=locked.market.time_zone)
    return Claim.objects.get(pk=claim.pk)


def claim_resolve(*, claim: Claim, actor: Actor, identifier: str = "", now: datetime | None = None) -> Claim:
    """in_repair -> resolved: the repair is done (no identifier), or the replacement shipped with the new
    unit's IMEI or serial (checked as at shipping: Luhn, the stolen-device blocklist, not the old unit).

    A replacement gets the rest of the original warranty, and its claims count for the same purchase.
    Releases the payout hold; emits `claim.resolved`. Raises VALIDATION, INVALID_DEVICE_IDENTIFIER,
    DEVICE_BLOCKLISTED, INVALID_TRANSITION.
    """
    now = now or timezone.now()
    if claim.status != ClaimStatus.IN_REPAIR:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("Only a claim in repair can be marked repaired or replaced."),
            extra={
                "from": claim.status,
                "to": ClaimStatus.RESOLVED,
                "allowed": sorted(CLAIM_TRANSITIONS[claim.status]),
            },
        )
    replacement_identifier = ""
    if claim.resolution == Resolution.REPLACE:
        replacement_identifier = _replacement_identifier(claim, identifier)
    elif identifier.strip():
        message = _("A repair keeps the same unit: give no new identifier.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "identifier", "message": message}])

    def work(saved: list[str]) -> Claim:
        extra: dict[str, Any] = {}
        if claim.unit_received_at is None:
            extra["unit_received_at"] = now  # marking it repaired says the unit is there
        if replacement_identifier:
            warranty = Warranty.objects.get(pk=claim.warranty_id)
            extra["replacement"] = warranty_replace(warranty=warranty, identifier=replacement_identifier, now=now)
            extra["replacement_identifier"] = replacement_identifier
            outcome = Outcome.REPLACED
        else:
            outcome = Outcome.REPAIRED
        return _resolve(claim, outcome=outcome, actor=actor, now=now, extra=extra)

    return _with_files(work)


def _replacement_identifier(claim: Claim, raw: str) -> str:
    if not raw.strip():
        message = _("Give the replacement unit's IMEI or serial number.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "identifier", "message": message}])
    try:
        identifier, _kind = identifier_normalise(raw)
    except ApplicationError as error:
        raise ApplicationError(
            error.code, error.message, errors=[{"field": "identifier", "message": error.message}]
        ) from None
    if identifier == claim.identifier:
        message = _("The replacement must be another unit than the one claimed.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "identifier", "message": message}])
    if BlockedDevice.objects.filter(identifier=identifier).exists():
        message = _("%(identifier)s is reported stolen and may not be shipped.") % {"identifier": identifier}
        raise ApplicationError(
            ErrorCode.DEVICE_BLOCKLISTED, message, errors=[{"field": "identifier", "message": message}]
        )
    return identifier


# --- success managers decide ----------------------------------------------------------------------------
DECISIONS = (Resolution.REPAIR, Resolution.REPLACE, Resolution.REFUND, "reject")


def claim_decide(*, claim: Claim, decision: str, reason: str, actor: Actor, now: datetime | None = None) -> Claim:
    """A success manager decides an escalated claim: repair or replace (in_repair, with a label), refund
    (paid at once, resolved), or reject a claim the warranty does not cover (resolved, rejected; it no
    longer counts for the rule of three). The reason is required, shown to both sides and audited.
    The rule of three binds this decision too. Raises VALIDATION, RESOLUTION_NOT_ALLOWED,
    INVALID_TRANSITION.
    """
    now = now or timezone.now()
    reason = _text(reason, field="reason", required=True)
    if decision not in DECISIONS:
        message = _("Choose repair, replace, refund or reject.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "decision", "message": message}])
    if claim.status != ClaimStatus.ESCALATED:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("Only an escalated claim is decided by Encore's team."),
            extra={"from": claim.status, "allowed": sorted(CLAIM_TRANSITIONS[claim.status])},
        )
    if decision != "reject":
        _check_rule_of_three(claim, decision)

    def work(saved: list[str]) -> Claim:
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        Claim.objects.filter(pk=locked.pk).update(decision_reason=reason)
        _message(locked, role=MessageAuthor.MANAGER, actor=actor, body=reason, saved=saved)
        if decision == "reject":
            return _resolve(locked, outcome=Outcome.REJECTED, actor=actor, now=now, reason=reason)
        Claim.objects.filter(pk=locked.pk).update(resolution=decision)
        locked.resolution = decision
        return _carry_out(locked, resolution=decision, actor=actor, now=now, reason=reason)

    return _with_files(work)


# --- the conversation --------------------------------------------------------------------------------------
def claim_message_post(
    *, claim: Claim, role: str, actor: Actor, body: str, photos: Sequence[UploadedFile[bytes]] = ()
) -> ClaimMessage:
    """Add a message (and up to 5 photos) to a claim's conversation, by the shopper, the partner, the
    seller or a success manager, until the claim is closed. The other side is e-mailed.
    Raises VALIDATION (empty, too long, photos refused), INVALID_TRANSITION (closed)."""
    body = _text(body, field="message", required=not photos, maximum=MESSAGE_MAX_LENGTH)
    checked = photos_check(photos)
    if role not in MessageAuthor.values:
        raise ValueError(role)
    holder: list[ClaimMessage] = []

    def work(saved: list[str]) -> Claim:
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.status == ClaimStatus.CLOSED:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                _("This claim is closed: its conversation has ended."),
                extra={"allowed": []},
            )
        message = _message(locked, role=role, actor=actor, body=body, photos=checked, saved=saved)
        Claim.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        holder.append(message)
        _after_commit(notifications.claim_message_notify_task, message.pk)
        return locked

    _with_files(work)
    return holder[0]


# --- the sweeps ------------------------------------------------------------------------------------------------
def claims_escalate_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Escalate the claims whose deadline passed: not answered within 2 business days, or not repaired
    within 5 business days of the unit's arrival. Each counts against the seller (`deadline_missed`).
    Set-based (one conditional UPDATE per kind through `bulk_transition`, one audit row each), bounded,
    idempotent: a second run finds nothing in the source status. Emits `claim.escalated` per claim."""

    now = now or timezone.now()
    total = 0
    actor = Actor.system("claim deadlines")
    for source, due_field, reason in (
        (ClaimStatus.OPENED, "answer_due_at", EscalationReason.ANSWER_OVERDUE),
        (ClaimStatus.IN_REPAIR, "repair_due_at", EscalationReason.REPAIR_OVERDUE),
    ):
        with transaction.atomic():
            ids = list(
                Claim.objects.filter(status=source, **{f"{due_field}__lt": now})
                .order_by(due_field)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                continue
            moved = bulk_transition(
                Claim.objects.filter(pk__in=ids),
                from_status=source,
                to=ClaimStatus.ESCALATED,
                actor=actor,
                transitions=CLAIM_TRANSITIONS,
                reason=reason,
                organisation_field="seller",
            )
            Claim.objects.filter(pk__in=moved).update(
                escalated_at=now, escalation_reason=reason, deadline_missed=True, updated_at=now
            )
            note = ClaimNote.ANSWER_OVERDUE if reason == EscalationReason.ANSWER_OVERDUE else ClaimNote.REPAIR_OVERDUE
            ClaimMessage.objects.bulk_create(
                [
                    ClaimMessage(claim_id=pk, author_role=MessageAuthor.PLATFORM, author_label="Encore", note=note)
                    for pk in moved
                ]
            )
            claims = [claim_with_relations(pk) for pk in moved]
            items: list[tuple[dict[str, Any], Organisation | None]] = []
            for claim in claims:
                data = claim_data(claim)
                items.append((data, claim.seller))
                if claim.partner is not None:
                    items.append((data, claim.partner))
            emit_many(EventType.CLAIM_ESCALATED, items)
            for pk in moved:
                _after_commit(notifications.claim_escalated_notify_task, pk)
            total += len(moved)
    return total


def claims_accept_silent(*, now: datetime | None = None, batch: int = 200) -> int:
    """Answers left without a reply for 7 days are accepted (and carried out). Bounded, idempotent."""
    now = now or timezone.now()
    count = 0
    actor = Actor.system("7 days without a reply")
    for claim in (
        Claim.objects.filter(status=ClaimStatus.ANSWERED, accept_by__lt=now)
        .select_related("market", "seller")
        .order_by("accept_by")[:batch]
    ):
        try:
            claim_accept(claim=claim, actor=actor, silently=True, now=now)
            count += 1
        except ApplicationError as error:
            logger.warning("Claim %s not accepted by the sweep: %s", claim.pk, error.message)
    return count


def claims_close_resolved(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Resolved claims close 14 days after their resolution (the conversation ends). Set-based, idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Claim.objects.filter(status=ClaimStatus.RESOLVED, resolved_at__lt=now - deadlines.CLOSE_AFTER)
            .order_by("resolved_at")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return 0
        moved = bulk_transition(
            Claim.objects.filter(pk__in=ids),
            from_status=ClaimStatus.RESOLVED,
            to=ClaimStatus.CLOSED,
            actor=Actor.system("claims closing"),
            transitions=CLAIM_TRANSITIONS,
            reason="14 days after the resolution",
            organisation_field="seller",
        )
        Claim.objects.filter(pk__in=moved).update(closed_at=now, updated_at=now)
    return len(moved)
