"""The order journey in headless Chromium: browse, cart, checkout with the test provider, the seller
accepts and ships, delivery, and the warranty on the shopper's account."""

from __future__ import annotations

import re

import pytest

from orders.models import Order
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import imei
from tests.factories.sellers import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_buy_ship_deliver_and_see_the_warranty(page, live_server, artifacts_dir):
    seller = SellerFactory(organisation__name="Renew Labs").organisation
    seller_user = MembershipFactory(organisation=seller).user
    shopper = UserFactory(full_name="Chloé Shopper")
    listing = make_listing(seller=seller, stock=1, price_amount=45900, warranty_months=12)
    product = listing.variant.product
    page.context.add_cookies([{"name": "encore_market", "value": "fr", "url": live_server.url}])

    # Browse anonymously and put the offer in the cart.
    page.goto(f"{live_server.url}/p/{product.slug}/")
    assert product.name in page.get_by_role("heading", level=1).inner_text()
    with page.expect_navigation():  # the featured offer of its grade, straight from the product page
        page.locator("li.grade-row").filter(has_text="Excellent").get_by_role("button", name="Add to cart").click()
    assert page.get_by_role("heading", name="Sold and shipped by Renew Labs").is_visible()

    # Log in: the session's cart is merged into the account's.
    log_in(page, live_server, shopper.email, PASSWORD)
    page.goto(f"{live_server.url}/cart/")
    assert page.get_by_test_id("cart-total").inner_text() == "€459.00"
    with page.expect_navigation():
        page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Address").fill("3 rue de la Paix")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("City").fill("Paris")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to payment").click()
    assert page.get_by_role("heading", name="Test payment provider").is_visible()
    page.screenshot(path=str(artifacts_dir / "orders-pay-test-provider.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Pay (test)").click()
    assert page.get_by_test_id("order-status").inner_text() == "Being prepared"
    order = Order.objects.get()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    # The seller accepts and ships with the unit's IMEI, then records the delivery.
    log_in(page, live_server, seller_user.email, PASSWORD)
    page.goto(f"{live_server.url}/seller/orders/")
    with page.expect_navigation():
        page.get_by_role("link", name=order.number).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Accept order").click()
    assert page.get_by_test_id("seller-order-status").inner_text() == "Accepted, to ship"
    page.get_by_label("Carrier").fill("Colissimo")
    page.get_by_label("Tracking number").fill("6A00000000001")
    page.get_by_label(re.compile("IMEI or serial of")).fill(imei(42))
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as shipped").click()
    assert page.get_by_test_id("seller-order-status").inner_text() == "Shipped"
    page.screenshot(path=str(artifacts_dir / "orders-seller-shipped.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as delivered").click()
    assert page.get_by_test_id("seller-order-status").inner_text() == "Delivered"
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    # The shopper follows the parcel and finds the warranty.
    log_in(page, live_server, shopper.email, PASSWORD)
    page.goto(f"{live_server.url}/account/orders/{order.number}/")
    assert page.get_by_test_id("parcel-status").inner_text() == "Delivered"
    assert "6A00000000001" in page.content()
    assert "12-month Encore warranty until" in page.get_by_test_id("warranty").inner_text()
    page.goto(f"{live_server.url}/account/warranties/")
    assert page.get_by_role("cell", name=imei(42)).is_visible()
    page.screenshot(path=str(artifacts_dir / "orders-warranties.png"), full_page=True)
