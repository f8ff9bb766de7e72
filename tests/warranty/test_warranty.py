"""Warranty records: one per delivered unit, start = delivery date, end = start + months; the shopper's page."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from orders.hooks import seller_order_delivered
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, imei, paid
from warranty.models import Warranty
from warranty.services.warranties import add_months, warranties_create_for_delivery

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 22), 24, date(2028, 11, 22)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


def test_warranty_learns_of_deliveries_through_orders_hook():
    assert seller_order_delivered.handlers == (warranties_create_for_delivery,)


def test_a_warranty_per_unit_created_once(shopper):
    listing = make_listing(stock=3, warranty_months=24)
    seller_order = paid((listing, 3), buyer=shopper).seller_orders.get()
    delivered(seller_order)
    assert Warranty.objects.count() == 3
    seller_order.refresh_from_db()
    with transaction.atomic():
        assert warranties_create_for_delivery(seller_order=seller_order) == []  # idempotent
    assert Warranty.objects.count() == 3
    warranty = Warranty.objects.get(identifier=imei(1))
    assert warranty.months == 24
    assert warranty.is_active(today=warranty.ends_on)
    assert not warranty.is_active(today=add_months(warranty.ends_on, 1))


def test_the_warranties_page_shows_only_the_shoppers_own(shopper):
    seller_order = paid((make_listing(stock=1), 1), buyer=shopper).seller_orders.get()
    delivered(seller_order)
    client = Client()
    client.force_login(shopper)
    page = client.get("/account/warranties/").content.decode()
    assert imei(1) in page
    assert "legal guarantee" in page
    stranger = Client()
    stranger.force_login(UserFactory())
    assert imei(1) not in stranger.get("/account/warranties/").content.decode()
    assert Client().get("/account/warranties/").status_code == 302
