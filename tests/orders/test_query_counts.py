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
