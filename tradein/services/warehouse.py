"""The warehouse: intake (the label's QR code scanned, or its code typed; or a carrier scan),
inspection (the actual condition, the identifier against the stolen-device blocklist, locks,
battery, photos; a counter-offer when worse than declared) and the certified erasure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType
from marketplace.transitions import audit_record
from orders.models import BlockedDevice
from orders.services.fulfilment import identifier_normalise
from tradein import notifications, rules
from tradein.models import CounterOffer, ErasureCertificate, Inspection, InspectionPhoto, TradeIn
from tradein.questionnaire import Question, answers_validate, condition_from_answers
from tradein.selectors import questions_for_product, tradein_price
from tradein.services.common import tradein_transition
from tradein.services.guarantees import guarantee_inspection_counter
from tradein.services.payloads import tradein_payload
from tradein.services.payouts import payout_make
from tradein.states import (
    PRICE_FINAL,
    Condition,
    CounterOfferReason,
    ErasureMethod,
    ErasureResult,
    TradeInStatus,
    allowed_moves,
    worse,
)

PHOTO_SIGNATURES: list[tuple[bytes, str]] = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]
MAX_PHOTOS = 10
# The question whose answer got worse -> the counter-offer's reason.
REASON_BY_QUESTION = {
    "powers_on": CounterOfferReason.POWER,
    "screen": CounterOfferReason.SCREEN,
    "body": CounterOfferReason.BODY,
    "functions": CounterOfferReason.FUNCTIONS,
    "battery": CounterOfferReason.BATTERY,
    "accounts_signed_out": CounterOfferReason.ACCOUNT_LOCK,
}


def tradein_receive(
    *, tradein: TradeIn, actor: Actor, source: str = "intake scan", received_at: datetime | None = None
) -> TradeIn:
    """accepted -> received (the intake station, or a carrier's delivery scan: `received_at` is then
    the scan's time, else now). Emits `tradein.received`; the owner is told after commit. Raises
    INVALID_TRANSITION naming the status (a parcel scanned twice, or of an expired trade-in),
    QUOTE_EXPIRED never: expiry is a status."""

    def announce(locked: TradeIn, from_status: str) -> None:
        emit(EventType.TRADEIN_RECEIVED, tradein_payload(locked), locked.partner)

    with transaction.atomic():
        tradein = tradein_transition(
            tradein,
            to=TradeInStatus.RECEIVED,
            actor=actor,
            reason=source,
            extra_updates={"received_at": received_at or timezone.now()},
            then=announce,
        )
        pk = tradein.pk
        transaction.on_commit(lambda: notifications.tradein_received_notify_task.delay(pk))
    return tradein


def _photo_error(upload: UploadedFile[bytes]) -> str | None:
    limit = settings.SELLER_DOCUMENT_MAX_BYTES
    if not upload.size:
        return f"{upload.name}: the file is empty."
    if upload.size > limit:
        return f"{upload.name}: larger than {limit // (1024 * 1024)} MB."
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature, _ in PHOTO_SIGNATURES):
        return f"{upload.name}: only JPEG or PNG photos are accepted (checked by content)."
    return None


def _content_type(upload: UploadedFile[bytes]) -> str:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next(content_type for signature, content_type in PHOTO_SIGNATURES if head.startswith(signature))


@dataclass(frozen=True)
class InspectionInput:
    answers: Mapping[str, object]
    identifier: str
    activation_lock: bool
    battery_health: int | None = None
    notes: str = ""
    reason: str = ""  # counter-offer reason; derived from the answers when empty
    reason_note: str = ""
    liquid_damage: bool = False  # found at inspection: the device is worth its parts (broken)


def _worse_question(declared: Mapping[str, str], actual: Mapping[str, str], questions: Sequence[Question]) -> str:
    """The reason code of the most serious answer that got worse (power first, battery last)."""
    by_code = {question.code: question for question in questions}
    for code in ("powers_on", "accounts_signed_out", "functions", "screen", "body", "battery"):
        question = by_code.get(code)
        if question is None:
            continue
        before, after = question.answer(declared.get(code, "")), question.answer(actual.get(code, ""))
        if before is not None and after is not None and worse(after.caps, before.caps):
            return str(REASON_BY_QUESTION[code])
    return str(CounterOfferReason.OTHER)


def tradein_inspect(
    *, tradein: TradeIn, actor: Actor, data: InspectionInput, photos: Sequence[UploadedFile[bytes]] = ()
) -> TradeIn:
    """received -> inspected (or held). The operator answers the same questions as the owner; an
    activation lock counts as "accounts not signed out" and a battery below 80 % as "worn", whatever
    was ticked. The identifier (IMEI with Luhn, or serial) is checked against the blocklist of
    reported-stolen devices: a listed device is held and reported to the success managers, never
    paid. Worse than declared and worth less: a counter-offer (reason code, 14 days to answer);
    otherwise the price is final and the payout is made. Liquid damage makes it broken. A guaranteed
    buy-back is counter-offered only when the unit is not the one bought or fails the guarantee's
    conditions (`services.guarantees`). Nothing is saved on any error.

    Raises INVALID_TRANSITION (not received: 409 naming the status), VALIDATION (answers, battery,
    photos), INVALID_DEVICE_IDENTIFIER.
    """
    if tradein.status != TradeInStatus.RECEIVED:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            f"Trade-in {tradein.reference} is {tradein.get_status_display().lower()}, not received: it cannot be "
            "inspected.",
            extra={"status": tradein.status, "allowed": allowed_moves(tradein.status)},
        )
    questions = questions_for_product(tradein.product)
    answers = dict(data.answers)
    if data.activation_lock:
        answers["accounts_signed_out"] = "no"
    if data.battery_health is not None:
        if not 0 <= data.battery_health <= 100:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                "Battery health is a percentage.",
                errors=[{"field": "battery_health", "message": "Between 0 and 100."}],
            )
        if data.battery_health < 80 and "battery" in answers:
            answers["battery"] = "worn"
    clean = answers_validate(questions, answers)
    identifier, kind = identifier_normalise(data.identifier)
    errors = [{"field": "photos", "message": error} for error in map(_photo_error, photos) if error]
    if len(photos) > MAX_PHOTOS:
        errors.append({"field": "photos", "message": f"At most {MAX_PHOTOS} photos."})
    if data.reason and data.reason not in CounterOfferReason.values:
        errors.append({"field": "reason", "message": f"One of {', '.join(CounterOfferReason.values)}."})
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The inspection is not valid.", errors=errors)
    condition = condition_from_answers(questions, clean)
    if data.liquid_damage:
        condition = Condition.BROKEN
    blocked = BlockedDevice.objects.filter(identifier=identifier).first()
    now = timezone.now()
    with transaction.atomic():
        Inspection.objects.create(
            tradein=tradein,
            answers=clean,
            condition=condition,
            identifier=identifier,
            identifier_kind=str(kind),
            activation_lock=data.activation_lock,
            liquid_damage=data.liquid_damage,
            battery_health=data.battery_health,
            notes=data.notes[:2000],
            operator=actor.user,
            inspected_at=now,
        )
        for upload in photos:
            InspectionPhoto.objects.create(
                tradein=tradein, file=upload, content_type=_content_type(upload), size=upload.size or 0
            )
        if blocked is not None:
            reason = f"identifier {identifier} is on the blocklist ({blocked.reason})"
            tradein = tradein_transition(
                tradein, to=TradeInStatus.HELD, actor=actor, reason=reason, extra_updates={"held_reason": reason[:200]}
            )
            pk = tradein.pk
            transaction.on_commit(lambda: notifications.tradein_held_report_task.delay(pk))
            return tradein

        def announce(locked: TradeIn, from_status: str) -> None:
            emit(EventType.TRADEIN_INSPECTED, tradein_payload(locked), locked.partner)

        priced = tradein_price(
            product=tradein.product, storage_gb=tradein.variant.storage_gb, condition=condition, market=tradein.market
        )
        # A guaranteed buy-back's price stands for the unit bought in good condition, whatever else;
        # any other trade-in is counter-offered when worse than declared.
        guarantee_broken = (
            guarantee_inspection_counter(
                tradein, answers=clean, liquid_damage=data.liquid_damage, identifier=identifier
            )
            if tradein.guarantee_id is not None
            else None
        )
        is_worse = (
            guarantee_broken is not None
            if tradein.guarantee_id is not None
            else worse(condition, tradein.declared_condition)
        )
        counter_amount = (priced[0].amount if priced else 0) if is_worse else None
        if counter_amount is not None and counter_amount >= tradein.offer_amount:
            counter_amount = None  # worse, yet worth as much: the offer stands
        tradein = tradein_transition(
            tradein,
            to=TradeInStatus.INSPECTED,
            actor=actor,
            reason=f"actual condition {condition} (declared {tradein.declared_condition})",
            extra_updates={} if counter_amount is not None else {"final_amount": tradein.offer_amount},
            then=announce,
        )
        if counter_amount is None:
            return payout_make(tradein=tradein, actor=actor)
        reason = data.reason or (
            CounterOfferReason.LIQUID if data.liquid_damage else _worse_question(tradein.answers, clean, questions)
        )
        CounterOffer.objects.create(
            tradein=tradein,
            amount=counter_amount,
            currency=tradein.currency,
            reason=reason,
            note=(data.reason_note or guarantee_broken or "")[:300],
            expires_at=now + timedelta(days=rules.COUNTER_OFFER_DAYS),
        )

        def announce_counter(locked: TradeIn, from_status: str) -> None:
            emit(EventType.TRADEIN_COUNTER_OFFERED, tradein_payload(locked), locked.partner)

        tradein = tradein_transition(
            tradein,
            to=TradeInStatus.COUNTER_OFFERED,
            actor=actor,
            reason=f"counter-offer: {reason}",
            then=announce_counter,
        )
        pk = tradein.pk
        transaction.on_commit(lambda: notifications.tradein_counter_offered_notify_task.delay(pk))
    return tradein


def tradein_erasure_record(
    *, tradein: TradeIn, actor: Actor, method: str, tool: str, result: str
) -> ErasureCertificate | None:
    """Record a wipe. A passed wipe (NIST SP 800-88 clear or purge) gets the device's one certificate
    (an unguessable number), e-mailed to the owner; a failed one is audited and certifies nothing
    (wipe again, or recycle). Only a device the platform owns (price final) is wiped: a device that
    may go back to its owner keeps its data. Raises VALIDATION, INVALID_TRANSITION."""
    errors = []
    if method not in ErasureMethod.values:
        errors.append({"field": "method", "message": "Clear or purge (NIST SP 800-88)."})
    if result not in ErasureResult.values:
        errors.append({"field": "result", "message": "Passed or failed."})
    if not tool.strip():
        errors.append({"field": "tool", "message": "Required."})
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The erasure record is not valid.", errors=errors)
    with transaction.atomic():
        locked = (
            TradeIn.objects.select_for_update(of=("self",))
            .select_related("product", "variant", "inspection")
            .get(pk=tradein.pk)
        )
        if locked.status not in PRICE_FINAL:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"Trade-in {locked.reference} is {locked.get_status_display().lower()}: only a device whose price "
                "is final is wiped.",
                extra={"status": locked.status, "allowed": allowed_moves(locked.status)},
            )
        if ErasureCertificate.objects.filter(tradein=locked).exists():
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"Trade-in {locked.reference} already has its erasure certificate.",
                extra={"status": locked.status, "allowed": allowed_moves(locked.status)},
            )
        if result == ErasureResult.FAILED:
            audit_record(
                obj=locked, actor=actor, from_status="", to_status="", reason=f"wipe failed ({method}, {tool})"
            )
            return None
        operator = actor.user.get_full_name() if actor.user is not None else actor.label
        certificate = ErasureCertificate.objects.create(
            tradein=locked,
            method=method,
            tool=tool.strip()[:100],
            result=result,
            identifier=locked.inspection.identifier,
            model_name=f"{locked.product.name} {locked.variant.storage_label}".strip(),
            operator=actor.user,
            operator_name=operator[:150],
        )
        audit_record(
            obj=locked, actor=actor, from_status="", to_status="", reason=f"wiped: certificate {certificate.number}"
        )
        pk = locked.pk
        transaction.on_commit(lambda: notifications.tradein_certificate_notify_task.delay(pk))
    return certificate
