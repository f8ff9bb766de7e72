"""Business trade-in (DOMAIN.md, Trade-in): a company, a partner organisation created by platform staff,
sends its devices as one batch.

1. **Quote** (`batch_quote_create`): every row of the file is checked (the model and variant exist, the
   identifier is an IMEI or serial, appears once in the file, is in no other open trade-in and is not
   reported stolen, the answers or condition are valid, the device can be priced in the market); any
   error and nothing is saved, each error naming its row and column. Each device becomes a `TradeIn`
   of the batch in `quoted`, priced like any quote (grid, else resale prices); the batch quote is their
   sum, valid 14 days.
2. **Accept** (`batch_accept`): one payout method for the batch (bank transfer to an IBAN, euro markets;
   or partner credit), the company's sender address (its business details, or one given); every device
   becomes accepted at once (set-based, one audit row each, `tradein.accepted` each) and the batch is
   split in parcels of at most `PARCEL_DEVICES` devices, each with its prepaid label (tracking number,
   QR code `ENCORE-PARCEL:<code>`); the parcels must be received within 21 days.
3. **Intake** (`parcel_receive`): scanning a parcel (or its carrier's delivery scan) receives its devices.
   Each device is then inspected, counter-offered, wiped and paid on its own, as any trade-in.
4. **Counter-offers** (`batch_counter_offers_answer`): the company answers every open counter-offer of the
   batch in one step (accept or decline each), all or nothing.
5. **Expiry** (`batches_expire_due`, beat): a batch quote not accepted in 14 days expires with its
   devices; devices of accepted batches not received within 21 days expire.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from catalog.models import Product, Variant
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit_many
from marketplace.models import AuditEvent, EventType, Market, Organisation
from marketplace.transitions import audit_record, bulk_transition, transition
from orders.models import BlockedDevice
from orders.services.fulfilment import identifier_normalise
from sellers.imports import row_error
from tradein import notifications, rules
from tradein.batch_files import BatchRow
from tradein.models import Batch, BatchParcel, BusinessProfile, TradeIn
from tradein.questionnaire import Question, answers_validate, condition_from_answers, questionnaire_for
from tradein.selectors import root_category_slug, tradein_detail_queryset, tradein_prices
from tradein.services.common import tracking_number_new
from tradein.services.counter_offers import counter_offer_accept, counter_offer_decline
from tradein.services.payloads import tradein_payload
from tradein.services.quotes import CARRIER, Contact, PayoutChoice, contact_fields, payout_fields
from tradein.services.warehouse import tradein_receive
from tradein.states import (
    BATCH_TRANSITIONS,
    FINAL,
    BatchStatus,
    Condition,
    PayoutMethod,
    TradeInStatus,
)
from tradein.states import TRANSITIONS as TRADEIN_TRANSITIONS

PARCEL_DEVICES = 40  # devices per parcel: what a box of phones or a pallet layer of laptops holds
# Devices whose trade-in is still open: an identifier in one of these cannot join another batch.
OPEN = frozenset(set(TradeInStatus.values) - FINAL)


# --- quote -------------------------------------------------------------------------------------------
def _market_for(partner: Organisation, market_code: str | None) -> Market:
    code = (market_code or partner.country or "").lower()
    market = Market.objects.filter(code=code, is_active=True).first()
    if market is None:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"Encore has no market {code!r}: pass market= one of ours (the devices are sent from there).",
            errors=[{"field": "market", "message": "Unknown market."}],
        )
    return market


@dataclass(frozen=True)
class _Priced:
    row: BatchRow
    product: Product
    variant: Variant
    identifier: str
    answers: dict[str, str]
    condition: str
    offer_amount: int
    source: str


def _check_rows(rows: list[BatchRow], market: Market) -> list[_Priced]:
    """Every rule of every row; raises VALIDATION with all the errors, or returns the rows priced."""
    errors: list[dict[str, str]] = []
    products = {
        p.slug: p for p in Product.objects.filter(slug__in={row.product for row in rows}).select_related("category")
    }
    variants = {v.pk: v for v in Variant.objects.filter(pk__in={row.variant_id for row in rows})}
    questions: dict[int, tuple[Question, ...]] = {
        product.pk: questionnaire_for(root_category_slug(product)) for product in products.values()
    }
    seen: dict[str, int] = {}
    checked: list[tuple[BatchRow, Product, Variant, str, dict[str, str], str]] = []
    for row in rows:
        product = products.get(row.product)
        variant = variants.get(row.variant_id)
        row_errors: list[dict[str, str]] = []
        if product is None:
            row_errors.append(row_error(row.number, "product", f"No model has the slug '{row.product}'."))
        elif variant is None or variant.product_id != product.pk:
            row_errors.append(row_error(row.number, "variant", f"{product.name} has no variant {row.variant_id}."))
        identifier = ""
        try:
            identifier, _kind = identifier_normalise(row.identifier)
        except ApplicationError as error:
            row_errors.append(row_error(row.number, "identifier", error.message))
        if identifier in seen:
            row_errors.append(row_error(row.number, "identifier", f"The same device as row {seen[identifier]}."))
        elif identifier:
            seen[identifier] = row.number
        answers: dict[str, str] = {}
        condition = row.condition
        if product is not None and not row.condition:
            try:
                answers = answers_validate(questions[product.pk], row.answers, prefix="answers")
                condition = condition_from_answers(questions[product.pk], answers)
            except ApplicationError as error:
                for item in error.errors:
                    column = row.answers_prefix + item["field"].removeprefix("answers.")
                    row_errors.append(row_error(row.number, column, item["message"]))
        elif row.condition and row.condition not in Condition.values:
            row_errors.append(row_error(row.number, "condition", f"One of {', '.join(Condition.values)}."))
        errors.extend(row_errors)
        if not row_errors and product is not None and variant is not None:
            checked.append((row, product, variant, identifier, answers, condition))
    identifiers = [item[3] for item in checked]
    blocked = set(BlockedDevice.objects.filter(identifier__in=identifiers).values_list("identifier", flat=True))
    busy = dict(
        TradeIn.objects.filter(declared_identifier__in=identifiers, status__in=OPEN)
        .select_related("batch")
        .values_list("declared_identifier", "reference")
    )
    prices = tradein_prices(
        wanted={(product.pk, variant.storage_gb, condition) for _r, product, variant, _i, _a, condition in checked},
        market=market,
    )
    priced: list[_Priced] = []
    for row, product, variant, identifier, answers, condition in checked:
        if identifier in blocked:
            errors.append(
                row_error(row.number, "identifier", "This device is reported lost or stolen: it cannot be traded in.")
            )
            continue
        if identifier in busy:
            errors.append(
                row_error(row.number, "identifier", f"This device is already in trade-in {busy[identifier]}.")
            )
            continue
        price = prices.get((product.pk, variant.storage_gb, condition))
        if price is None:
            errors.append(
                row_error(row.number, "product", f"We cannot price the {product.name} in {market.country} right now.")
            )
            continue
        priced.append(_Priced(row, product, variant, identifier, answers, condition, price[0].amount, price[1]))
    if errors:
        errors.sort(key=lambda e: int(e["field"].split(" ")[1].split(".")[0]))
        rows_with_errors = {e["field"].split(".")[0] for e in errors}
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"Nothing was quoted: {len(errors)} error(s) in {len(rows_with_errors)} row(s).",
            errors=errors,
        )
    return priced


def batch_quote_create(
    *,
    partner: Organisation,
    actor: Actor,
    rows: list[BatchRow],
    market_code: str | None = None,
    partner_reference: str = "",
    now: datetime | None = None,
) -> Batch:
    """One batch quote for a company's devices (see the module's docstring): all rows valid, or
    VALIDATION naming each bad cell and nothing saved. The market is the company's country's unless
    `market_code` names another. Side effects: the batch, one quoted `TradeIn` per device (one audit
    row each, and one for the batch)."""
    if not rows:
        raise ApplicationError(ErrorCode.VALIDATION, "The batch has no devices.")
    market = _market_for(partner, market_code)
    priced = _check_rows(rows, market)
    now = now or timezone.now()
    expires_at = now + timedelta(days=rules.QUOTE_VALID_DAYS)
    with transaction.atomic():
        batch = Batch.objects.create(
            partner=partner,
            market=market,
            currency=market.currency,
            device_count=len(priced),
            offer_total_amount=sum(item.offer_amount for item in priced),
            expires_at=expires_at,
            partner_reference=partner_reference[:100],
            created_at=now,
            updated_at=now,
        )
        devices = TradeIn.objects.bulk_create(
            [
                TradeIn(
                    product=item.product,
                    variant=item.variant,
                    market=market,
                    currency=market.currency,
                    answers=item.answers,
                    declared_condition=item.condition,
                    offer_amount=item.offer_amount,
                    price_source=item.source,
                    expires_at=expires_at,
                    partner=partner,
                    batch=batch,
                    declared_identifier=item.identifier,
                    created_at=now,
                    updated_at=now,
                )
                for item in priced
            ],
            batch_size=1000,
        )
        _audit_many(devices, actor=actor, to_status=TradeInStatus.QUOTED, reason=f"batch {batch.reference}")
        audit_record(
            obj=batch,
            actor=actor,
            from_status="",
            to_status=BatchStatus.QUOTED,
            organisation=partner,
            reason=f"{len(priced)} devices, {batch.offer_total}",
        )
    return batch


def _audit_many(
    devices: Iterable[TradeIn], *, actor: Actor, to_status: str, reason: str, from_status: str = ""
) -> None:
    content_type = ContentType.objects.get_for_model(TradeIn)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_user=actor.user,
                actor_api_key=actor.api_key,
                actor_label=actor.label,
                organisation_id=device.partner_id,
                content_type=content_type,
                object_id=str(device.pk),
                from_status=from_status,
                to_status=to_status,
                reason=reason,
            )
            for device in devices
        ],
        batch_size=1000,
    )


# --- accept ------------------------------------------------------------------------------------------
def business_sender(partner: Organisation) -> Contact | None:
    """The company's sender address from its business details, if it set them."""
    profile = BusinessProfile.objects.filter(organisation=partner).first()
    if profile is None:
        return None
    return Contact(
        full_name=f"{profile.company_name} ({profile.contact_name})"[:150],
        email=profile.email,
        phone=profile.phone,
        address_line=profile.address_line,
        postal_code=profile.postal_code,
        city=profile.city,
        country=profile.country,
    )


def batch_accept(
    *,
    batch: Batch,
    actor: Actor,
    payout: PayoutChoice,
    sender: Contact | None = None,
    now: datetime | None = None,
) -> Batch:
    """quoted -> accepted, with every device (see the module's docstring). `sender`: the address the
    parcels come from and declined devices go back to; the company's business details when None.

    Raises QUOTE_EXPIRED (409), INVALID_TRANSITION (accepted already), PAYOUT_METHOD_UNAVAILABLE
    (store credit: a business is paid by bank transfer or partner credit; a bank transfer outside the
    euro markets), VALIDATION (the IBAN, the address; no business details and no sender given)."""
    now = now or timezone.now()
    if batch.status == BatchStatus.EXPIRED or (batch.status == BatchStatus.QUOTED and batch.expires_at <= now):
        raise ApplicationError(
            ErrorCode.QUOTE_EXPIRED,
            f"This batch quote expired on {batch.expires_at:%Y-%m-%d}: prices change, so send the file again.",
            extra={"status": BatchStatus.EXPIRED, "allowed": []},
        )
    if payout.method == PayoutMethod.STORE_CREDIT:
        raise ApplicationError(
            ErrorCode.PAYOUT_METHOD_UNAVAILABLE,
            "A business is paid by bank transfer or as partner credit, not in store credit.",
            errors=[{"field": "payout.method", "message": "bank_transfer or partner_credit."}],
        )
    partner = batch.partner
    sender = sender or business_sender(partner)
    if sender is None:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "Give the address the parcels leave from (sender), or fill in your business details first.",
            errors=[{"field": "sender", "message": "Required: no business details on file."}],
        )
    fields: dict[str, object] = {
        **contact_fields(sender, batch.market, prefix="sender"),
        **payout_fields(payout=payout, market=batch.market, owner=None, partner=partner, contact=sender),
    }
    send_by = now + timedelta(days=rules.SEND_WITHIN_DAYS)

    def devices_follow(locked: Batch, from_status: str) -> None:
        devices = TradeIn.objects.filter(batch=locked)
        # The payout and the sender first: the database refuses an accepted trade-in without them.
        devices.filter(status=TradeInStatus.QUOTED).update(
            **fields, carrier=CARRIER, accepted_at=now, send_by=send_by, updated_at=now
        )
        moved = bulk_transition(
            devices,
            from_status=TradeInStatus.QUOTED,
            to=TradeInStatus.ACCEPTED,
            actor=actor,
            transitions=TRADEIN_TRANSITIONS,
            reason=f"batch {locked.reference} accepted (payout: {payout.method})",
            organisation_field="partner",
        )
        if len(moved) != locked.device_count:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"Some devices of batch {locked.reference} are no longer quoted.",
                extra={"status": locked.status, "allowed": []},
            )
        for number, start in enumerate(range(0, len(moved), PARCEL_DEVICES), start=1):
            parcel = BatchParcel.objects.create(
                batch=locked, number=number, tracking_number=tracking_number_new(country=locked.market_id)
            )
            TradeIn.objects.filter(pk__in=moved[start : start + PARCEL_DEVICES]).update(parcel=parcel)
        accepted = list(tradein_detail_queryset().filter(pk__in=moved).order_by("pk"))
        emit_many(
            EventType.TRADEIN_ACCEPTED,
            [
                (tradein_payload(device, [{"status": TradeInStatus.ACCEPTED, "at": now}]), partner)
                for device in accepted
            ],
        )

    with transaction.atomic():
        batch = transition(
            batch,
            to=BatchStatus.ACCEPTED,
            actor=actor,
            transitions=BATCH_TRANSITIONS,
            organisation=partner,
            reason=f"payout: {payout.method}",
            extra_updates={"payout_method": payout.method, "accepted_at": now, "send_by": send_by},
            then=devices_follow,
        )
        pk = batch.pk
        transaction.on_commit(lambda: notifications.batch_accepted_notify_task.delay(pk))
    return batch


def parcel_count(device_count: int) -> int:
    return math.ceil(device_count / PARCEL_DEVICES)


# --- intake ------------------------------------------------------------------------------------------
def parcel_receive(
    *, parcel: BatchParcel, actor: Actor, source: str = "intake scan", received_at: datetime | None = None
) -> list[TradeIn]:
    """A batch's parcel arrived: each of its devices still awaited becomes received (`tradein.received`
    each). A parcel received already is a 409; so is one whose devices all expired. Returns the
    devices received."""
    received_at = received_at or timezone.now()
    with transaction.atomic():
        locked = BatchParcel.objects.select_for_update().select_related("batch").get(pk=parcel.pk)
        if locked.received_at is not None:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"Parcel {locked.number} of batch {locked.batch.reference} was received on "
                f"{timezone.localtime(locked.received_at):%Y-%m-%d %H:%M}.",
                extra={"status": "received", "allowed": []},
            )
        waiting = list(TradeIn.objects.filter(parcel=locked, status=TradeInStatus.ACCEPTED).order_by("pk"))
        if not waiting:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"No device of parcel {locked.number} of batch {locked.batch.reference} is awaited (expired?).",
                extra={"status": "expired", "allowed": []},
            )
        BatchParcel.objects.filter(pk=locked.pk).update(received_at=received_at)
        received = [
            tradein_receive(
                tradein=device,
                actor=actor,
                source=f"{source}: parcel {locked.number} of batch {locked.batch.reference}",
                received_at=received_at,
            )
            for device in waiting
        ]
    return received


# --- counter-offers ----------------------------------------------------------------------------------
def batch_counter_offers_answer(
    *, batch: Batch, actor: Actor, decisions: Mapping[int, str]
) -> dict[str, list[TradeIn]]:
    """Answer counter-offers of the batch in one step: `decisions` maps a device's trade-in id to
    "accept" or "decline". All or nothing: an unknown device, one with no open counter-offer, or an
    answer other than those two is a VALIDATION error naming it, and nothing is answered. Accepted:
    the lower price is paid; declined: the device goes back. Returns the devices by answer."""
    errors = []
    counter_offered = set(
        TradeIn.objects.filter(batch=batch, status=TradeInStatus.COUNTER_OFFERED).values_list("pk", flat=True)
    )
    for pk, answer in decisions.items():
        if answer not in ("accept", "decline"):
            errors.append({"field": f"decisions.{pk}", "message": "accept or decline."})
        elif pk not in counter_offered:
            errors.append(
                {"field": f"decisions.{pk}", "message": "No open counter-offer for this device in the batch."}
            )
    if not decisions:
        errors.append({"field": "decisions", "message": "Answer at least one counter-offer."})
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "Nothing was answered: some answers are not valid.", errors=errors)
    answered: dict[str, list[TradeIn]] = {"accept": [], "decline": []}
    with transaction.atomic():
        for device in TradeIn.objects.filter(pk__in=list(decisions)).select_related("partner").order_by("pk"):
            if decisions[device.pk] == "accept":
                answered["accept"].append(counter_offer_accept(tradein=device, actor=actor))
            else:
                answered["decline"].append(counter_offer_decline(tradein=device, actor=actor))
    return answered


# --- sweeps ------------------------------------------------------------------------------------------
def batches_expire_due(*, now: datetime | None = None, batch_size: int = rules.SWEEP_BATCH) -> int:
    """Batch quotes past their 14 days expire with their devices; devices of accepted batches not received
    within 21 days expire. Set-based per batch, bounded, idempotent (filters on the source statuses).
    Returns the number of devices expired."""
    now = now or timezone.now()
    actor = Actor.system("trade-in batch expiry")
    count = 0
    for batch in Batch.objects.filter(status=BatchStatus.QUOTED, expires_at__lte=now).order_by("expires_at")[
        :batch_size
    ]:
        with transaction.atomic():
            try:
                transition(
                    batch,
                    to=BatchStatus.EXPIRED,
                    actor=actor,
                    transitions=BATCH_TRANSITIONS,
                    organisation=batch.partner,
                    reason="batch quote not accepted within 14 days",
                )
            except ApplicationError:
                continue  # accepted meanwhile
            count += len(
                bulk_transition(
                    TradeIn.objects.filter(batch=batch),
                    from_status=TradeInStatus.QUOTED,
                    to=TradeInStatus.EXPIRED,
                    actor=actor,
                    transitions=TRADEIN_TRANSITIONS,
                    reason="batch quote not accepted within 14 days",
                    organisation_field="partner",
                )
            )
    late = (
        TradeIn.objects.filter(status=TradeInStatus.ACCEPTED, batch__isnull=False, send_by__lte=now)
        .values_list("batch_id", flat=True)
        .distinct()
    )
    for batch_id in list(late[:batch_size]):
        with transaction.atomic():
            count += len(
                bulk_transition(
                    TradeIn.objects.filter(batch_id=batch_id, send_by__lte=now),
                    from_status=TradeInStatus.ACCEPTED,
                    to=TradeInStatus.EXPIRED,
                    actor=actor,
                    transitions=TRADEIN_TRANSITIONS,
                    reason="device not received within 21 days",
                    organisation_field="partner",
                )
            )
    return count


def batch_is_expired(batch: Batch, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return batch.status == BatchStatus.EXPIRED or (batch.status == BatchStatus.QUOTED and batch.expires_at <= now)


# --- the company's details ---------------------------------------------------------------------------
def business_profile_set(*, partner: Organisation, actor: Actor, values: Mapping[str, str]) -> BusinessProfile:
    """Create or update a company's trade-in details (the sender of its parcels, its contact). The
    country is the company's. Raises VALIDATION naming each missing field."""
    required = ("company_name", "contact_name", "email", "address_line", "postal_code", "city")
    clean = {name: str(values.get(name, "") or "").strip() for name in (*required, "phone")}
    errors = [{"field": name, "message": "Required."} for name in required if not clean[name]]
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "Some business details are missing.", errors=errors)
    with transaction.atomic():
        profile, created = BusinessProfile.objects.update_or_create(
            organisation=partner,
            defaults={**clean, "country": partner.country.lower(), "updated_at": timezone.now()},
        )
        audit_record(
            obj=profile,
            actor=actor,
            from_status="",
            to_status="",
            organisation=partner,
            reason="business details created" if created else "business details changed",
        )
    return profile
