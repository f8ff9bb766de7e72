"""Stripe through the real SDK against a local fake, and webhooks with real signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import Listing
from marketplace.models import AuditEvent
from marketplace.money import Money
from orders.models import LedgerEntry, Order, PaymentProvider, ProcessedStripeEvent, Refund
from orders.services.refunds import refund_issue, refunds_retry_pending
from orders.states import OrderStatus, RefundStatus, SellerOrderStatus
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, place
from tests.orders.conftest import sign, stripe_event, succeeded_intent

pytestmark = pytest.mark.django_db
WEBHOOK = "/payments/stripe/webhook/"


def deliver(payload: bytes, signature: str | None = None):
    return Client().post(
        WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature or sign(payload)
    )


def test_checkout_creates_a_payment_intent_with_the_servers_amount(stripe_fake, shopper):
    listing = make_listing(price_amount=45900)
    order = place((listing, 2), buyer=shopper)
    payment = order.payment
    assert payment.provider == PaymentProvider.STRIPE
    assert payment.reference.startswith("pi_")
    assert payment.client_secret.endswith("_secret_fake")
    (sent,) = stripe_fake.calls("/v1/payment_intents")
    assert sent["amount"] == "91800"
    assert sent["currency"] == "eur"
    assert sent["metadata[order_number]"] == order.number
    assert stripe_fake.keys("/v1/payment_intents") == [f"{order.number}-pay"]


def test_the_signed_succeeded_webhook_pays_the_order(stripe_fake, shopper):
    listing = make_listing(price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000))
    response = deliver(payload)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.seller_orders.get().status == SellerOrderStatus.PAID


def test_a_bad_signature_is_refused_and_changes_nothing(stripe_fake, shopper):
    listing = make_listing(price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000))
    assert deliver(payload, signature=sign(payload, secret="whsec_wrong")).status_code == 400
    assert deliver(payload, signature="t=1,v1=deadbeef").status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert ProcessedStripeEvent.objects.count() == 0


def test_an_amount_other_than_the_orders_does_not_pay_it(stripe_fake, shopper):
    listing = make_listing(price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 100))
    assert deliver(payload).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_the_same_event_twice_acts_once(stripe_fake, shopper):
    listing = make_listing(price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000))
    for _ in range(3):
        assert deliver(payload).status_code == 200
    assert LedgerEntry.objects.filter(kind="sale").values("journal").distinct().count() == 1
    assert ProcessedStripeEvent.objects.count() == 1


def test_a_failed_payment_releases_stock(stripe_fake, shopper):
    listing = make_listing(stock=1)
    order = place((listing, 1), buyer=shopper)
    intent = {"id": order.payment.reference, "object": "payment_intent", "last_payment_error": {"message": "declined"}}
    assert deliver(stripe_event("payment_intent.payment_failed", intent)).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert Listing.objects.get(pk=listing.pk).stock == 1


def test_refunds_go_through_stripes_refund_api_and_never_exceed_the_capture(
    stripe_fake, shopper, django_capture_on_commit_callbacks
):
    from marketplace.errors import ApplicationError, ErrorCode

    listing = make_listing(price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    deliver(stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000)))
    payment = order.payment
    payment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_issue(
            payment=payment, amount=Money(20000, "EUR"), actor=SYSTEM, reason="test", idempotency_key="refund-t-1"
        )
    refund.refresh_from_db()
    assert refund.reference.startswith("re_")
    assert refund.status == RefundStatus.SUCCEEDED
    (sent,) = stripe_fake.calls("/v1/refunds")
    assert sent == {"payment_intent": payment.reference, "amount": "20000", "metadata[encore_refund]": "refund-t-1"}
    assert stripe_fake.keys("/v1/refunds") == ["refund-t-1"]
    with pytest.raises(ApplicationError) as error:
        refund_issue(
            payment=payment, amount=Money(10001, "EUR"), actor=SYSTEM, reason="too much", idempotency_key="refund-t-2"
        )
    assert error.value.code == ErrorCode.REFUND_EXCEEDS_CAPTURE
    assert Refund.objects.count() == 1
    payment.refresh_from_db()
    assert payment.refunded_amount == 20000


def test_a_refund_refused_by_stripe_stays_pending_and_is_retried_with_the_same_key(
    stripe_fake, shopper, django_capture_on_commit_callbacks
):
    listing = make_listing(price_amount=30000)
    order = place((listing, 1), buyer=shopper)
    deliver(stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000)))
    stripe_fake.fail_paths.add("/v1/refunds")
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_issue(
            payment=order.payment, amount=Money(100, "EUR"), actor=SYSTEM, reason="x", idempotency_key="refund-x"
        )
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 1)
    assert "Refused by the fake" in refund.last_error
    order.payment.refresh_from_db()
    assert order.payment.refunded_amount == 100  # reserved: no other refund can take it meanwhile

    stripe_fake.fail_paths.clear()
    assert refunds_retry_pending(now=timezone.now() + timedelta(minutes=5)) == 1

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert stripe_fake.keys("/v1/refunds") == ["refund-x", "refund-x"]


def test_the_pay_page_shows_the_payment_element_with_stripe(stripe_fake, shopper):
    listing = make_listing()
    order = place((listing, 1), buyer=shopper)
    client = Client()
    client.force_login(shopper)
    response = client.get(f"/checkout/{order.number}/pay/")
    assert response.status_code == 200
    assert b"https://js.stripe.com/v3/" in response.content
    assert order.payment.client_secret.encode() in response.content
    assert b"Test payment provider" not in response.content


def test_the_storefront_journey_with_stripe(stripe_fake, shopper):
    """Cart, checkout, Payment Element, signed webhook, paid: the whole storefront path with the SDK and the fake."""
    listing = make_listing(price_amount=45900, stock=1)
    client = Client()
    client.cookies["encore_market"] = "fr"
    client.force_login(shopper)
    client.post("/cart/add/", {"listing": listing.pk})
    response = client.post(
        "/checkout/",
        {
            "full_name": "A B",
            "email": "a@example.test",
            "address_line": "1 rue",
            "postal_code": "75001",
            "city": "Paris",
        },
    )
    order = Order.objects.get()
    assert response["Location"] == f"/checkout/{order.number}/pay/"
    page = client.get(response["Location"]).content.decode()
    assert order.payment.client_secret in page
    # The browser confirms with Stripe.js; Stripe then calls the webhook, signed.
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 45900))
    assert deliver(payload).status_code == 200
    account = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Being prepared" in account
    # A test-provider button cannot pay a Stripe order.
    assert client.post(f"/checkout/{order.number}/test-payment/", {"outcome": "pay"}).status_code == 404


def test_a_payment_arriving_after_expiry_is_refunded(stripe_fake, shopper, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services.payment import orders_expire_unpaid

    listing = make_listing(price_amount=30000, stock=1)
    order = place((listing, 1), buyer=shopper)
    orders_expire_unpaid(now=timezone.now() + timedelta(minutes=31))
    assert Listing.objects.get(pk=listing.pk).stock == 1
    with django_capture_on_commit_callbacks(execute=True):
        deliver(stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000)))
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    order.payment.refresh_from_db()
    assert (order.payment.captured_amount, order.payment.refunded_amount) == (30000, 30000)
    key = f"refund-late-capture-{order.payment.pk}"
    assert stripe_fake.calls("/v1/refunds") == [
        # The key rides as metadata too: `charge.refunded` tells Encore's refunds from the dashboard's by it.
        {"payment_intent": order.payment.reference, "amount": "30000", "metadata[encore_refund]": key}
    ]
    # Recorded as it happened: cancelled with the order, then captured after all.
    assert order.payment.status == "succeeded"
    audits = AuditEvent.objects.filter(content_type__model="payment", object_id=str(order.payment.pk)).order_by("pk")
    moves = list(audits.values_list("from_status", "to_status"))
    assert moves == [("pending", "cancelled"), ("cancelled", "succeeded")]
