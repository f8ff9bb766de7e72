"""The one refund service: cancellations, returns, warranty claims, and money captured after an order closed.

`refund_issue` is the only way money goes back to a buyer. It is crash-safe in three steps:

1. **Record the intent** (one transaction, under the payment's row lock): a `Refund` row in `pending`
   with its idempotency key, the amount reserved on the payment (`refunded_amount`, which a CHECK
   keeps within what was captured), the seller's share clawed back in the ledger, `order.refunded`
   in the outbox. The key names the business operation (`refund-return-12`), so asking twice, at
   once or after a retry, finds the same row and pays once.
2. **Call the provider** after that commit, with the same key (Stripe's Refund API; the test
   provider; for orders paid on a partner's invoice, a credit note instead of money).
3. **Mark it done** (`succeeded`, with the provider's reference and the time).

A crash between 2 and 3 leaves the row pending: `refunds_retry_pending` (beat, every 5 minutes)
sends it again with the same key, and the provider answers with the refund it already made. A
provider that keeps refusing (`REFUND_MAX_ATTEMPTS`) fails the refund: the reservation and the
claw-back are reversed, the store credit it gave back first is taken back
(`wallet.store_credit_take_back`), and the audit trail says why.

Sales tax (US orders): a refund of goods gives back the sales tax charged on them too, in the same
refund (`Refund.sales_tax_amount`, part of its amount): the order's tax in proportion to the goods
refunded so far, so that refunding every item gives back exactly the tax paid (`_sales_tax_share`).
The seller's claw-back is on the goods alone; the tax comes back out of the `sales_tax` account.

Kept as one function on purpose: a later rule (store credit paid back as credit) belongs inside it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType
from marketplace.money import Money
from marketplace.transitions import audit_record, transition
from orders import gateways
from orders.models import Order, Payment, PaymentProvider, Refund, RefundMethod, SellerOrder
from orders.services import ledger, wallet
from orders.services.events import order_event_data
from orders.states import REFUND_TRANSITIONS, TRANSITIONS, RefundStatus, SellerOrderStatus

logger = logging.getLogger(__name__)

REFUND_MAX_ATTEMPTS = 8  # about 40 minutes of retries every 5 minutes before a person must look
RETRY_AFTER = timedelta(minutes=4)  # a pending refund younger than this is left to its own first attempt
REFUNDABLE_SELLER_ORDER_STATUSES = frozenset({SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED})


def cancel_refund_key(seller_order_id: int) -> str:
    """The key of the refund a seller order's cancellation makes (its e-mail names that refund's amount)."""
    return f"refund-cancel-{seller_order_id}"


def refund_issue(
    *,
    payment: Payment,
    amount: Money,
    actor: Actor,
    reason: str,
    idempotency_key: str,
    seller_order: SellerOrder | None = None,
) -> Refund:
    """Give `amount` of `payment` back to the buyer, once per `idempotency_key`.

    `amount` is the goods' money with a `seller_order`; on a US order the sales tax charged on those
    goods is added to it (`_sales_tax_share`), so the buyer gets back `amount` plus that tax. Without a
    seller order (money captured after the order expired) `amount` is given back as it is.

    Preconditions: `amount` is positive, in the payment's currency, and with its tax at most what is still
    refundable (captured minus refunded, pending refunds included); `idempotency_key` (<= 100
    characters) names the operation (`refund-return-<id>`, `refund-cancel-<seller order id>`).
    Runs in the caller's transaction when there is one.

    Side effects, in that transaction: a `pending` Refund (audited), the amount reserved on the
    payment; with a `seller_order`, the seller's share clawed back in the ledger
    (`ledger.book_refund`), `order.refunded` emitted to the seller (and to the partner of a partner
    order), and a delivered or completed seller order refunded in full moves to `refunded`.
    After commit, the provider is called (`refund_execute`).

    The same key again returns the same refund (no second reservation, no second payment); with
    another amount or payment it raises IDEMPOTENCY_KEY_REUSED. Raises VALIDATION,
    CURRENCY_MISMATCH, REFUND_EXCEEDS_CAPTURE.
    """
    if amount.amount <= 0:
        raise ApplicationError(ErrorCode.VALIDATION, "A refund is a positive amount.")
    if not idempotency_key or len(idempotency_key) > 100:
        raise ApplicationError(ErrorCode.VALIDATION, "A refund needs an idempotency key of 1 to 100 characters.")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if refund is not None:
            asked = refund.goods if refund.seller_order_id is not None else refund.money
            if refund.payment_id != locked.pk or asked != amount:
                raise ApplicationError(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    f"The refund key {idempotency_key} was already used for another refund.",
                )
        else:
            refund = _record(
                locked, amount=amount, actor=actor, reason=reason, key=idempotency_key, seller_order=seller_order
            )
    if refund.status == RefundStatus.PENDING:
        refund_id = refund.pk
        transaction.on_commit(lambda: refund_execute(refund_id=refund_id), robust=True)
    return Refund.objects.get(pk=refund.pk)


def _not_failed(payment: Payment) -> QuerySet[Refund]:
    return Refund.objects.filter(payment=payment).exclude(status=RefundStatus.FAILED)


def goods_refunded(refunds: QuerySet[Refund]) -> int:
    """The goods given back by these refunds (their amounts less their sales tax), in minor units."""
    return refunds.aggregate(total=Sum(F("amount") - F("sales_tax_amount")))["total"] or 0


def _sales_tax_share(order: Order, payment: Payment, *, goods: int) -> int:
    """The sales tax to give back with `goods` more of a US order's goods: the order's tax times the
    share of its goods refunded once these are too, less the tax already given back (so rounding never
    drifts, and refunding every item gives back exactly the tax paid). Zero where no tax was charged."""
    if order.sales_tax_amount <= 0:
        return 0
    before_tax = order.total_amount - order.sales_tax_amount
    refunds = _not_failed(payment).exclude(seller_order=None)
    sums = refunds.aggregate(tax=Sum("sales_tax_amount"), goods=Sum(F("amount") - F("sales_tax_amount")))
    goods_after = min(before_tax, (sums["goods"] or 0) + goods)
    due = order.sales_tax_on(Money(goods_after, order.currency)).amount
    return max(0, due - (sums["tax"] or 0))


def _record(
    payment: Payment, *, amount: Money, actor: Actor, reason: str, key: str, seller_order: SellerOrder | None
) -> Refund:
    if amount.currency != payment.currency:
        raise ApplicationError(ErrorCode.CURRENCY_MISMATCH, "The refund's currency differs from the payment's.")
    tax = 0
    if seller_order is not None:
        tax = _sales_tax_share(payment.order, payment, goods=amount.amount)
        amount = amount + Money(tax, amount.currency)
    if amount.amount > payment.captured_amount - payment.refunded_amount:
        raise ApplicationError(
            ErrorCode.REFUND_EXCEEDS_CAPTURE,
            f"At most {payment.refundable} can still be refunded.",
            extra={"refundable": payment.refundable.as_dict()},
        )
    refund = Refund.objects.create(
        payment=payment,
        seller_order=seller_order,
        amount=amount.amount,
        sales_tax_amount=tax,
        currency=amount.currency,
        method=RefundMethod.CREDIT_NOTE if payment.provider == PaymentProvider.INVOICE else RefundMethod.PROVIDER,
        idempotency_key=key,
        reason=reason[:300],
    )
    Payment.objects.filter(pk=payment.pk).update(
        refunded_amount=F("refunded_amount") + amount.amount, updated_at=timezone.now()
    )
    organisation = seller_order.seller if seller_order is not None else None
    audit_record(
        obj=refund,
        actor=actor,
        from_status="",
        to_status=RefundStatus.PENDING,
        reason=reason,
        organisation=organisation,
    )
    # An order paid partly (or wholly) with store credit gets its credit back first, as credit; the
    # provider refunds only the rest (`refund_execute`).
    spent = wallet.store_credit_spent_on(order=payment.order)
    if spent.amount > 0:
        credit = min(spent, amount)
        wallet.store_credit_return(order=payment.order, amount=credit, reference=f"{key}-credit", actor=actor)
        ledger.book_store_credit_returned(amount=credit)
    if seller_order is not None:
        _seller_order_refunded(seller_order, refund=refund, payment=payment, actor=actor, reason=reason)
    return refund


def _seller_order_refunded(
    seller_order: SellerOrder, *, refund: Refund, payment: Payment, actor: Actor, reason: str
) -> None:
    locked = (
        SellerOrder.objects.select_for_update(of=("self",))
        .select_related("order__market", "order__partner", "seller")
        .get(pk=seller_order.pk)
    )
    ledger.book_refund(refund=refund, seller_order=locked, payment=payment)
    refunded = goods_refunded(locked.refunds.exclude(status=RefundStatus.FAILED))
    if refunded >= locked.subtotal_amount and locked.status in REFUNDABLE_SELLER_ORDER_STATUSES:
        locked = transition(
            locked,
            to=SellerOrderStatus.REFUNDED,
            actor=actor,
            transitions=TRANSITIONS,
            organisation=locked.seller,
            reason=reason,
        )
    order = locked.order
    data = {**order_event_data(order, locked), "refund": {"id": refund.pk, "amount": refund.money.as_dict()}}
    emit(EventType.ORDER_REFUNDED, data, locked.seller)
    if order.partner_id:
        emit(EventType.ORDER_REFUNDED, data, order.partner)


def seller_order_shares(*, payment: Payment, amount: int) -> list[tuple[SellerOrder | None, int]]:
    """Split `amount` of an order's money over its seller orders, each up to what is not yet refunded of
    it (oldest seller order first); what no seller order can take is returned with None (the order's)."""
    shares: list[tuple[SellerOrder | None, int]] = []
    left = amount
    seller_orders = (
        SellerOrder.objects.filter(order_id=payment.order_id)
        .exclude(status__in=[SellerOrderStatus.CANCELLED, SellerOrderStatus.PENDING_PAYMENT])
        .select_related("seller")
        .order_by("pk")
    )
    for seller_order in seller_orders:
        if left <= 0:
            break
        refunded = goods_refunded(seller_order.refunds.exclude(status=RefundStatus.FAILED))
        share = min(left, seller_order.subtotal_amount - refunded)
        if share > 0:
            shares.append((seller_order, share))
            left -= share
    if left > 0:
        shares.append((None, left))
    return shares


def refund_record_external(
    *, payment: Payment, amount: Money, reference: str, actor: Actor, reason: str
) -> list[Refund]:
    """A refund made outside Encore (in Stripe's dashboard), recorded once: one succeeded Refund per seller
    order it covers (`seller_order_shares`), its reference Stripe's, the amount counted on the payment, the
    seller's share clawed back in the ledger and `order.refunded` emitted as for Encore's own refunds. No
    store credit is given back (the money went to the card). The same `reference` again changes nothing.
    More than the payment still has refundable is recorded up to that (and logged)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("order").get(pk=payment.pk)
        existing = list(Refund.objects.filter(reference=reference))
        if existing:
            return existing
        if amount.currency != locked.currency or amount.amount <= 0:
            logger.error("External refund %s of %s does not fit payment %s", reference, amount, locked.pk)
            return []
        recordable = min(amount.amount, locked.captured_amount - locked.refunded_amount)
        if recordable < amount.amount:
            logger.error(
                "External refund %s of %s exceeds what payment %s had refundable", reference, amount, locked.pk
            )
        now = timezone.now()
        refunds: list[Refund] = []
        tax = _external_sales_tax(locked, amount=recordable)
        shares = seller_order_shares(payment=locked, amount=recordable - tax) or [(None, 0)]
        for (seller_order, goods), share_tax in zip(shares, _spread(tax, [g for _, g in shares]), strict=True):
            share = goods + share_tax
            refund = Refund.objects.create(
                payment=locked,
                seller_order=seller_order,
                amount=share,
                sales_tax_amount=share_tax,
                currency=locked.currency,
                status=RefundStatus.SUCCEEDED,
                method=RefundMethod.PROVIDER,
                reference=reference[:100],
                idempotency_key=f"stripe-{reference}-{seller_order.pk if seller_order else 'order'}"[:100],
                reason=reason[:300],
                completed_at=now,
            )
            Payment.objects.filter(pk=locked.pk).update(refunded_amount=F("refunded_amount") + share, updated_at=now)
            audit_record(
                obj=refund,
                actor=actor,
                from_status="",
                to_status=RefundStatus.SUCCEEDED,
                reason=f"{reason} ({reference})",
                organisation=seller_order.seller if seller_order is not None else None,
            )
            if seller_order is not None:
                _seller_order_refunded(seller_order, refund=refund, payment=locked, actor=actor, reason=reason)
            refunds.append(refund)
    return refunds


def _external_sales_tax(payment: Payment, *, amount: int) -> int:
    """The sales tax inside `amount` refunded outside Encore on a US order: the order's tax rate applied
    backwards (tax over total), never more than the tax not yet given back."""
    order = payment.order
    if order.sales_tax_amount <= 0 or order.total_amount <= 0:
        return 0
    given = _not_failed(payment).aggregate(tax=Sum("sales_tax_amount"))["tax"] or 0
    raw = Decimal(amount) * order.sales_tax_amount / order.total_amount
    return max(0, min(order.sales_tax_amount - given, int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))))


def _spread(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (rounded down; the last takes what rounding left)."""
    weight = sum(weights)
    if not weights:
        return []
    parts = [total * w // weight if weight else 0 for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def refund_execute(*, refund_id: int, actor: Actor | None = None) -> Refund:
    """Send a pending refund to its provider with its idempotency key, then mark it succeeded.

    The refund row stays locked during the call, so two runs cannot both send it (a second run
    finds it done, or skips it). A provider error counts an attempt and keeps it pending for the
    retry sweep; after REFUND_MAX_ATTEMPTS it fails: the reservation on the payment and the
    ledger's claw-back are reversed, and the store credit it gave back is taken back. Returns the
    refund as it is now; never raises for the provider.
    """
    actor = actor or Actor.system("refunds")
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("payment", "seller_order__seller")
            .filter(pk=refund_id)
            .first()
        )
        if refund is None or refund.status != RefundStatus.PENDING:
            return Refund.objects.get(pk=refund_id)
        payment = refund.payment
        credit = wallet.store_credit_returned_for(reference=f"{refund.idempotency_key}-credit")
        to_card = refund.money - credit if credit is not None else refund.money
        try:
            reference = (
                gateways.gateway_for(payment.provider).refund(
                    reference=payment.reference or "", amount=to_card, idempotency_key=refund.idempotency_key
                )
                if to_card.amount > 0
                else "store credit"
            )
        except ApplicationError as exc:
            return _attempt_failed(refund, error=exc.message, actor=actor)
        organisation = refund.seller_order.seller if refund.seller_order is not None else None
        return transition(
            refund,
            to=RefundStatus.SUCCEEDED,
            actor=actor,
            transitions=REFUND_TRANSITIONS,
            organisation=organisation,
            reason=reference,
            extra_updates={
                "reference": reference[:100],
                "completed_at": timezone.now(),
                "attempts": refund.attempts + 1,
            },
        )


def _attempt_failed(refund: Refund, *, error: str, actor: Actor) -> Refund:
    attempts = refund.attempts + 1
    logger.warning("Refund %s attempt %s failed: %s", refund.pk, attempts, error)
    if attempts < REFUND_MAX_ATTEMPTS:
        Refund.objects.filter(pk=refund.pk).update(attempts=attempts, last_error=error[:300], updated_at=timezone.now())
        return Refund.objects.get(pk=refund.pk)
    organisation = refund.seller_order.seller if refund.seller_order is not None else None
    refund = transition(
        refund,
        to=RefundStatus.FAILED,
        actor=actor,
        transitions=REFUND_TRANSITIONS,
        organisation=organisation,
        reason=f"refused {attempts} times: {error}",
        extra_updates={"attempts": attempts, "last_error": error[:300]},
    )
    Payment.objects.filter(pk=refund.payment_id).update(
        refunded_amount=F("refunded_amount") - refund.amount, updated_at=timezone.now()
    )
    if refund.seller_order is not None:
        ledger.book_refund_reversal(refund=refund)
    # The store credit this refund gave back first goes too: the whole refund failed.
    taken = wallet.store_credit_take_back(
        order=refund.payment.order, reference=f"{refund.idempotency_key}-credit", actor=actor
    )
    if taken is not None:
        ledger.book_store_credit_taken_back(amount=-taken.money)
    logger.error("Refund %s failed for good after %s attempts: %s", refund.pk, attempts, error)
    return refund


def refunds_retry_pending(*, now: datetime | None = None, batch: int = 200) -> int:
    """Send again the refunds still pending (a crash, a provider outage). Bounded; idempotent (keys)."""
    now = now or timezone.now()
    ids = list(
        Refund.objects.filter(status=RefundStatus.PENDING, updated_at__lt=now - RETRY_AFTER)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    done = 0
    for refund_id in ids:
        if refund_execute(refund_id=refund_id).status == RefundStatus.SUCCEEDED:
            done += 1
    return done
