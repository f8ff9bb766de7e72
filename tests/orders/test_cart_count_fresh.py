"""The header's cart count is right on the very next page whoever changed the cart: the Stripe webhook
putting a declined order's units back, the test provider's decline, the expiry sweep, another device
of the same account (`orders.cart_count`: the count is cached under a version every cart write replaces)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order
from orders.services.payment import orders_expire_unpaid
from orders.states import OrderStatus
from tests.factories.catalog import make_listing
from tests.orders.conftest import sign, stripe_event

pytestmark = pytest.mark.django_db
WEBHOOK = "/payments/stripe/webhook/"
CHECKOUT_FORM = {
    "full_name": "Alex Buyer",
    "email": "alex@example.test",
    "address_line": "3 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
}


def _count_in(html: str) -> str | None:
    match = re.search(r'data-testid="cart-count"><span class="visually-hidden">\(</span>(\d+)', html)
    return match.group(1) if match else None


def _shopper_checks_out(shopper, *, quantity: int) -> tuple[Client, Order]:
    listing = make_listing(stock=3, price_amount=45900)
    client = Client()
    client.cookies["encore_market"] = "fr"
    client.force_login(shopper)
    client.post("/cart/add/", {"listing": listing.pk, "quantity": quantity})
    assert _count_in(client.get("/").content.decode()) == str(quantity)
    response = client.post("/checkout/", CHECKOUT_FORM)
    order = Order.objects.get()
    assert response["Location"] == f"/checkout/{order.number}/pay/"
    # Checked out: the units left the cart, and the header says so at once.
    assert _count_in(client.get(response["Location"]).content.decode()) is None
    return client, order


def test_a_card_declined_through_the_stripe_webhook_shows_its_units_back_on_the_next_page(stripe_fake, shopper):
    client, order = _shopper_checks_out(shopper, quantity=2)
    intent = {
        "id": order.payment.reference,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    payload = stripe_event("payment_intent.payment_failed", intent)

    # Stripe calls the webhook, signed: not the shopper's request, not the shopper's session.
    delivered = Client().post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload))

    assert delivered.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    # Stripe.js sends the shopper to the order (the return URL): its header counts the units put back.
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Payment declined" in page
    assert _count_in(page) == "2"
    assert _count_in(client.get("/c/smartphones/").content.decode()) == "2"
    assert _count_in(client.get("/cart/").content.decode()) == "2"


def test_a_test_provider_decline_shows_the_units_back_on_the_page_it_redirects_to(shopper):
    client, order = _shopper_checks_out(shopper, quantity=3)

    response = client.post(f"/checkout/{order.number}/test-payment/", {"outcome": "decline"}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [(f"/account/orders/{order.number}/", 302)]
    assert "your items are back in your cart" in page
    assert _count_in(page) == "3"


def test_an_order_expired_by_the_sweep_shows_its_units_back(shopper):
    client, order = _shopper_checks_out(shopper, quantity=1)

    assert orders_expire_unpaid(now=timezone.now() + timedelta(hours=2)) == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert _count_in(client.get("/").content.decode()) == "1"


def test_another_device_of_the_account_sees_the_cart_change(shopper):
    listing = make_listing(stock=5)
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        device.cookies["encore_market"] = "fr"
        device.force_login(shopper)
    assert _count_in(laptop.get("/").content.decode()) is None

    phone.post("/cart/add/", {"listing": listing.pk, "quantity": 2})

    assert _count_in(laptop.get("/").content.decode()) == "2"
    phone.post("/cart/add/", {"listing": listing.pk})
    assert _count_in(laptop.get("/").content.decode()) == "3"
