"""Payment outcomes from the provider: Stripe events (each processed once), the test provider's
buttons, and refunds that never exceed what was captured."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.money import Money
from orders import gateways
from orders.models import Order, Payment, PaymentProvider, PaymentStatus, ProcessedStripeEvent, Refund, SellerOrder
from orders.services import ledger
from orders.services.checkout import order_mark_paid, order_payment_failed
from orders.states import OrderStatus

logger = logging.getLogger(__name__)


# --- Stripe events ---------------------------------------------------------------------------
def stripe_event_process(*, event: dict[str, Any]) -> bool:
    """Act on a verified Stripe event once. Returns False when this event id was already processed.

    The event id is inserted into ProcessedStripeEvent (INSERT ... ON CONFLICT DO NOTHING) in the
    same transaction as its effect: a concurrent delivery of the same event waits on the unique
    index, then finds the row and does nothing; a failure rolls back both, so Stripe's retry works.
    """
    event_id, event_type = str(event["id"]), str(event["type"])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ProcessedStripeEvent._meta.db_table} (event_id, type, processed_at) "  # noqa: S608
                "VALUES (%s, %s, %s) ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                [event_id, event_type[:100], timezone.now()],
            )
            if cursor.fetchone() is None:
                return False
        intent = event.get("data", {}).get("object", {})
        if event_type == "payment_intent.succeeded":
            _intent_succeeded(intent)
        elif event_type == "payment_intent.payment_failed":
            _intent_failed(intent)
    return True


def _intent_succeeded(intent: dict[str, Any]) -> None:
    payment = Payment.objects.filter(reference=intent.get("id")).first()
    if payment is None:
        logger.warning("payment_intent.succeeded for an unknown PaymentIntent %s", intent.get("id"))
        return
    # Lock the order first: the expiry sweep takes the same lock, so "paid" and "expired" cannot both win.
    order = Order.objects.select_for_update(of=("self",)).select_related("market", "partner").get(pk=payment.order_id)
    received = Money(
        int(intent.get("amount_received") or intent.get("amount") or 0), str(intent.get("currency", "")).upper()
    )
    actor = Actor.system("stripe webhook")
    if order.status == OrderStatus.PENDING_PAYMENT:
        order_mark_paid(order=order, actor=actor, amount_received=received, reference=payment.reference or "")
    elif order.status in (OrderStatus.EXPIRED, OrderStatus.PAYMENT_FAILED):
        # Paid after the stock went back: the money goes back too.
        Payment.objects.filter(pk=payment.pk).update(captured_amount=received.amount, status=PaymentStatus.SUCCEEDED)
        payment.refresh_from_db()
        payment_refund(payment=payment, amount=received, actor=actor, reason="paid after the order expired")


def _intent_failed(intent: dict[str, Any]) -> None:
    payment = Payment.objects.filter(reference=intent.get("id")).first()
    if payment is None:
        return
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return
    message = (intent.get("last_payment_error") or {}).get("message") or "declined"
    order_payment_failed(order=order, actor=Actor.system("stripe webhook"), reason=f"payment failed: {message}")


def test_payment_settle(*, order: Order, actor: Actor, succeed: bool) -> Order:
    """The test provider's buttons: drive the same state machine the Stripe webhook drives."""
    payment = order.payment
    if payment.provider != PaymentProvider.TEST:
        raise ApplicationError(ErrorCode.PERMISSION_DENIED, "This order is not paid with the test provider.")
    if succeed:
        return order_mark_paid(order=order, actor=actor, amount_received=order.total, reference=payment.reference or "")
    return order_payment_failed(order=order, actor=actor, reason="declined (test provider)")


test_payment_settle.__test__ = False  # type: ignore[attr-defined]


# --- refunds -----------------------------------------------------------------------------------
def payment_refund(
    *,
    payment: Payment,
    amount: Money,
    actor: Actor,
    reason: str,
    seller_order: SellerOrder | None = None,
) -> Refund:
    """Refund part of a payment through its provider (Stripe's Refund API).

    The payment row is locked for the whole refund, so concurrent refunds queue, and each sees
    what the previous ones took: the total refunded never exceeds what was captured (also a CHECK).
    The provider call carries an idempotency key. With a seller order, the refund is booked
    against it in the ledger (claw-back of the seller's share).
    Raises REFUND_EXCEEDS_CAPTURE, PAYMENT_PROVIDER_ERROR (nothing recorded then).
    """
    if amount.amount <= 0:
        raise ApplicationError(ErrorCode.VALIDATION, "A refund is a positive amount.")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if amount.currency != locked.currency:
            raise ApplicationError(ErrorCode.CURRENCY_MISMATCH, "The refund's currency differs from the payment's.")
        if amount.amount > locked.captured_amount - locked.refunded_amount:
            raise ApplicationError(
                ErrorCode.REFUND_EXCEEDS_CAPTURE,
                f"At most {locked.refundable} can still be refunded.",
                extra={"refundable": locked.refundable.as_dict()},
            )
        key = f"refund-{uuid.uuid4().hex}"
        reference = gateways.gateway_for(locked.provider).refund(
            reference=locked.reference or "", amount=amount, idempotency_key=key
        )
        refund = Refund.objects.create(
            payment=locked,
            seller_order=seller_order,
            amount=amount.amount,
            currency=amount.currency,
            reference=reference,
            idempotency_key=key,
            reason=reason[:300],
        )
        Payment.objects.filter(pk=locked.pk).update(
            refunded_amount=F("refunded_amount") + amount.amount, updated_at=timezone.now()
        )
        if seller_order is not None:
            ledger.book_refund(refund=refund, seller_order=seller_order, payment=locked)
    payment.refresh_from_db()
    return refund
