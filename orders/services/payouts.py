"""Payouts: on the 6th, 16th and 26th, one Stripe Connect transfer per seller and currency for its
payable balance (money past the 30-day return window: released when the seller order completed).
Only sellers whose Connect account Stripe enabled for payouts are paid (`orders.services.connect`).
A seller whose payouts a success manager deferred (`orders.services.measures`) is skipped until then.

Idempotent twice over: one payout row per seller, currency and pay date (a unique constraint), and
the transfer carries that payout's Idempotency-Key, so a rerun after a crash cannot pay twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.money import Money
from marketplace.transitions import audit_record, transition
from orders import gateways
from orders.models import LedgerAccount, LedgerEntry, Payout, SellerPayoutAccount
from orders.services import ledger
from orders.services.measures import payouts_deferred_sellers
from orders.states import PAYOUT_TRANSITIONS, PayoutStatus

logger = logging.getLogger(__name__)
PAY_DAYS = (6, 16, 26)


PAY_HOUR_UTC = 5  # the beat runs payouts at 05:00 UTC on pay days (settings.CELERY_BEAT_SCHEDULE)


def next_pay_date(*, now: datetime | None = None, not_before: date | None = None) -> date:
    """The next pay date (the 6th, 16th or 26th) from `now`: today's until the run at 05:00 UTC, and not
    before `not_before` (a deferral's end)."""
    now = now or timezone.now()
    day = now.astimezone(UTC).date()
    if now.astimezone(UTC).hour >= PAY_HOUR_UTC:
        day += timedelta(days=1)
    if not_before is not None and not_before > day:
        day = not_before
    while day.day not in PAY_DAYS:
        day += timedelta(days=1)
    return day


def payouts_run(*, pay_date: date | None = None, actor: Actor | None = None) -> list[Payout]:
    """Create and send the payouts of `pay_date` (today by default). Safe to run again the same day."""
    pay_date = pay_date or timezone.localdate()
    actor = actor or Actor.system("payouts")
    balances = (
        LedgerEntry.objects.filter(account=LedgerAccount.SELLER_AVAILABLE, seller__isnull=False)
        .values("seller_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by("seller_id", "currency")
    )
    # Only to accounts whose payouts Stripe enabled (onboarding done, nothing due): the rest waits.
    accounts = dict(
        SellerPayoutAccount.objects.filter(payouts_enabled=True).values_list("seller_id", "stripe_account_id")
    )
    deferred = payouts_deferred_sellers(on=pay_date)  # a success manager deferred their payouts
    done: list[Payout] = []
    for row in balances:
        owed = -(row["total"] or 0)
        seller_id, currency = row["seller_id"], row["currency"]
        if owed <= 0 or seller_id not in accounts or seller_id in deferred:
            continue
        payout = _payout_create(seller_id=seller_id, currency=currency, amount=owed, pay_date=pay_date, actor=actor)
        done.append(payout)
    # Send every payout of the date still pending (new ones, and any a crash left unsent).
    for payout in Payout.objects.filter(pay_date=pay_date, status=PayoutStatus.PENDING).order_by("pk"):
        payout_send(payout=payout, destination=accounts.get(payout.seller_id, ""), actor=actor)
    return [Payout.objects.get(pk=p.pk) for p in done]


def _payout_create(*, seller_id: int, currency: str, amount: int, pay_date: date, actor: Actor) -> Payout:
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                seller_id=seller_id,
                currency=currency,
                amount=amount,
                pay_date=pay_date,
                idempotency_key=f"payout-{seller_id}-{currency}-{pay_date.isoformat()}",
            )
            ledger.book_payout(payout=payout)
            audit_record(
                obj=payout, actor=actor, from_status="", to_status=PayoutStatus.PENDING, organisation=payout.seller
            )
            return payout
    except IntegrityError:
        return Payout.objects.get(seller_id=seller_id, currency=currency, pay_date=pay_date)


def payout_send(*, payout: Payout, destination: str, actor: Actor) -> Payout:
    """pending -> paid: transfer the payout to `destination` (a Stripe Connect account), Idempotency-Key the payout's.

    The payout row stays locked during the transfer, so two runs cannot both send it; a payout no
    longer pending is returned as it is. A refused transfer makes it failed (the provider's message
    kept) and books the money back as payable. Each move is audited under the seller.
    """
    with transaction.atomic():
        payout = Payout.objects.select_related("seller").select_for_update(of=("self",)).get(pk=payout.pk)
        if payout.status != PayoutStatus.PENDING:
            return payout
        seller = payout.seller
        try:
            reference = gateways.transfer_gateway().transfer(
                destination=destination,
                amount=Money(payout.amount, payout.currency),
                idempotency_key=payout.idempotency_key,
                description=f"Encore payout {payout.pay_date.isoformat()}",
            )
        except ApplicationError as exc:
            payout = transition(
                payout,
                to=PayoutStatus.FAILED,
                actor=actor,
                transitions=PAYOUT_TRANSITIONS,
                reason=exc.message,
                organisation=seller,
                extra_updates={"failure": exc.message[:300]},
            )
            ledger.book_payout(payout=payout, reverse=True)
            return payout
        payout = transition(
            payout,
            to=PayoutStatus.PAID,
            actor=actor,
            transitions=PAYOUT_TRANSITIONS,
            reason=reference,
            organisation=seller,
            extra_updates={"transfer_reference": reference},
        )
    return payout
