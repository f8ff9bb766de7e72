"""The cart's unit count in every storefront page's header (from the session: no query more), and a
market switch that keeps the cart's units (the same variant and grade in the new market where offered,
otherwise the line says why with a remove button)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders.models import CartLine
from tests.factories import PASSWORD, UserFactory
from tests.factories.catalog import VariantFactory, make_listing

pytestmark = pytest.mark.django_db


def _count_in(html: str) -> str | None:
    match = re.search(r'data-testid="cart-count"><span class="visually-hidden">\(</span>(\d+)', html)
    return match.group(1) if match else None


def test_the_header_counts_the_carts_units_on_every_storefront_page_without_a_query_more():
    listing = make_listing(stock=5)
    client = Client()
    client.cookies["encore_market"] = "fr"
    client.get("/c/smartphones/")  # a first page: the visitor gets a session below when adding
    client.post("/cart/add/", {"listing": listing.pk, "quantity": 2})
    client.get("/cart/")
    for url in ("/", "/c/smartphones/", f"/p/{listing.variant.product.slug}/", "/search/?q=iphone", "/cart/"):
        assert _count_in(client.get(url).content.decode()) == "2", url

    # As many queries with a cart as without one: the count comes from the session.
    empty = Client()
    empty.cookies["encore_market"] = "fr"
    empty.get("/")
    empty.session.save()
    with CaptureQueriesContext(connection) as with_cart:
        client.get("/c/smartphones/")
    with CaptureQueriesContext(connection) as without:
        response = empty.get("/c/smartphones/")
    assert _count_in(response.content.decode()) is None
    assert len(with_cart) == len(without)


def test_logging_in_counts_the_account_cart_and_the_sessions_together():
    user = UserFactory()
    saved = make_listing(stock=5)
    account = Client()
    account.force_login(user)
    account.post("/cart/add/", {"listing": saved.pk})

    client = Client()
    client.cookies["encore_market"] = "fr"
    client.post("/cart/add/", {"listing": make_listing(stock=5).pk, "quantity": 2})
    client.post("/accounts/login/", {"login": user.email, "username": user.email, "password": PASSWORD})
    assert _count_in(client.get("/").content.decode()) == "3"


def test_switching_market_keeps_the_units_where_the_same_variant_and_grade_is_offered():
    variant = VariantFactory()
    french = make_listing(variant=variant, grade="good", market="fr", price_amount=40000, stock=3)
    german = make_listing(variant=variant, grade="good", market="de", price_amount=41000, stock=3)
    make_listing(variant=variant, grade="good", market="de", price_amount=45000, stock=3)  # dearer: not chosen
    only_french = make_listing(grade="fair", market="fr", stock=3)
    client = Client()
    client.cookies["encore_market"] = "fr"
    client.post("/cart/add/", {"listing": french.pk, "quantity": 2})
    client.post("/cart/add/", {"listing": only_french.pk})

    client.post("/market/", {"market": "de", "next": "/cart/"})
    page = client.get("/cart/").content.decode()

    moved = CartLine.objects.get(listing=german)
    assert (moved.quantity, moved.seen_price_amount, moved.currency) == (2, 41000, "EUR")
    assert not CartLine.objects.filter(listing=french).exists()
    elsewhere = page[page.index('data-testid="cart-elsewhere"') :]
    assert only_french.variant.product.name in elsewhere
    assert "Kein Verkäufer bietet diese Version in diesem Zustand" in elsewhere  # the German market: in German
    line = CartLine.objects.get(listing=only_french)
    assert f'action="/cart/lines/{line.pk}/"' in elsewhere
    client.post(f"/cart/lines/{line.pk}/", {"remove": "1"})
    assert not CartLine.objects.filter(pk=line.pk).exists()
    assert _count_in(client.get("/cart/").content.decode()) == "2"
