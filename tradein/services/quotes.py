"""Quotes: price a device from the questionnaire, accept with a payout (and get the label), expire.

A quote is a `TradeIn` in `quoted`, valid 14 days. Accepting it needs the owner (a shopper's account,
or a partner for its customer), the sender's address (where a declined device goes back) and the
payout: a bank transfer to an IBAN validated with schwifty (euro markets only), store credit (+10 %,
needs an Encore account), or partner credit (partners only). The label's tracking number is issued
with the acceptance; the device must be received within 21 days.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from catalog.models import Product, Variant
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType, Market, Organisation, User
from marketplace.transitions import audit_record
from orders.models import BuybackGuarantee
from tradein import notifications, rules
from tradein.models import TradeIn
from tradein.questionnaire import answers_validate, condition_from_answers
from tradein.selectors import questions_for_product, tradein_price
from tradein.services.common import tracking_number_new, tradein_transition
from tradein.services.guarantees import guarantee_release_for
from tradein.services.payloads import tradein_payload
from tradein.states import PayoutMethod, TradeInStatus

CARRIER = "Encore Post"


def tradein_quote_create(
    *,
    actor: Actor,
    product: Product,
    variant_id: int,
    market: Market,
    answers: Mapping[str, object],
    partner: Organisation | None = None,
) -> TradeIn:
    """Price a device: the answers (checked against the category's questionnaire) give the declared
    condition, the grid (else the resale-price function) the offer, in the market's currency, valid
    14 days. Raises VALIDATION (unknown variant, answers outside the set), TRADEIN_NO_PRICE."""
    variant = Variant.objects.filter(pk=variant_id, product=product).first()
    if variant is None:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"{product.name} has no variant {variant_id}.",
            errors=[{"field": "variant", "message": "Not a variant of this product."}],
        )
    questions = questions_for_product(product)
    clean = answers_validate(questions, answers)
    condition = condition_from_answers(questions, clean)
    priced = tradein_price(product=product, storage_gb=variant.storage_gb, condition=condition, market=market)
    if priced is None:
        raise ApplicationError(
            ErrorCode.TRADEIN_NO_PRICE,
            f"We cannot price the {product.name} in {market.country} right now: no price in our grid and no "
            "resale price to start from.",
        )
    offer, source = priced
    now = timezone.now()
    with transaction.atomic():
        tradein = TradeIn.objects.create(
            product=product,
            variant=variant,
            market=market,
            currency=market.currency,
            answers=clean,
            declared_condition=condition,
            offer_amount=offer.amount,
            price_source=source,
            expires_at=now + timedelta(days=rules.QUOTE_VALID_DAYS),
            partner=partner,
            created_at=now,
            updated_at=now,
        )
        audit_record(
            obj=tradein,
            actor=actor,
            from_status="",
            to_status=TradeInStatus.QUOTED,
            organisation=partner,
            reason=f"{condition}, {offer} ({source})",
        )
    return tradein


@dataclass(frozen=True)
class Contact:
    """The sender: where the label comes from and where a declined device goes back."""

    full_name: str
    email: str
    address_line: str
    postal_code: str
    city: str
    country: str
    phone: str = ""


@dataclass(frozen=True)
class PayoutChoice:
    method: str
    iban: str = ""
    account_holder: str = ""


def iban_validate(raw: str, *, field: str = "payout.iban") -> str:
    """The IBAN in its compact form, checked by schwifty (country format and check digits).
    Raises VALIDATION naming `field`."""
    try:
        return str(IBAN(raw or "").compact)
    except (SchwiftyException, ValueError) as error:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"This IBAN is not valid: {error}",
            errors=[{"field": field, "message": f"Not a valid IBAN ({error})."}],
        ) from None


def payout_fields(
    *, payout: PayoutChoice, market: Market, owner: User | None, partner: Organisation | None, contact: Contact
) -> dict[str, str]:
    """The payout's fields, checked: the method exists and suits the seller (store credit needs an
    account, partner credit a partner, a bank transfer a euro market and a valid IBAN). Raises
    VALIDATION, PAYOUT_METHOD_UNAVAILABLE."""
    if payout.method not in PayoutMethod.values:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"Unknown payout method {payout.method!r}.",
            errors=[{"field": "payout.method", "message": f"One of {', '.join(PayoutMethod.values)}."}],
        )
    if payout.method == PayoutMethod.BANK_TRANSFER:
        if market.currency not in rules.BANK_TRANSFER_CURRENCIES:
            raise ApplicationError(
                ErrorCode.PAYOUT_METHOD_UNAVAILABLE,
                f"Bank transfers are for euro markets only; in {market.country} we pay in store credit.",
                errors=[{"field": "payout.method", "message": "Not available in this market."}],
            )
        iban = iban_validate(payout.iban)
        holder = (payout.account_holder or contact.full_name).strip()[:70]
        return {"payout_method": payout.method, "iban": iban, "account_holder": holder}
    if payout.method == PayoutMethod.STORE_CREDIT and owner is None:
        raise ApplicationError(
            ErrorCode.PAYOUT_METHOD_UNAVAILABLE,
            "Store credit needs an Encore account: pay a partner's customer as partner credit or by bank transfer.",
            errors=[{"field": "payout.method", "message": "Needs an Encore account."}],
        )
    if payout.method == PayoutMethod.PARTNER_CREDIT and partner is None:
        raise ApplicationError(
            ErrorCode.PAYOUT_METHOD_UNAVAILABLE,
            "Partner credit is for trade-ins made through a partner.",
            errors=[{"field": "payout.method", "message": "For partners only."}],
        )
    return {"payout_method": payout.method, "iban": "", "account_holder": ""}


def contact_fields(contact: Contact, market: Market, *, prefix: str = "customer") -> dict[str, str]:
    """The sender's fields, checked (every one required but the phone; the market's country).
    Raises VALIDATION naming `<prefix>.<field>`."""
    errors = [
        {"field": f"{prefix}.{name}", "message": "Required."}
        for name in ("full_name", "email", "address_line", "postal_code", "city")
        if not str(getattr(contact, name) or "").strip()
    ]
    if contact.country.lower() != market.code:
        errors.append({"field": f"{prefix}.country", "message": f"Must be {market.code}: the device ships from there."})
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The sender's details are incomplete.", errors=errors)
    return {
        "full_name": contact.full_name.strip()[:150],
        "email": contact.email.strip()[:254],
        "phone": contact.phone.strip()[:30],
        "address_line": contact.address_line.strip()[:200],
        "postal_code": contact.postal_code.strip()[:20],
        "city": contact.city.strip()[:100],
        "country": market.code,
    }


def quote_is_expired(tradein: TradeIn, now: datetime | None = None) -> bool:
    """Expired: swept already, or past its 14 days while still quoted."""
    now = now or timezone.now()
    return tradein.status == TradeInStatus.EXPIRED or (
        tradein.status == TradeInStatus.QUOTED and tradein.expires_at <= now
    )


def _refuse_expired(tradein: TradeIn) -> None:
    raise ApplicationError(
        ErrorCode.QUOTE_EXPIRED,
        f"This quote expired on {tradein.expires_at:%Y-%m-%d}: prices change, so ask for a new quote.",
        extra={"status": TradeInStatus.EXPIRED, "allowed": []},
    )


def tradein_quote_accept(
    *,
    tradein: TradeIn,
    actor: Actor,
    contact: Contact,
    payout: PayoutChoice,
    owner: User | None = None,
    partner: Organisation | None = None,
    partner_reference: str = "",
) -> TradeIn:
    """quoted -> accepted: the owner, the sender's address and the payout are recorded, the prepaid
    label's tracking number issued, the send-by deadline set (21 days). Emits `tradein.accepted`;
    after commit the owner gets the instructions with the label. An expired quote is refused
    (QUOTE_EXPIRED, 409). Raises VALIDATION (address, IBAN), PAYOUT_METHOD_UNAVAILABLE,
    INVALID_TRANSITION (already accepted)."""
    if owner is None and partner is None:
        raise ValueError("A trade-in is accepted by a shopper or a partner")
    if tradein.guarantee_id is not None and (
        owner is None
        or not BuybackGuarantee.objects.filter(pk=tradein.guarantee_id, line__seller_order__order__buyer=owner).exists()
    ):
        raise ApplicationError(ErrorCode.NOT_FOUND, "This guaranteed buy-back belongs to another account.")
    if quote_is_expired(tradein):
        _refuse_expired(tradein)
    market = tradein.market
    fields: dict[str, object] = {
        **contact_fields(contact, market),
        **payout_fields(payout=payout, market=market, owner=owner, partner=partner, contact=contact),
    }
    now = timezone.now()
    fields.update(
        owner=owner,
        partner=partner,
        partner_reference=partner_reference[:100],
        carrier=CARRIER,
        tracking_number=tracking_number_new(country=market.code),
        accepted_at=now,
        send_by=now + timedelta(days=rules.SEND_WITHIN_DAYS),
    )

    def checks(locked: TradeIn, from_status: str) -> None:
        if locked.expires_at <= now:  # expired while the form was open, before the sweep
            _refuse_expired(locked)
        emit(EventType.TRADEIN_ACCEPTED, tradein_payload(locked), locked.partner)

    with transaction.atomic():
        tradein.partner = partner  # audited under the partner that accepts it
        tradein = tradein_transition(
            tradein,
            to=TradeInStatus.ACCEPTED,
            actor=actor,
            reason=f"payout: {payout.method}",
            extra_updates=fields,
            then=checks,
        )
        pk = tradein.pk
        transaction.on_commit(lambda: notifications.tradein_accepted_notify_task.delay(pk))
    return tradein


# --- sweeps ------------------------------------------------------------------------------------------
def tradeins_expire_quotes(*, now: datetime | None = None, batch: int = rules.SWEEP_BATCH) -> int:
    """Quotes past their 14 days become expired. Bounded, idempotent (filters on the source status)."""
    now = now or timezone.now()
    actor = Actor.system("trade-in quote expiry")
    count = 0
    # A business batch's devices expire with their batch (`batches.batches_expire_due`).
    quotes = TradeIn.objects.filter(status=TradeInStatus.QUOTED, expires_at__lte=now, batch__isnull=True)
    for tradein in quotes.order_by("expires_at")[:batch]:
        try:
            with transaction.atomic():
                tradein_transition(
                    tradein, to=TradeInStatus.EXPIRED, actor=actor, reason="quote not accepted within 14 days"
                )
                guarantee_release_for(tradein, actor=actor, reason="its trade-in quote expired")
            count += 1
        except ApplicationError:
            continue  # accepted meanwhile
    return count


def tradeins_expire_unsent(*, now: datetime | None = None, batch: int = rules.SWEEP_BATCH) -> int:
    """Accepted trade-ins not received within 21 days become expired; the owner is told. Bounded, idempotent."""
    now = now or timezone.now()
    actor = Actor.system("trade-in send-by expiry")
    count = 0
    unsent = TradeIn.objects.filter(status=TradeInStatus.ACCEPTED, send_by__lte=now, batch__isnull=True)
    for tradein in unsent.order_by("send_by")[:batch]:
        try:
            with transaction.atomic():
                tradein_transition(
                    tradein, to=TradeInStatus.EXPIRED, actor=actor, reason="device not received within 21 days"
                )
                guarantee_release_for(tradein, actor=actor, reason="its trade-in was not sent in time")
                pk = tradein.pk
                transaction.on_commit(functools.partial(notifications.tradein_expired_notify_task.delay, pk))
            count += 1
        except ApplicationError:
            continue  # received meanwhile
    return count
