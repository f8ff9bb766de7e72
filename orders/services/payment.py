"""Payment outcomes: start a payment, paid, payment failed, expired; Stripe events (each processed
once), the test provider's buttons (refunds: `orders.services.refunds`).

The order's status (and its seller orders') follows what the payment provider says: only the
signed webhook, the test provider's buttons and a partner's invoice make an order paid.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit_many
from marketplace.models import AuditEvent, EventType, Market, Organisation, User
from marketplace.money import Money
from marketplace.prefetch import prefetched
from marketplace.transitions import bulk_transition, transition, transition_at_creation
from orders import gateways, notifications
from orders.models import (
    Order,
    Payment,
    PaymentProvider,
    ProcessedStripeEvent,
    SellerOrder,
)
from orders.services import connect, disputes, ledger, wallet
from orders.services.cart import cart_restore_order
from orders.services.events import order_event_data
from orders.services.refunds import refund_issue
from orders.services.stock import stock_release
from orders.states import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    TRANSITIONS,
    CancelledBy,
    OrderStatus,
    PaymentStatus,
    SellerOrderStatus,
    ship_by,
)

logger = logging.getLogger(__name__)


# --- paid, payment failed, expired -----------------------------------------------------------
def order_start_payment(*, order: Order, actor: Actor) -> Payment:
    """Ask the gateway for a payment (a Stripe PaymentIntent) outside any lock; a failure releases the stock."""
    payment = order.payment
    if payment.reference:
        return payment
    gateway = gateways.gateway_for(payment.provider)
    try:
        start = gateway.start(
            amount=wallet.order_amount_due(order=order),
            order_number=order.number,
            idempotency_key=f"{order.number}-pay",
        )
    except ApplicationError:
        order_payment_failed(order=order, actor=actor, reason="The payment provider could not be reached.")
        raise
    Payment.objects.filter(pk=payment.pk).update(reference=start.reference, client_secret=start.client_secret)
    payment.reference, payment.client_secret = start.reference, start.client_secret
    return payment


@dataclass(frozen=True)
class PaidAt:
    """What "paid" writes on an order's rows, paid at `at`: one rule for a payment received after the
    placement (`order_mark_paid`) and for an order placed paid (`order_paid_at_placement`)."""

    at: datetime
    ship_by: datetime  # the seller orders' deadline to ship (`orders.states.ship_by`, in the market's days)

    @classmethod
    def of(cls, market: Market, at: datetime) -> PaidAt:
        return cls(at=at, ship_by=ship_by(at, time_zone=market.time_zone, market_code=market.code))

    def order(self) -> dict[str, object]:
        return {"status": OrderStatus.PAID, "paid_at": self.at}

    def payment(self, *, captured_amount: int) -> dict[str, object]:
        return {"status": PaymentStatus.SUCCEEDED, "captured_amount": captured_amount}

    def seller_order(self) -> dict[str, object]:
        return {"status": SellerOrderStatus.PAID, "paid_at": self.at, "ship_by": self.ship_by}


def _besides_status(fields: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in fields.items() if name != "status"}


def order_mark_paid(
    *,
    order: Order,
    actor: Actor,
    amount_received: Money,
    reference: str,
    credit: Money | None = None,
    locked: bool = False,
    sellers: Mapping[int, Organisation] | None = None,
) -> Order:
    """pending_payment -> paid, from the payment provider's word only (the signed webhook, the test
    provider's button). The payment becomes succeeded with the amount captured;
    each seller order becomes paid with its ship-by deadline, the sale is booked in the ledger,
    `order.paid` is emitted per seller order, and e-mails go out after commit. Every move audited.
    (An order paid as it is placed, a partner's invoice, is written paid: `order_paid_at_placement`.)

    Raises INVALID_TRANSITION when the order is not awaiting payment, PAYMENT_FAILED when the amount
    or currency differs from the order's (its total less the store credit spent on it, which the
    ledger books apart: the payment captures the whole total). `credit`: that store credit when the
    caller has just read it (`wallet.store_credit_spent_on`), so it is not read twice. `locked`: the
    caller holds the order's row in its open transaction (created it there, or read it with
    `select_for_update`), so neither the order nor its payment (whose every move locks its order first)
    is read again to be locked; `order.payment` must then be read after that lock, or created there.
    `sellers`: the order's sellers by id when the caller holds them (else read in one query).
    """
    if credit is None:
        credit = wallet.store_credit_spent_on(order=order)
    if amount_received != order.total - credit:
        raise ApplicationError(ErrorCode.PAYMENT_FAILED, "The amount paid differs from the order's total.")
    market, partner = order.market, order.partner  # kept: the locked copy below has no related cache
    paid = PaidAt.of(market, timezone.now())
    given = order
    payment = order.payment  # usually cached by the caller; locked by its transition below
    # A caller holding the order's lock is in its own transaction, which a failure here rolls back whole:
    # no savepoint of its own then (two round trips).
    audits: list[AuditEvent] = []  # the three moves' audit rows, written in one statement
    with transaction.atomic(savepoint=not locked):
        order = transition(
            order,
            to=OrderStatus.PAID,
            actor=actor,
            transitions=ORDER_TRANSITIONS,
            reason=f"payment {reference}",
            extra_updates=_besides_status(paid.order()),
            organisation=partner,
            held=locked,
            audits=audits,
        )
        payment = transition(
            payment,
            to=PaymentStatus.SUCCEEDED,
            actor=actor,
            transitions=PAYMENT_TRANSITIONS,
            reason=f"payment {reference}",
            extra_updates=_besides_status(paid.payment(captured_amount=(amount_received + credit).amount)),
            organisation=partner,
            held=locked,
            audits=audits,
        )
        # All seller orders at once: one UPDATE ... WHERE status = pending_payment, one audit row
        # each, under its own seller (the tenancy of the audit trail).
        seller_orders: list[SellerOrder] = bulk_transition(
            SellerOrder.objects.filter(order=order),
            from_status=SellerOrderStatus.PENDING_PAYMENT,
            to=SellerOrderStatus.PAID,
            actor=actor,
            transitions=TRANSITIONS,
            reason=f"payment {reference}",
            organisation_field="seller",
            extra_updates=_besides_status(paid.seller_order()),
            rows=True,  # the seller orders as moved, by primary key: not read again
            audits=audits,
        )
        _paid(order, payment, seller_orders, partner=partner, credit=credit, audits=audits, sellers=sellers or {})
    # The seller orders as they stand now (moved, with their sellers), for a caller showing the order.
    for placed in (given, order):
        prefetched(placed, "seller_orders", seller_orders)
    return order


def order_paid_at_placement(
    *,
    order: Order,
    payment: Payment,
    seller_orders: list[SellerOrder],
    actor: Actor,
    reference: str,
    credit: Money,
    sellers: Mapping[int, Organisation],
) -> None:
    """An order placed paid: a partner's invoice, a mystery order, store credit covering the total.

    The placement (`orders.services.checkout.order_place`) wrote the order, its payment and its seller
    orders paid (`PaidAt`), in the transaction this runs in. Each row's move from pending_payment is checked
    against its table and audited as `order_mark_paid` audits it; the sale is booked, `order.paid` emitted,
    the e-mails sent after commit, as for any payment. `sellers`: the seller orders' sellers by id."""
    reason = f"payment {reference}"
    audits: list[AuditEvent] = []
    moves: list[tuple[Order | Payment | SellerOrder, str, Mapping[str, frozenset[str]], Organisation | None]] = [
        (order, OrderStatus.PENDING_PAYMENT, ORDER_TRANSITIONS, order.partner),
        (payment, PaymentStatus.PENDING, PAYMENT_TRANSITIONS, order.partner),
    ]
    moves += [
        (seller_order, SellerOrderStatus.PENDING_PAYMENT, TRANSITIONS, sellers[seller_order.seller_id])
        for seller_order in seller_orders
    ]
    for row, from_status, table, organisation in moves:
        transition_at_creation(
            row,
            from_status=from_status,
            actor=actor,
            transitions=table,
            reason=reason,
            organisation=organisation,
            audits=audits,
        )
    _paid(order, payment, seller_orders, partner=order.partner, credit=credit, audits=audits, sellers=sellers)


def _paid(
    order: Order,
    payment: Payment,
    seller_orders: list[SellerOrder],
    *,
    partner: Organisation | None,
    credit: Money,
    audits: list[AuditEvent],
    sellers: Mapping[int, Organisation],
) -> None:
    """What follows a payment, however the rows became paid: the moves' audit rows in one statement, the
    sale booked in the ledger, one `order.paid` per seller order (and one to `partner`, the order's, passed
    in: a locked copy of the order has no related cache), the e-mails."""
    AuditEvent.objects.bulk_create(audits)
    known = dict(sellers)
    missing = {seller_order.seller_id for seller_order in seller_orders} - known.keys()
    if missing:
        known.update(Organisation.objects.in_bulk(missing))
    for seller_order in seller_orders:
        seller_order.seller = known[seller_order.seller_id]
    ledger.book_sales(seller_orders=seller_orders, payment=payment)
    ledger.book_sales_tax(amount=order.sales_tax, payment=payment)
    if credit.amount > 0:
        ledger.book_store_credit_spent(amount=credit)
    # One `order.paid` per seller order to its seller, and the whole order to its partner: one statement.
    paid_events = [(order_event_data(order, seller_order), seller_order.seller) for seller_order in seller_orders]
    if partner is not None:
        paid_events.append((order_event_data(order, None), partner))
    emit_many(EventType.ORDER_PAID, paid_events)
    order_id = order.pk
    transaction.on_commit(lambda: notifications.order_paid_notify_task.delay(order_id))


def _close_unpaid(order: Order, *, to: str, actor: Actor, reason: str) -> Order:
    with transaction.atomic():
        order = transition(order, to=to, actor=actor, transitions=ORDER_TRANSITIONS, reason=reason)
        # No lock needed to read it: every change of a payment's status locks its order first.
        payment = Payment.objects.filter(order=order, status=PaymentStatus.PENDING).first()
        if payment is not None:
            transition(
                payment,
                to=PaymentStatus.FAILED if to == OrderStatus.PAYMENT_FAILED else PaymentStatus.CANCELLED,
                actor=actor,
                transitions=PAYMENT_TRANSITIONS,
                reason=reason,
            )
        for seller_order in order.seller_orders.order_by("pk"):
            transition(
                seller_order,
                to=SellerOrderStatus.CANCELLED,
                actor=actor,
                transitions=TRANSITIONS,
                reason=reason,
                extra_updates={"cancelled_at": timezone.now(), "cancelled_by": CancelledBy.PLATFORM},
            )
        stock_release(order=order)
        # Store credit spent on an order that was never paid goes back to the wallet.
        spent = wallet.store_credit_spent_on(order=order)
        if spent.amount > 0:
            wallet.store_credit_return(order=order, amount=spent, reference=f"unpaid-{order.number}", actor=actor)
        # The cart keeps what was in it: paying again is one click away.
        cart_restore_order(order=order)
    return order


def order_payment_failed(*, order: Order, actor: Actor, reason: str) -> Order:
    """pending_payment -> payment_failed: the payment failed, the seller orders cancelled, the stock
    back. The PaymentIntent is cancelled after commit so that it cannot succeed later."""
    order = _close_unpaid(order, to=OrderStatus.PAYMENT_FAILED, actor=actor, reason=reason)
    _cancel_intent_after_commit(order)
    return order


def order_expire(*, order: Order, actor: Actor) -> Order:
    """pending_payment -> expired (not paid in time): the payment cancelled, the seller orders cancelled,
    the stock back; the PaymentIntent is cancelled after commit."""
    order = _close_unpaid(order, to=OrderStatus.EXPIRED, actor=actor, reason="not paid in time")
    _cancel_intent_after_commit(order)
    return order


def _cancel_intent_after_commit(order: Order) -> None:
    payment = Payment.objects.filter(order=order).first()
    if payment is None or not payment.reference or payment.provider != PaymentProvider.STRIPE:
        return
    reference = payment.reference

    def cancel() -> None:
        try:
            gateways.gateway_for(PaymentProvider.STRIPE).cancel(reference=reference)
        except ApplicationError:
            logger.warning("Could not cancel PaymentIntent %s", reference)

    transaction.on_commit(cancel)


def orders_expire_unpaid(*, now: datetime | None = None, batch: int = 500) -> int:
    """Expire storefront orders still unpaid past their due time. Safe to run twice (filters on status)."""
    now = now or timezone.now()
    ids = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lt=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    expired = 0
    for order in Order.objects.filter(pk__in=ids).order_by("pk"):
        try:
            order_expire(order=order, actor=Actor.system("order expiry"))
            expired += 1
        except ApplicationError:
            continue  # paid meanwhile
    return expired


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
        actor = Actor.system("stripe webhook")
        if event_type == "payment_intent.succeeded":
            _intent_succeeded(intent)
        elif event_type == "payment_intent.payment_failed":
            _intent_failed(intent)
        elif event_type == "charge.refunded":
            disputes.stripe_charge_refunded(charge=intent, actor=actor)
        elif event_type == "charge.dispute.created":
            disputes.stripe_dispute_created(dispute=intent, actor=actor)
        elif event_type == "charge.dispute.closed":
            disputes.stripe_dispute_closed(dispute=intent, actor=actor)
        elif event_type == "account.updated":
            connect.payout_account_sync(state=gateways.ConnectedAccount.from_stripe(intent), actor=actor)
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
        # `order.payment` is read below, under the order's lock taken above.
        order_mark_paid(
            order=order, actor=actor, amount_received=received, reference=payment.reference or "", locked=True
        )
    elif order.status in (OrderStatus.EXPIRED, OrderStatus.PAYMENT_FAILED):
        # Paid after the stock went back: the money goes back too.
        payment = transition(
            payment,
            to=PaymentStatus.SUCCEEDED,
            actor=actor,
            transitions=PAYMENT_TRANSITIONS,
            reason="paid after the order expired",
            extra_updates={"captured_amount": received.amount},
        )
        refund_issue(
            payment=payment,
            amount=received,
            actor=actor,
            reason="paid after the order expired",
            idempotency_key=f"refund-late-capture-{payment.pk}",
        )


def _intent_failed(intent: dict[str, Any]) -> None:
    payment = Payment.objects.filter(reference=intent.get("id")).first()
    if payment is None:
        return
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return
    message = (intent.get("last_payment_error") or {}).get("message") or "declined"
    order_payment_failed(order=order, actor=Actor.system("stripe webhook"), reason=f"payment failed: {message}")


def test_payment_settle(*, number: str, actor: Actor, succeed: bool, shopper: User | None) -> Order:
    """The test provider's buttons: drive the same state machine the Stripe webhook drives.

    The order by its number, read once, locked (as the Stripe webhook does: the order locked first, with its
    payment read under the lock); `shopper`: only that shopper's own order (the pay page's button; None: any). No such
    order: `Order.DoesNotExist`. Raises PERMISSION_DENIED when the order is not paid with the test provider.
    """
    with transaction.atomic():
        orders = Order.objects.select_for_update(of=("self",)).select_related("market", "partner", "payment")
        order = (orders if shopper is None else orders.filter(buyer=shopper)).get(number=number)
        if order.payment.provider != PaymentProvider.TEST:
            raise ApplicationError(ErrorCode.PERMISSION_DENIED, "This order is not paid with the test provider.")
        if not succeed:
            return order_payment_failed(order=order, actor=actor, reason="declined (test provider)")
        credit = wallet.store_credit_spent_on(order=order)
        return order_mark_paid(
            order=order,
            actor=actor,
            amount_received=wallet.order_amount_due(order=order, credit=credit),  # what the card pays
            reference=order.payment.reference or "",
            credit=credit,
            locked=True,
        )


test_payment_settle.__test__ = False  # type: ignore[attr-defined]
