"""Seller orders API (scoped to the seller) and partner orders API (idempotent)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import Event
from orders.models import Order, SellerOrder
from orders.states import SellerOrderStatus
from tests.factories.catalog import make_listing
from tests.factories.orders import imei, paid, place
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
READ_WRITE = ["orders:read", "orders:write"]


def test_seller_orders_list_is_scoped_and_filtered(key_client, seller_org, other_seller_org, shopper):
    mine = make_listing(seller=seller_org, stock=3)
    theirs = make_listing(seller=other_seller_org, stock=3)
    paid_order = paid((mine, 1), buyer=shopper)
    paid((theirs, 1), buyer=shopper)
    place((mine, 1), buyer=shopper)  # awaiting payment: not shown
    client = key_client(seller_org, READ_WRITE)

    response = client.get("/api/v1/seller/orders/")
    assert response.status_code == 200
    assert [row["order"] for row in response.json()["results"]] == [paid_order.number]
    row = response.json()["results"][0]
    assert row["status"] == "paid"
    assert row["subtotal"] == {"amount": 49900, "currency": "EUR"}
    assert row["ship_to"]["city"] == "Paris"
    assert client.get("/api/v1/seller/orders/?status=shipped").json()["results"] == []
    assert client.get("/api/v1/seller/orders/?status=nonsense").status_code == 400


def test_another_sellers_order_is_404_with_no_side_effect(key_client, seller_org, other_seller_org, shopper):
    theirs = make_listing(seller=other_seller_org, stock=1)
    seller_order = paid((theirs, 1), buyer=shopper).seller_orders.get()
    client = key_client(seller_org, READ_WRITE)
    assert client.get(f"/api/v1/seller/orders/{seller_order.pk}/").status_code == 404
    response = client.post(f"/api/v1/seller/orders/{seller_order.pk}/accept/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.PAID


def test_authorisation_matrix(api_client, key_client, seller_org, partner_org, shopper):
    seller_order = paid((make_listing(seller=seller_org, stock=1), 1), buyer=shopper).seller_orders.get()
    url = f"/api/v1/seller/orders/{seller_order.pk}/accept/"
    assert api_client.get("/api/v1/seller/orders/").status_code == 401
    assert key_client(seller_org, ["orders:read"]).post(url).status_code == 403
    assert key_client(partner_org, READ_WRITE).get("/api/v1/seller/orders/").status_code == 403
    assert key_client(seller_org, ["catalog:read"]).get("/api/v1/seller/orders/").status_code == 403


def test_accept_then_ship_through_the_api(key_client, seller_org, shopper):
    listing = make_listing(seller=seller_org, stock=2)
    seller_order = paid((listing, 2), buyer=shopper).seller_orders.get()
    client = key_client(seller_org, READ_WRITE)
    response = client.post(f"/api/v1/seller/orders/{seller_order.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert client.post(f"/api/v1/seller/orders/{seller_order.pk}/accept/").status_code == 409
    line = seller_order.lines.get()
    body = {
        "carrier": "DHL",
        "tracking_number": "JD014600003",
        "units": [{"line": line.pk, "identifier": imei(1)}, {"line": line.pk, "identifier": "490154203237519"}],
    }
    response = client.post(f"/api/v1/seller/orders/{seller_order.pk}/ship/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == f"units.{line.pk}"
    body["units"][1]["identifier"] = imei(2)
    response = client.post(f"/api/v1/seller/orders/{seller_order.pk}/ship/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["carrier"], data["tracking_number"]) == ("shipped", "DHL", "JD014600003")
    assert sorted(u["identifier"] for u in data["lines"][0]["units"]) == sorted([imei(1), imei(2)])
    # The delivery time lies between shipping and now (it starts the warranty and the return window).
    shipped_at = SellerOrder.objects.get(pk=seller_order.pk).shipped_at
    for wrong in (shipped_at - timedelta(days=2), timezone.now() + timedelta(days=1)):
        response = client.post(
            f"/api/v1/seller/orders/{seller_order.pk}/deliver/", {"delivered_at": wrong.isoformat()}, format="json"
        )
        assert response.status_code == 422, response.json()
        assert response.json()["errors"] == [
            {"field": "delivered_at", "message": "The delivery time lies between the shipping time and now."}
        ]
    assert SellerOrder.objects.get(pk=seller_order.pk).status == "shipped"
    response = client.post(f"/api/v1/seller/orders/{seller_order.pk}/deliver/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["lines"][0]["units"][0]["warranty_ends_on"] is not None


def test_a_partner_places_an_order_for_a_customer(key_client, partner_org):
    first = make_listing(seller=SellerFactory().organisation, stock=2, price_amount=30000)
    second = make_listing(seller=SellerFactory().organisation, stock=2, price_amount=20000)
    client = key_client(partner_org, READ_WRITE)
    body = {
        "market": "fr",
        "reference": "TELCO-42",
        "lines": [{"listing": first.pk, "quantity": 1}, {"listing": second.pk, "quantity": 2}],
        "customer": {
            "full_name": "Lou Client",
            "email": "lou@example.test",
            "address_line": "1 rue A",
            "postal_code": "69001",
            "city": "Lyon",
            "country": "fr",
        },
    }
    response = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "paid"  # on invoice
    assert data["total"] == {"amount": 70000, "currency": "EUR"}
    assert data["reference"] == "TELCO-42"
    assert len(data["seller_orders"]) == 2
    order = Order.objects.get()
    assert order.partner == partner_org
    assert order.payment.provider == "invoice"
    assert Event.objects.filter(type="order.paid", organisation=partner_org).count() == 1
    # Replay: same response, one order.
    again = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert again.status_code == 201
    assert again.json() == data
    assert Order.objects.count() == 1
    # The answer is built from the order as placed, not read back: it is what reading it gives.
    assert client.get(f"/api/v1/orders/{order.pk}/").json() == data
    assert [line["quantity"] for parcel in data["seller_orders"] for line in parcel["lines"]] == [1, 2]
    assert all(parcel["status"] == "paid" and parcel["seller"] for parcel in data["seller_orders"])
    # Another partner: 404.
    from tests.factories import OrganisationFactory

    other = key_client(OrganisationFactory(kind="partner"), READ_WRITE)
    assert other.get(f"/api/v1/orders/{order.pk}/").status_code == 404


def test_partner_order_out_of_stock_is_a_problem(key_client, partner_org):
    listing = make_listing(stock=1)
    client = key_client(partner_org, READ_WRITE)
    body = {
        "market": "fr",
        "lines": [{"listing": listing.pk, "quantity": 2}],
        "customer": {
            "full_name": "A",
            "email": "a@example.test",
            "address_line": "x",
            "postal_code": "1",
            "city": "c",
            "country": "fr",
        },
    }
    response = client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 409
    assert response.json()["type"].endswith("out-of-stock")
    assert client.post("/api/v1/orders/", {"market": "fr"}, format="json").status_code == 400
    assert key_client(partner_org, ["orders:read"]).post("/api/v1/orders/", body, format="json").status_code == 403
