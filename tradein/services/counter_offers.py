"""The owner's answer to a counter-offer (in their account, or by the partner over the API), and the
14-day silence: accepted, the lower price is final and paid; declined or unanswered, the device goes
back at the platform's cost with its own prepaid label. A counter-offer is answered once: the second
answer finds the trade-in moved on and gets a 409 naming its status."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from tradein import notifications, rules
from tradein.models import CounterOffer, TradeIn
from tradein.services.common import tracking_number_new, tradein_transition
from tradein.services.guarantees import guarantee_release_for
from tradein.services.payouts import payout_make
from tradein.states import CounterOfferOutcome, TradeInStatus


def counter_offer_accept(*, tradein: TradeIn, actor: Actor) -> TradeIn:
    """counter_offered -> counter_accepted: the counter-offer's price becomes final and is paid (store
    or partner credit at once; a bank transfer in the next SEPA file). Past its 14 days it is refused
    (the sweep sends the device back). Raises INVALID_TRANSITION (answered already)."""
    now = timezone.now()

    def answer(locked: TradeIn, from_status: str) -> None:
        offer = CounterOffer.objects.select_for_update().get(tradein=locked)
        if offer.expires_at <= now:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"This counter-offer expired on {offer.expires_at:%Y-%m-%d}: the device is on its way back.",
                extra={"status": locked.status, "allowed": []},
            )
        offer.outcome, offer.answered_at = CounterOfferOutcome.ACCEPTED, now
        offer.save(update_fields=["outcome", "answered_at"])
        locked.final_amount = offer.amount
        TradeIn.objects.filter(pk=locked.pk).update(final_amount=offer.amount)

    with transaction.atomic():
        tradein = tradein_transition(
            tradein, to=TradeInStatus.COUNTER_ACCEPTED, actor=actor, reason="counter-offer accepted", then=answer
        )
        tradein.final_amount = TradeIn.objects.values_list("final_amount", flat=True).get(pk=tradein.pk)
        tradein = payout_make(tradein=tradein, actor=actor)
    return tradein


def _send_back(tradein: TradeIn, *, actor: Actor, outcome: str, reason: str) -> TradeIn:
    now = timezone.now()

    def answer(locked: TradeIn, from_status: str) -> None:
        CounterOffer.objects.filter(tradein=locked).update(
            outcome=outcome,
            answered_at=now if outcome == CounterOfferOutcome.DECLINED else None,
            return_tracking_number=tracking_number_new(country=locked.country or locked.market_id),
        )

    with transaction.atomic():
        tradein = tradein_transition(tradein, to=TradeInStatus.RETURNED, actor=actor, reason=reason, then=answer)
        guarantee_release_for(tradein, actor=actor, reason="its device was sent back")
        pk = tradein.pk
        transaction.on_commit(lambda: notifications.tradein_returned_notify_task.delay(pk))
    return tradein


def counter_offer_decline(*, tradein: TradeIn, actor: Actor) -> TradeIn:
    """counter_offered -> returned: the device goes back at the platform's cost, with its own label."""
    return _send_back(tradein, actor=actor, outcome=CounterOfferOutcome.DECLINED, reason="counter-offer declined")


def counter_offers_lapse(*, now: datetime | None = None, batch: int = rules.SWEEP_BATCH) -> int:
    """Counter-offers unanswered after 14 days: the device goes back. Bounded, idempotent."""
    now = now or timezone.now()
    actor = Actor.system("counter-offer silence")
    ids = list(
        CounterOffer.objects.filter(
            outcome=CounterOfferOutcome.OPEN, expires_at__lte=now, tradein__status=TradeInStatus.COUNTER_OFFERED
        )
        .order_by("expires_at")
        .values_list("tradein_id", flat=True)[:batch]
    )
    count = 0
    for tradein in TradeIn.objects.filter(pk__in=ids).select_related("partner").order_by("pk"):
        try:
            _send_back(tradein, actor=actor, outcome=CounterOfferOutcome.LAPSED, reason="no answer within 14 days")
            count += 1
        except ApplicationError:
            continue  # answered meanwhile
    return count
