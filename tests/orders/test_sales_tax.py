"""US sales tax: prices before tax, the state's rate added at checkout, its own line everywhere the
order's money is shown, stored in minor units, booked apart from the sellers' money. Other markets unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Sum
from django.test import Client

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.money import Money
from orders import notifications
from orders.models import LedgerAccount, LedgerEntry, Order
from orders.sales_tax import RATES_AS_OF, RATES_SOURCE, STATE_RATES, is_state, sales_tax_for
from orders.services.payment import order_mark_paid
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, contact, place

pytestmark = pytest.mark.django_db


def test_the_rate_table_covers_every_state_and_dc_with_its_source():
    assert len(STATE_RATES) == 51
    assert {"CA", "NY", "TX", "DC", "OR"} <= set(STATE_RATES)
    assert all(Decimal(0) <= rate < Decimal(10) for _name, rate in STATE_RATES.values())
    assert "Tax Foundation" in RATES_SOURCE
    assert RATES_AS_OF == "2024-01-01"
    assert is_state(" ca ")
    assert not is_state("XX")
    assert not is_state("")


@pytest.mark.parametrize(
    ("state", "subtotal", "tax"),
    [
        ("CA", 10000, 725),  # 7.25 %
        ("MN", 19999, 1375),  # 6.875 %: 1374.93 rounds half up
        ("MO", 100, 4),  # 4.225 %: 4.225 -> 4
        ("OR", 49900, 0),  # no statewide sales tax
        ("NJ", 200, 13),  # 6.625 %: 13.25 -> 13
    ],
)
def test_the_tax_is_the_states_rate_rounded_half_up_to_the_cent(state, subtotal, tax):
    assert sales_tax_for(Money(subtotal, "USD"), state).amount == Money(tax, "USD")


def test_a_us_order_adds_the_states_tax_on_its_own_and_the_ledger_holds_it_for_the_state(shopper):
    listing = make_listing(market="us", price_amount=49900)
    order = place((listing, 2), buyer=shopper, contact=contact("us", state="ca"))

    assert (order.state, order.sales_tax_rate) == ("CA", Decimal("7.250"))
    assert order.sales_tax_amount == 7236  # 7.25 % of 998.00 = 72.355 -> 72.36
    assert order.total_amount == 99800 + 7236
    assert order.subtotal == Money(99800, "USD")
    assert order.vat_amount == 0
    assert order.payment.amount == order.total_amount
    assert sum(so.subtotal_amount for so in order.seller_orders.all()) == 99800  # the sellers' money: the goods

    order_mark_paid(order=order, actor=SYSTEM, amount_received=order.total, reference="test")
    tax = LedgerEntry.objects.filter(account=LedgerAccount.SALES_TAX)
    assert tax.aggregate(total=Sum("amount"))["total"] == -7236
    assert tax.get().seller_id is None
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0  # every journal balances


@pytest.mark.parametrize("state", ["", "XX", "California"])
def test_a_us_order_without_a_valid_state_is_refused_and_nothing_is_reserved(shopper, state):
    listing = make_listing(market="us", stock=1)
    with pytest.raises(ApplicationError) as caught:
        place((listing, 1), buyer=shopper, contact=contact("us", state=state))
    assert caught.value.code == ErrorCode.VALIDATION
    assert caught.value.errors[0]["field"] == "state"
    listing.refresh_from_db()
    assert listing.stock == 1
    assert not Order.objects.exists()


def test_markets_whose_prices_include_tax_are_unchanged(shopper):
    listing = make_listing(market="fr", price_amount=49900)
    order = place((listing, 1), buyer=shopper)
    assert (order.total_amount, order.sales_tax_amount, order.state, order.sales_tax_rate) == (49900, 0, "", None)
    assert order.vat_amount > 0


def test_the_cart_checkout_order_page_and_e_mail_show_the_tax_on_its_own_line(
    shopper, django_capture_on_commit_callbacks
):
    listing = make_listing(market="us", price_amount=10000)
    client = Client()
    client.cookies["encore_market"] = "us"
    client.force_login(shopper)
    client.post("/cart/add/", {"listing": listing.pk})

    cart = client.get("/cart/").content.decode()
    assert "Subtotal (before sales tax)" in cart
    assert "calculated at checkout from the state you ship to" in cart

    checkout = client.get("/checkout/").content.decode()
    assert 'name="state"' in checkout
    assert 'hx-get="/checkout/totals/"' in checkout
    totals = client.get("/checkout/totals/", {"state": "NY"}).content.decode()
    assert "Sales tax (NY, 4 %)" in totals
    assert "$4.00" in totals
    assert "$104.00" in totals
    assert "Sales tax (" not in client.get("/checkout/totals/", {"state": "ZZ"}).content.decode()

    form = {
        "full_name": "Alex Buyer",
        "email": "alex@example.test",
        "address_line": "350 Fifth Avenue",
        "postal_code": "10118",
        "city": "New York",
    }
    refused = client.post("/checkout/", form)
    assert refused.status_code == 200
    assert not Order.objects.exists()
    response = client.post("/checkout/", {**form, "state": "NY"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.sales_tax_amount, order.total_amount) == (400, 10400)
    pay = client.get(response["Location"]).content.decode()
    assert "Sales tax (NY, 4 %)" in pay

    client.post(f"/checkout/{order.number}/test-payment/", {"outcome": "pay"})
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Sales tax (NY, 4 %)" in page
    assert "$4.00" in page
    assert "$104.00" in page
    assert notifications.order_paid_notify_task(order.pk) >= 1
    confirmation = mail.outbox[0]
    assert confirmation.to == [order.email]
    assert "Sales tax (NY, 4 %): $4.00" in confirmation.body
    assert "Total: $104.00" in confirmation.body


def test_the_us_home_page_says_prices_are_before_sales_tax(client):
    client.cookies["encore_market"] = "us"
    assert "before sales tax" in client.get("/?market=us").content.decode()
    assert "all taxes included" in client.get("/?market=fr").content.decode()
