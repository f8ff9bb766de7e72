"""Forward trade-in: redeeming a guaranteed buy-back taken at checkout (DOMAIN.md, Trade-in).

The guarantee lives on the orders floor (`orders.BuybackGuarantee`, its monthly prices fixed at checkout,
`orders/buyback.py`); trade-in reads it and claims it. Redeeming starts an ordinary trade-in at the
guaranteed price of the month, for the unit the guarantee covers, if the unit is in good condition:

    it powers on, its screen is intact (not cracked), it has had no liquid damage, and its accounts are
    signed out (no activation lock).

The shopper answers the category's questions and the liquid-damage one; a device that fails a condition
is refused with what fails (and the ordinary quote is offered instead). At inspection the same conditions
are checked on the device (`guarantee_conditions_failed`), and the unit must be the one bought: if all
holds, the guaranteed price stands whatever the scratches; if not, a counter-offer at the grid's price.
A trade-in that falls through (quote or parcel expired, the device sent back) gives the guarantee back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import User
from marketplace.transitions import audit_record
from orders.buyback import guaranteed_price
from orders.models import BuybackGuarantee, OrderUnit
from orders.services.buyback import buyback_guarantee_claim, buyback_guarantee_release
from tradein import rules
from tradein.models import PriceSource, TradeIn
from tradein.questionnaire import answers_validate, condition_from_answers
from tradein.selectors import questions_for_product
from tradein.states import TradeInStatus

# The guarantee's conditions, on the questionnaire's answers (DOMAIN.md: "in good condition").
# What the shopper reads is translated when it is read (`str()` in the active language).
CONDITIONS: tuple[tuple[str, str, Promise], ...] = (
    # (question, answers that fail it, what the shopper reads)
    ("powers_on", "no", gettext_lazy("it switches on")),
    ("screen", "cracked", gettext_lazy("its screen is intact")),
    ("accounts_signed_out", "no", gettext_lazy("its accounts are signed out")),
)
LIQUID = gettext_lazy("it has had no liquid damage")


def guarantee_conditions_failed(answers: Mapping[str, str], *, liquid_damage: bool) -> list[str]:
    """Which of the guarantee's conditions a device fails, from its answers and the liquid-damage
    answer (an empty list: it may be redeemed). Pure: the same rule for the shopper and the inspector."""
    failed = [str(wording) for question, failing, wording in CONDITIONS if answers.get(question) == failing]
    if liquid_damage:
        failed.append(str(LIQUID))
    return failed


def guarantee_for_owner(*, owner: User, guarantee_id: int) -> BuybackGuarantee:
    """A shopper's own guarantee (the buyer of its order); another's is NOT_FOUND."""
    guarantee = (
        BuybackGuarantee.objects.select_related("line__seller_order__order", "line__listing__variant__product")
        .filter(pk=guarantee_id, line__seller_order__order__buyer=owner)
        .first()
    )
    if guarantee is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "No such guaranteed buy-back in your account.")
    return guarantee


def guarantee_redeem(
    *,
    guarantee: BuybackGuarantee,
    owner: User,
    actor: Actor,
    answers: Mapping[str, object],
    liquid_damage: bool,
    now: datetime | None = None,
) -> TradeIn:
    """Start a trade-in at the guaranteed price of this month for the guarantee's unit (a quote, valid
    14 days, that the owner accepts like any other: payout, label). The guarantee is claimed in the same
    transaction, so it is redeemed once.

    Preconditions: `guarantee` is `owner`'s (`guarantee_for_owner`); its line's listing still names the
    model bought. Raises VALIDATION (answers; a condition failed: `errors` name each, field `condition`),
    INVALID_TRANSITION (redeemed already, or the unit was cancelled or refunded), QUOTE_EXPIRED (past its
    24 months)."""
    now = now or timezone.now()
    line = guarantee.line
    listing = line.listing
    if listing is None:
        raise ApplicationError(ErrorCode.VALIDATION, "The model of this purchase is no longer in our catalog.")
    product, variant = listing.variant.product, listing.variant
    clean = answers_validate(questions_for_product(product), answers)
    failed = guarantee_conditions_failed(clean, liquid_damage=liquid_damage)
    if failed:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "The guaranteed price is for a device in good condition, and this one is not: "
            + "; ".join(failed)
            + " is required. You can still get an ordinary quote for it.",
            errors=[{"field": "condition", "message": f"Required: {wording}."} for wording in failed],
        )
    price = guaranteed_price(guarantee.schedule, currency=guarantee.currency, starts_at=guarantee.starts_at, now=now)
    if price is None:
        raise ApplicationError(
            ErrorCode.QUOTE_EXPIRED,
            f"This guaranteed buy-back ended on {guarantee.ends_at:%Y-%m-%d}.",
            extra={"status": "expired", "allowed": []},
        )
    units = list(OrderUnit.objects.filter(line=line).order_by("pk").values_list("identifier", flat=True))
    identifier = units[guarantee.unit_number - 1] if len(units) >= guarantee.unit_number else ""
    order = line.seller_order.order
    with transaction.atomic():
        tradein = TradeIn.objects.create(
            product=product,
            variant=variant,
            market=order.market,
            currency=guarantee.currency,
            answers=clean,
            declared_condition=condition_from_answers(questions_for_product(product), clean),
            offer_amount=price.amount,
            price_source=PriceSource.GUARANTEE,
            expires_at=now + timedelta(days=rules.QUOTE_VALID_DAYS),
            guarantee=guarantee,
            declared_identifier=identifier,
            created_at=now,
            updated_at=now,
        )
        buyback_guarantee_claim(guarantee=guarantee, reference=tradein.reference, actor=actor, now=now)
        audit_record(
            obj=tradein,
            actor=actor,
            from_status="",
            to_status=TradeInStatus.QUOTED,
            reason=f"guaranteed buy-back {guarantee.pk}: {price}",
        )
    return tradein


def guarantee_release_for(tradein: TradeIn, *, actor: Actor, reason: str) -> None:
    """The trade-in that redeemed a guarantee fell through: the guarantee is redeemable again (runs in
    the caller's transaction; nothing for a trade-in without a guarantee)."""
    if tradein.guarantee_id is not None:
        buyback_guarantee_release(reference=tradein.reference, actor=actor, reason=reason)


def guarantee_inspection_counter(
    tradein: TradeIn, *, answers: Mapping[str, str], liquid_damage: bool, identifier: str
) -> str | None:
    """At inspection of a guaranteed trade-in: None when the guaranteed price stands (the unit bought,
    in good condition), else why a counter-offer is due (for its note)."""
    if tradein.declared_identifier and identifier != tradein.declared_identifier:
        return "This is not the unit the guarantee covers (its IMEI or serial differs)."
    failed = guarantee_conditions_failed(answers, liquid_damage=liquid_damage)
    if failed:
        return "The guarantee needs a device in good condition: " + "; ".join(failed) + "."
    return None
