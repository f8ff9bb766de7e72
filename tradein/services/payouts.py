"""Paying the owner once the price is final: store credit (+10 %) and partner credit at once, bank
transfers collected into SEPA credit transfer files that finance downloads and marks as sent.

A trade-in becomes `paid` when its money has gone: credited to the wallet, owed to the partner in
its ledger, or carried by a SEPA file the bank has been sent. Each payout is one row per device
(a OneToOne), so a device is never paid twice; a zero price pays nothing and is paid at once.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType
from marketplace.money import Money
from marketplace.transitions import audit_record
from orders.services import ledger
from orders.services.wallet import store_credit_grant
from tradein import notifications, rules
from tradein.documents.sepa import Debtor, Transfer, build_pain001
from tradein.models import Payout, SepaBatch, TradeIn
from tradein.services.common import tradein_transition
from tradein.services.payloads import tradein_payload
from tradein.states import PayoutMethod, PayoutStatus, TradeInStatus


def _mark_paid(tradein: TradeIn, *, actor: Actor, reason: str) -> TradeIn:
    def announce(locked: TradeIn, from_status: str) -> None:
        emit(EventType.TRADEIN_PAID, tradein_payload(locked), locked.partner)

    tradein = tradein_transition(
        tradein,
        to=TradeInStatus.PAID,
        actor=actor,
        reason=reason,
        extra_updates={"paid_at": timezone.now()},
        then=announce,
    )
    pk = tradein.pk
    transaction.on_commit(lambda: notifications.tradein_paid_notify_task.delay(pk))
    return tradein


def payout_make(*, tradein: TradeIn, actor: Actor) -> TradeIn:
    """The price is final (`final_amount` set; inspected as declared, or the counter-offer accepted):
    pay by the method chosen at acceptance. Store credit (+10 %) and partner credit are paid now
    (-> paid); a bank transfer waits for the next SEPA file. Runs inside the caller's transaction."""
    price = Money(tradein.final_amount or 0, tradein.currency)
    if price.amount == 0:
        return _mark_paid(tradein, actor=actor, reason="nothing to pay (price zero)")
    method = tradein.payout_method
    if method == PayoutMethod.STORE_CREDIT:
        if tradein.owner is None:
            raise ApplicationError(ErrorCode.PAYOUT_METHOD_UNAVAILABLE, "Store credit needs an Encore account.")
        amount = rules.store_credit_amount(price)
        store_credit_grant(
            user=tradein.owner,
            amount=amount,
            reference=tradein.reference,
            actor=actor,
            memo=f"trade-in {tradein.reference}",
        )
        Payout.objects.create(
            tradein=tradein, method=method, amount=amount.amount, currency=amount.currency, status=PayoutStatus.CREDITED
        )
        return _mark_paid(tradein, actor=actor, reason=f"store credit {amount}")
    if method == PayoutMethod.PARTNER_CREDIT:
        ledger.book_tradein_purchase(
            amount=price, owed_to=ledger.OwedTo.PARTNER, reference=tradein.reference, organisation=tradein.partner
        )
        Payout.objects.create(
            tradein=tradein, method=method, amount=price.amount, currency=price.currency, status=PayoutStatus.CREDITED
        )
        return _mark_paid(tradein, actor=actor, reason=f"partner credit {price}")
    Payout.objects.create(
        tradein=tradein,
        method=PayoutMethod.BANK_TRANSFER,
        amount=price.amount,
        currency=price.currency,
        status=PayoutStatus.PENDING,
        iban=tradein.iban,
        account_holder=tradein.account_holder or tradein.full_name,
    )
    audit_record(obj=tradein, actor=actor, from_status="", to_status="", reason=f"bank transfer of {price} queued")
    return tradein


def _debtor() -> Debtor:
    return Debtor(
        name=settings.TRADEIN_SEPA_DEBTOR_NAME,
        iban=settings.TRADEIN_SEPA_DEBTOR_IBAN,
        bic=settings.TRADEIN_SEPA_DEBTOR_BIC,
    )


def sepa_batch_create(*, actor: Actor, execution_date: date | None = None, limit: int = 1000) -> SepaBatch | None:
    """Collect the pending bank transfers (oldest first, at most `limit`) into one pain.001 file.
    The payouts are locked and marked batched in the same transaction, so two finance people
    clicking at once never put a transfer in two files. None when nothing is pending."""
    execution_date = execution_date or timezone.localdate()
    with transaction.atomic():
        payouts = list(
            Payout.objects.select_for_update(skip_locked=True)
            .filter(status=PayoutStatus.PENDING, currency="EUR")
            .order_by("created_at", "id")[:limit]
        )
        if not payouts:
            return None
        references = dict(TradeIn.objects.filter(pk__in=[p.tradein_id for p in payouts]).values_list("pk", "reference"))
        message_id = f"ENC-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(4).upper()}"
        transfers = [
            Transfer(
                name=payout.account_holder,
                iban=payout.iban,
                amount=payout.money,
                description=f"Encore trade-in {references[payout.tradein_id]}",
                end_to_end_id=references[payout.tradein_id],
            )
            for payout in payouts
        ]
        xml = build_pain001(debtor=_debtor(), message_id=message_id, execution_date=execution_date, transfers=transfers)
        batch = SepaBatch.objects.create(
            message_id=message_id,
            currency="EUR",
            total_amount=sum(p.amount for p in payouts),
            count=len(payouts),
            xml=xml.decode(),
            created_by=actor.user,
        )
        Payout.objects.filter(pk__in=[p.pk for p in payouts]).update(status=PayoutStatus.BATCHED, batch=batch)
        audit_record(obj=batch, actor=actor, from_status="", to_status="created", reason=f"{len(payouts)} transfers")
    return batch


def sepa_batch_mark_sent(*, batch: SepaBatch, actor: Actor) -> SepaBatch:
    """Finance uploaded the file to the bank: each of its trade-ins becomes paid (cash out in the
    ledger, `tradein.paid`, the owner told). Marking a file twice is refused (409)."""
    with transaction.atomic():
        locked = SepaBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.sent_at is not None:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"The SEPA file {locked.message_id} was already marked as sent.",
                extra={"status": "sent", "allowed": []},
            )
        locked.sent_at, locked.sent_by = timezone.now(), actor.user
        locked.save(update_fields=["sent_at", "sent_by"])
        audit_record(obj=locked, actor=actor, from_status="created", to_status="sent")
        payouts = list(locked.payouts.select_related("tradein__partner").order_by("pk"))
        Payout.objects.filter(batch=locked).update(status=PayoutStatus.SENT)
        for payout in payouts:
            ledger.book_tradein_purchase(
                amount=payout.money, owed_to=ledger.OwedTo.BANK, reference=payout.tradein.reference
            )
            _mark_paid(payout.tradein, actor=actor, reason=f"bank transfer in {locked.message_id}")
    return locked
