"""The query count of a page or list does not grow with its rows."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import MembershipFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, paid

pytestmark = pytest.mark.django_db


def _orders(seller_org, shopper, count: int) -> None:
    for _ in range(count):
        order = paid((make_listing(seller=seller_org, stock=2), 2), buyer=shopper)
        delivered(order.seller_orders.get())


def test_seller_orders_api_list(key_client, seller_org, shopper, django_assert_max_num_queries):
    _orders(seller_org, shopper, 2)
    client = key_client(seller_org, ["orders:read"])
    with django_assert_max_num_queries(12) as few:
        assert len(client.get("/api/v1/seller/orders/").json()["results"]) == 2
    _orders(seller_org, shopper, 3)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get("/api/v1/seller/orders/").json()["results"]) == 5


def test_shopper_account_pages(seller_org, shopper, django_assert_max_num_queries):
    _orders(seller_org, shopper, 2)
    client = Client()
    client.force_login(shopper)
    with django_assert_max_num_queries(20) as few:
        client.get("/account/orders/")
    _orders(seller_org, shopper, 3)
    with django_assert_max_num_queries(len(few)):
        client.get("/account/orders/")
    with django_assert_max_num_queries(20) as warranties:
        client.get("/account/warranties/")
    _orders(seller_org, shopper, 2)
    with django_assert_max_num_queries(len(warranties)):
        client.get("/account/warranties/")


def test_seller_orders_page(seller_org, shopper, django_assert_max_num_queries):
    owner = MembershipFactory(organisation=seller_org).user
    _orders(seller_org, shopper, 2)
    client = Client()
    client.force_login(owner)
    with django_assert_max_num_queries(20) as few:
        client.get("/seller/orders/?status=delivered")
    _orders(seller_org, shopper, 3)
    with django_assert_max_num_queries(len(few)):
        client.get("/seller/orders/?status=delivered")


# --- the checkout: queries per request, the same for a cart of one seller or three --------------------------
CHECKOUT_FORM = {
    "full_name": "Alex Buyer",
    "email": "alex@example.test",
    "phone": "",
    "address_line": "1 rue de Rivoli",
    "postal_code": "75001",
    "city": "Paris",
}


def _cycle_queries(client: Client, listings, captured) -> list[int]:
    """Queries of each request of a storefront checkout cycle: one add per listing, checkout, pay."""
    counts = []
    for listing in listings:
        with captured() as add:
            assert client.post("/cart/add/", {"listing": listing.pk}).status_code == 302
        counts.append(len(add))
    with captured() as checkout:
        response = client.post("/checkout/", CHECKOUT_FORM)
    assert response.status_code == 302, response.content[:300]
    assert "/pay/" in response["Location"]
    counts.append(len(checkout))
    number = response["Location"].rstrip("/").split("/")[-2]
    with captured() as pay:
        assert client.post(f"/checkout/{number}/test-payment/", {"outcome": "pay"}).status_code == 302
    counts.append(len(pay))
    return counts


def test_the_storefront_checkout_cycle_runs_in_few_queries_whatever_the_cart(shopper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def captured():
        return CaptureQueriesContext(connection)

    client = Client()
    client.cookies["encore_market"] = "fr"
    client.force_login(shopper)
    _cycle_queries(client, [make_listing(stock=5)], captured)  # first requests fill per-process caches
    one = _cycle_queries(client, [make_listing(stock=5)], captured)
    three = _cycle_queries(client, [make_listing(stock=5) for _ in range(3)], captured)  # three sellers

    adds, checkout, pay = three[:3], three[3], three[4]
    # The signed-in user comes from the cache (marketplace/usercache.py): no request below reads it.
    assert max(adds) <= 1  # one statement finding the cart, reading the offer and upserting the line
    # The cart's lines with their listings and rates (read once, for the review and the placement), order,
    # seller orders, lines, payment, cart, stock (and the test's savepoint).
    assert checkout <= 10
    # The order read once, locked, then moved with its payment and seller orders, audited, booked, events (12
    # here inside the test's own transaction, which adds a savepoint; 17 before held rows and one INSERT for
    # the three moves' audit rows, 14 before the user's cache and the order's one read).
    assert pay <= 12
    assert (one[1], one[2]) == (checkout, pay)  # one seller or three: the same queries


def test_a_partner_api_order_runs_in_few_queries_whatever_the_cart(key_client, partner_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = key_client(partner_org, ["orders:read", "orders:write"])
    customer = {
        "full_name": "Bench Customer",
        "email": "customer@example.test",
        "address_line": "1 rue",
        "postal_code": "75001",
        "city": "Paris",
        "country": "fr",
    }
    counts = []
    for n, size in enumerate((1, 1, 3)):  # the first fills per-process caches
        body = {
            "market": "fr",
            "lines": [{"listing": make_listing(stock=5).pk, "quantity": 1} for _ in range(size)],
            "customer": customer,
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"order-{n}")
        assert response.status_code == 201, response.content[:300]
        counts.append(len(queries))
    assert counts[1] == counts[2]
    # 33 before: no read-back, no re-read of the rows it created, one INSERT for the audit rows, and the order,
    # payment and seller orders written paid (18 when they were written pending, then moved)
    assert counts[2] <= 15
