"""The one refund service (intent first, provider, then done; one key, one payment), payout holds while
a claim or return is open, the cart kept after a declined payment, and the statuses a shopper reads."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Event
from marketplace.money import Money
from orders.models import Cart, LedgerEntry, LineHold, Payment, Payout, Refund, RefundMethod, SellerPayoutAccount
from orders.selectors import seller_balances
from orders.services import refunds as refunds_module
from orders.services.fulfilment import seller_order_cancel, seller_orders_complete_due
from orders.services.holds import line_hold_place, line_hold_release
from orders.services.payment import test_payment_settle
from orders.services.payouts import payouts_run
from orders.services.refunds import REFUND_MAX_ATTEMPTS, refund_issue, refunds_retry_pending
from orders.states import (
    CancelledBy,
    OrderStatus,
    RefundStatus,
    SellerOrderStatus,
    ShopperStatus,
    order_shopper_status,
    parcel_shopper_status,
)
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, paid, place

pytestmark = pytest.mark.django_db


def _delivered_order(shopper, *, price=30000, quantity=1):
    listing = make_listing(stock=quantity, price_amount=price)
    order = paid((listing, quantity), buyer=shopper)
    seller_order = order.seller_orders.get()
    delivered(seller_order)
    seller_order.refresh_from_db()
    return order, seller_order


def test_the_intent_is_recorded_before_the_provider_is_called(shopper, django_capture_on_commit_callbacks):
    order, seller_order = _delivered_order(shopper)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refund = refund_issue(
            payment=order.payment,
            amount=Money(30000, "EUR"),
            actor=SYSTEM,
            reason="return",
            idempotency_key="refund-return-1",
            seller_order=seller_order,
        )

    # Recorded, reserved, clawed back and announced; the provider not called yet.
    assert (refund.status, refund.reference, refund.attempts) == (RefundStatus.PENDING, "", 0)
    assert Payment.objects.get(pk=order.payment.pk).refunded_amount == 30000
    assert LedgerEntry.objects.filter(refund=refund).aggregate(t=Sum("amount"))["t"] == 0
    assert Event.objects.filter(type="order.refunded", organisation=seller_order.seller).count() == 1
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.REFUNDED  # refunded in full
    assert len(callbacks) == 1

    callbacks[0]()

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.reference.startswith("test_re_")
    assert refund.completed_at is not None


def test_a_crash_after_the_provider_paid_is_retried_with_the_same_key_and_pays_once(
    stripe_fake, shopper, django_capture_on_commit_callbacks
):
    from tests.orders.conftest import stripe_event, succeeded_intent
    from tests.orders.test_stripe import deliver

    listing = make_listing(stock=1, price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    deliver(stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000)))
    order.payment.refresh_from_db()
    real_transition = refunds_module.transition

    def crash(*args, **kwargs):
        raise RuntimeError("the process died after Stripe answered")

    # The provider answers, then the process dies before the refund is marked done.
    with mock.patch.object(refunds_module, "transition", crash), django_capture_on_commit_callbacks(execute=True):
        refund = refund_issue(
            payment=order.payment,
            amount=Money(12000, "EUR"),
            actor=SYSTEM,
            reason="claim",
            idempotency_key="refund-c-7",
        )
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING
    assert len(stripe_fake.calls("/v1/refunds")) == 1

    # Asked again by the caller (same key): the same row, nothing reserved twice.
    again = refund_issue(
        payment=order.payment, amount=Money(12000, "EUR"), actor=SYSTEM, reason="claim", idempotency_key="refund-c-7"
    )
    assert again.pk == refund.pk
    assert Payment.objects.get(pk=order.payment.pk).refunded_amount == 12000

    # The sweep sends it again with the same key: Stripe answers with the refund it already made.
    assert refunds_module.transition is real_transition
    assert refunds_retry_pending(now=timezone.now() + timedelta(minutes=5)) == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert stripe_fake.keys("/v1/refunds") == ["refund-c-7", "refund-c-7"]
    assert len({stripe_fake.idempotent[f"/v1/refunds:{key}"]["id"] for key in ["refund-c-7"]}) == 1
    assert refund.reference == stripe_fake.idempotent["/v1/refunds:refund-c-7"]["id"]
    assert Refund.objects.count() == 1


def test_the_same_key_with_another_amount_is_refused(shopper):
    order, _ = _delivered_order(shopper)
    refund_issue(payment=order.payment, amount=Money(100, "EUR"), actor=SYSTEM, reason="x", idempotency_key="k-1")

    with pytest.raises(ApplicationError) as error:
        refund_issue(payment=order.payment, amount=Money(200, "EUR"), actor=SYSTEM, reason="x", idempotency_key="k-1")

    assert error.value.code == ErrorCode.IDEMPOTENCY_KEY_REUSED
    assert Refund.objects.count() == 1


def test_a_provider_that_keeps_refusing_fails_the_refund_and_gives_the_money_back_to_the_books(
    shopper, django_capture_on_commit_callbacks
):
    order, seller_order = _delivered_order(shopper)
    pending_before = seller_balances(seller=seller_order.seller)[0].pending.amount

    def refuse(self, **kwargs):
        raise ApplicationError(ErrorCode.PAYMENT_PROVIDER_ERROR, "card account closed")

    with mock.patch("orders.gateways.TestGateway.refund", refuse):
        with django_capture_on_commit_callbacks(execute=True):
            refund = refund_issue(
                payment=order.payment,
                amount=Money(10000, "EUR"),
                actor=SYSTEM,
                reason="claim",
                idempotency_key="refund-claim-9",
                seller_order=seller_order,
            )
        later = timezone.now()
        for _ in range(REFUND_MAX_ATTEMPTS):
            later += timedelta(minutes=5)
            refunds_retry_pending(now=later)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts, refund.last_error) == (
        RefundStatus.FAILED,
        REFUND_MAX_ATTEMPTS,
        "card account closed",
    )
    assert Payment.objects.get(pk=order.payment.pk).refunded_amount == 0
    assert seller_balances(seller=seller_order.seller)[0].pending.amount == pending_before
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0


def test_orders_paid_on_a_partners_invoice_get_a_credit_note(partner_org, django_capture_on_commit_callbacks):
    listing = make_listing(stock=1, price_amount=20000)
    order = place((listing, 1), partner=partner_org, partner_reference="PO-1")
    seller_order = order.seller_orders.get()
    delivered(seller_order)
    seller_order.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_issue(
            payment=order.payment,
            amount=Money(20000, "EUR"),
            actor=SYSTEM,
            reason="return",
            idempotency_key="refund-return-3",
            seller_order=seller_order,
        )

    refund.refresh_from_db()
    assert refund.method == RefundMethod.CREDIT_NOTE
    assert refund.reference.startswith("CN-")
    assert refund.status == RefundStatus.SUCCEEDED
    # The partner hears of it too.
    assert Event.objects.filter(type="order.refunded", organisation=partner_org).count() == 1
    assert LedgerEntry.objects.filter(refund=refund, account="receivable").get().amount == -20000


def test_a_partial_refund_keeps_the_seller_order_delivered(shopper):
    order, seller_order = _delivered_order(shopper, price=10000, quantity=3)

    refund_issue(
        payment=order.payment,
        amount=Money(10000, "EUR"),
        actor=SYSTEM,
        reason="one unit returned",
        idempotency_key="refund-return-5",
        seller_order=seller_order,
    )

    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.DELIVERED
    (event,) = Event.objects.filter(type="order.refunded")
    assert event.data["refund"]["amount"] == {"amount": 10000, "currency": "EUR"}


def test_a_cancellation_refunds_once_and_emits_order_cancelled(shopper):
    listing = make_listing(stock=1, price_amount=25000)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()

    seller_order_cancel(seller_order=seller_order, actor=SYSTEM, by=CancelledBy.SELLER, reason="no stock")

    (refund,) = Refund.objects.all()
    assert refund.idempotency_key == f"refund-cancel-{seller_order.pk}"
    (event,) = Event.objects.filter(type="order.cancelled")
    assert event.data["cancelled_by"] == "seller"
    assert event.organisation_id == seller_order.seller_id


# --- payout holds -----------------------------------------------------------------------------
def test_a_hold_keeps_a_completed_lines_money_out_of_the_payout_until_released(shopper):
    _order, seller_order = _delivered_order(shopper, price=10000, quantity=2)
    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))
    seller_order.refresh_from_db()
    SellerPayoutAccount.objects.create(seller=seller_order.seller, stripe_account_id="acct_1", payouts_enabled=True)
    line = seller_order.lines.get()

    hold = line_hold_place(line=line, units=1, source="claim-1", actor=SYSTEM)
    assert line_hold_place(line=line, units=1, source="claim-1", actor=SYSTEM).pk == hold.pk  # once per source

    # 1 unit of 100.00 at 10 % commission: 90.00 held; 90.00 still payable.
    assert hold.amount == 9000
    balance = seller_balances(seller=seller_order.seller)[0]
    assert (balance.available.amount, balance.held.amount) == (9000, 9000)
    (payout,) = payouts_run(pay_date=date(2026, 12, 6))
    assert payout.amount == 9000

    line_hold_release(source="claim-1", actor=SYSTEM)
    line_hold_release(source="claim-1", actor=SYSTEM)  # idempotent

    balance = seller_balances(seller=seller_order.seller)[0]
    assert (balance.available.amount, balance.held.amount) == (9000, 0)
    (second,) = payouts_run(pay_date=date(2026, 12, 16))
    assert second.amount == 9000
    assert LineHold.objects.get().released_at is not None
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0
    assert Payout.objects.count() == 2


def test_a_hold_placed_in_the_return_window_is_not_released_as_payable_at_completion(shopper):
    _order, seller_order = _delivered_order(shopper, price=10000)
    line_hold_place(line=seller_order.lines.get(), units=1, source="return-4", actor=SYSTEM)

    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))

    balance = seller_balances(seller=seller_order.seller)[0]
    assert (balance.pending.amount, balance.available.amount, balance.held.amount) == (0, 0, 9000)
    line_hold_release(source="return-4", actor=SYSTEM)
    balance = seller_balances(seller=seller_order.seller)[0]
    assert (balance.pending.amount, balance.available.amount, balance.held.amount) == (0, 9000, 0)


def test_a_held_line_refunded_then_released_leaves_the_seller_nothing(shopper):
    order, seller_order = _delivered_order(shopper, price=10000)
    line_hold_place(line=seller_order.lines.get(), units=1, source="return-8", actor=SYSTEM)
    refund_issue(
        payment=order.payment,
        amount=Money(10000, "EUR"),
        actor=SYSTEM,
        reason="return",
        idempotency_key="refund-return-8",
        seller_order=seller_order,
    )
    line_hold_release(source="return-8", actor=SYSTEM)

    balance = seller_balances(seller=seller_order.seller)[0]
    assert (balance.pending.amount, balance.available.amount, balance.held.amount) == (0, 0, 0)


# --- a declined payment keeps the cart --------------------------------------------------------
def test_a_declined_payment_puts_the_items_back_in_the_cart_and_offers_to_pay_again(shopper):
    listing = make_listing(stock=2, price_amount=45900)
    order = place((listing, 2), buyer=shopper)

    test_payment_settle(number=order.number, shopper=None, actor=SYSTEM, succeed=False)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    cart = Cart.objects.get(user=shopper)
    assert [(line.listing_id, line.quantity, line.seen_price_amount) for line in cart.lines.all()] == [
        (listing.pk, 2, 45900)
    ]
    client = Client()
    client.force_login(shopper)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Payment declined" in page
    assert 'href="/checkout/"' in page
    assert "Pay again" in page
    assert listing.variant.product.name in client.get("/cart/?market=fr").content.decode()


# --- statuses a shopper reads -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("order_status", "parcels", "expected"),
    [
        ("pending_payment", ["pending_payment"], ShopperStatus.AWAITING_PAYMENT),
        ("payment_failed", ["cancelled"], ShopperStatus.PAYMENT_DECLINED),
        ("expired", ["cancelled"], ShopperStatus.NOT_PAID_IN_TIME),
        ("paid", ["paid", "accepted"], ShopperStatus.PREPARING),
        ("paid", ["shipped", "accepted"], ShopperStatus.PARTLY_SHIPPED),
        ("paid", ["shipped", "shipped"], ShopperStatus.ON_ITS_WAY),
        ("paid", ["delivered", "shipped"], ShopperStatus.PARTLY_DELIVERED),
        ("paid", ["delivered", "completed", "cancelled"], ShopperStatus.DELIVERED),
        ("paid", ["cancelled", "cancelled"], ShopperStatus.CANCELLED),
        ("paid", ["refunded", "cancelled"], ShopperStatus.REFUNDED),
    ],
)
def test_one_status_a_shopper_understands_for_the_whole_order(order_status, parcels, expected):
    assert order_shopper_status(order_status, parcels) == expected


def test_each_parcel_says_its_status_in_the_shoppers_words():
    assert parcel_shopper_status("paid").label == "Being prepared"
    assert parcel_shopper_status("accepted") == ShopperStatus.PREPARING
    assert parcel_shopper_status("completed") == ShopperStatus.DELIVERED
