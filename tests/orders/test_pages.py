"""Storefront cart/checkout/account pages and seller back-office order pages (server-rendered)."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Listing
from orders.models import Cart, CartLine, Order
from orders.states import OrderStatus, SellerOrderStatus
from tests.factories import PASSWORD, MembershipFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, imei, paid

pytestmark = pytest.mark.django_db


def _checkout_form() -> dict[str, str]:
    return {
        "full_name": "Alex Buyer",
        "email": "alex@example.test",
        "address_line": "3 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
    }


def test_anonymous_cart_merges_into_the_account_at_login(shopper):
    listing = make_listing(stock=2, price_amount=31000)
    client = Client()
    client.cookies["encore_market"] = "fr"
    response = client.post("/cart/add/", {"listing": listing.pk, "quantity": 5})
    assert response.status_code == 302
    page = client.get("/cart/")
    assert "310,00" in page.content.decode() or "€" in page.content.decode()
    assert CartLine.objects.get().quantity == 2  # bounded by stock
    assert client.post("/accounts/login/", {"login": shopper.email, "password": PASSWORD}).status_code == 302
    client.get("/cart/")
    cart = Cart.objects.get(user=shopper)
    assert [(line.listing_id, line.quantity) for line in cart.lines.all()] == [(listing.pk, 2)]
    assert Cart.objects.filter(user__isnull=True).count() == 0


def test_checkout_with_the_test_provider_then_account_shows_parcels(shopper):
    first, second = make_listing(stock=1, price_amount=30000), make_listing(stock=1, price_amount=20000)
    client = Client()
    client.cookies["encore_market"] = "fr"
    client.force_login(shopper)
    client.post("/cart/add/", {"listing": first.pk})
    client.post("/cart/add/", {"listing": second.pk})
    page = client.get("/checkout/")
    assert page.status_code == 200
    assert page.content.decode().count("Sold and shipped by") == 2
    response = client.post("/checkout/", _checkout_form())
    assert response.status_code == 302
    order = Order.objects.get()
    assert response["Location"] == f"/checkout/{order.number}/pay/"
    pay_page = client.get(response["Location"]).content.decode()
    assert "Test payment provider" in pay_page
    assert "no money moves" in pay_page
    client.post(f"/checkout/{order.number}/test-payment/", {"outcome": "pay"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not CartLine.objects.exists()
    seller_order = order.seller_orders.order_by("pk").first()
    delivered(seller_order)
    account = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "6A123456789" in account
    assert imei(1) in account
    assert "12-month Encore warranty until" in account
    assert "legal guarantee" in account
    warranties = client.get("/account/warranties/").content.decode()
    assert imei(1) in warranties
    assert client.get("/account/orders/").status_code == 200


def test_a_changed_price_is_shown_before_payment(shopper):
    listing = make_listing(stock=1, price_amount=30000)
    client = Client()
    client.cookies["encore_market"] = "fr"
    client.force_login(shopper)
    client.post("/cart/add/", {"listing": listing.pk})
    Listing.objects.filter(pk=listing.pk).update(price_amount=32000)
    page = client.get("/checkout/").content.decode()
    assert "Price changed" in page
    assert "Accept the changes" in page
    assert client.post("/checkout/", _checkout_form()).status_code == 200  # not placed
    assert Order.objects.count() == 0
    client.post("/cart/accept-changes/")
    assert client.post("/checkout/", _checkout_form()).status_code == 302
    assert Order.objects.get().total_amount == 32000


def test_another_shoppers_order_is_404(shopper):
    from tests.factories import UserFactory

    order = paid((make_listing(stock=1), 1), buyer=shopper)
    client = Client()
    client.force_login(UserFactory())
    assert client.get(f"/account/orders/{order.number}/").status_code == 404
    assert client.post(f"/checkout/{order.number}/test-payment/", {"outcome": "pay"}).status_code == 404


def test_seller_accepts_ships_and_delivers_in_the_back_office(seller_org, shopper):
    owner = MembershipFactory(organisation=seller_org).user
    listing = make_listing(seller=seller_org, stock=1)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    client = Client()
    client.force_login(owner)
    listing_page = client.get("/seller/orders/").content.decode()
    assert seller_order.order.number in listing_page
    assert client.get(f"/seller/orders/{seller_order.pk}/packing-slip/").status_code == 200
    client.post(f"/seller/orders/{seller_order.pk}/accept/")
    line = seller_order.lines.get()
    client.post(
        f"/seller/orders/{seller_order.pk}/ship/",
        {"carrier": "DHL", "tracking_number": "JD1", f"unit-{line.pk}-0": "490154203237519"},
    )
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.ACCEPTED  # bad Luhn refused
    client.post(
        f"/seller/orders/{seller_order.pk}/ship/",
        {"carrier": "DHL", "tracking_number": "JD1", f"unit-{line.pk}-0": imei(3)},
    )
    client.post(f"/seller/orders/{seller_order.pk}/deliver/")
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.DELIVERED
    assert client.get("/seller/orders/payouts/").status_code == 200


def test_another_sellers_order_page_is_404(seller_org, other_seller_org, shopper):
    owner = MembershipFactory(organisation=seller_org).user
    theirs = paid((make_listing(seller=other_seller_org, stock=1), 1), buyer=shopper).seller_orders.get()
    client = Client()
    client.force_login(owner)
    assert client.get(f"/seller/orders/{theirs.pk}/").status_code == 404
    assert client.post(f"/seller/orders/{theirs.pk}/accept/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SellerOrderStatus.PAID


def test_the_shopper_cancels_a_parcel_from_the_account_page(shopper):
    listing = make_listing(stock=1, price_amount=30000)
    order = paid((listing, 1), buyer=shopper)
    seller_order = order.seller_orders.get()
    client = Client()
    client.force_login(shopper)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Cancel this parcel" in page
    client.post(f"/account/orders/{order.number}/cancel/{seller_order.pk}/")
    seller_order.refresh_from_db()
    assert (seller_order.status, seller_order.cancelled_by) == (SellerOrderStatus.CANCELLED, "shopper")
    assert Listing.objects.get(pk=listing.pk).stock == 1
    assert "Cancel this parcel" not in client.get(f"/account/orders/{order.number}/").content.decode()
