"""US sales tax: prices before tax, the state's rate added at checkout, its own line everywhere the
order's money is shown, stored in minor units, booked apart from the sellers' money, given back with the
goods it was charged on. Other markets unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Sum
from django.test import Client

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.money import Money
from orders import notifications
from orders.models import LedgerAccount, LedgerEntry, Order, Payment, Refund
from orders.sales_tax import RATES_AS_OF, RATES_SOURCE, STATE_RATES, is_state, sales_tax_for
from orders.selectors import seller_balances
from orders.services.fulfilment import seller_order_cancel, seller_order_refund
from orders.services.ledger import commission_share
from orders.services.payment import order_mark_paid
from orders.services.refunds import refund_issue, refund_record_external
from orders.states import CancelledBy, SellerOrderStatus
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, contact, delivered, place

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


# --- refunds give the tax back with the goods ------------------------------------------------------------------
def _us_delivered(shopper, *, price: int, quantity: int, state: str = "CA"):
    listing = make_listing(market="us", price_amount=price, stock=quantity)
    order = place((listing, quantity), buyer=shopper, contact=contact("us", state=state))
    order = order_mark_paid(order=order, actor=SYSTEM, amount_received=order.total, reference="test")
    seller_order = delivered(order.seller_orders.get())
    seller_order.refresh_from_db()
    return order, seller_order


def _refund_goods(order, seller_order, amount: int, key: str) -> Refund:
    """Give back `amount` of the seller order's goods (a return's refund): the service adds their tax."""
    return refund_issue(
        payment=order.payment,
        amount=Money(amount, "USD"),
        actor=SYSTEM,
        reason="a unit returned",
        idempotency_key=key,
        seller_order=seller_order,
    )


def _account(account: str, **filters) -> int:
    return LedgerEntry.objects.filter(account=account, **filters).aggregate(total=Sum("amount"))["total"] or 0


def test_refunding_us_goods_gives_their_sales_tax_back_and_the_seller_loses_only_the_goods(shopper):
    order, seller_order = _us_delivered(shopper, price=49900, quantity=2)
    assert order.sales_tax_amount == 7236
    seller = seller_order.seller
    net = seller_order.subtotal_amount - seller_order.commission_amount

    one = _refund_goods(order, seller_order, 49900, "refund-return-us-1")
    assert (one.amount, one.sales_tax_amount) == (49900 + 3618, 3618)
    assert (one.goods, one.sales_tax) == (Money(49900, "USD"), Money(3618, "USD"))
    journal = LedgerEntry.objects.filter(refund=one)
    assert sum(entry.amount for entry in journal) == 0
    assert _account(LedgerAccount.SALES_TAX) == -7236 + 3618  # half the tax is owed to the state no more
    commission = commission_share(seller_order=seller_order, amount=49900)
    assert seller_balances(seller=seller)[0].pending.amount == net - (49900 - commission)
    # Asking again with the same key and the same goods finds the same refund.
    again = _refund_goods(order, seller_order, 49900, "refund-return-us-1")
    assert again.pk == one.pk

    seller_order_refund(seller_order=seller_order, actor=SYSTEM, reason="the second unit")
    rest = Refund.objects.get(idempotency_key=f"refund-rest-{seller_order.pk}")
    assert (rest.amount, rest.sales_tax_amount) == (49900 + 3618, 3618)
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.REFUNDED
    payment = Payment.objects.get(pk=order.payment.pk)
    assert payment.refunded_amount == payment.captured_amount == order.total_amount  # all of it, tax included
    assert _account(LedgerAccount.SALES_TAX) == 0
    assert seller_balances(seller=seller)[0].pending.amount == 0
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0


def test_unit_by_unit_refunds_give_back_exactly_the_tax_paid_whatever_the_rounding(shopper):
    # 3 x 3.39 in Minnesota (6.875 %): 10.17 -> 0.70 of tax, not divisible by three.
    order, seller_order = _us_delivered(shopper, price=339, quantity=3, state="MN")
    assert order.sales_tax_amount == 70
    taxes = []
    for n in range(3):
        refund = _refund_goods(order, seller_order, 339, f"refund-return-mn-{n}")
        taxes.append(refund.sales_tax_amount)
    assert taxes == [23, 24, 23]  # 23.33, then 46.67 - 23, then the rest: never a cent more or less
    assert sum(taxes) == order.sales_tax_amount
    assert Payment.objects.get(pk=order.payment.pk).refunded_amount == order.total_amount
    assert _account(LedgerAccount.SALES_TAX) == 0
    assert order.sales_tax_on(Money(339, "USD")) == Money(23, "USD")


def test_a_cancelled_us_parcel_refunds_the_tax_and_the_e_mail_says_the_whole_amount(shopper):
    listing = make_listing(market="us", price_amount=10000, stock=1)
    order = place((listing, 1), buyer=shopper, contact=contact("us", state="NY"))
    order = order_mark_paid(order=order, actor=SYSTEM, amount_received=order.total, reference="test")
    seller_order = order.seller_orders.get()

    seller_order_cancel(seller_order=seller_order, actor=SYSTEM, by=CancelledBy.SHOPPER, reason="changed my mind")

    refund = Refund.objects.get()
    assert (refund.amount, refund.sales_tax_amount) == (10400, 400)
    assert _account(LedgerAccount.SALES_TAX) == 0
    mail.outbox.clear()
    assert notifications.seller_order_cancelled_notify_task(seller_order.pk) >= 1
    assert "$104.00 is refunded" in mail.outbox[0].body


def test_a_us_refund_made_in_stripes_dashboard_books_its_tax_apart_from_the_sellers_goods(stripe_fake, shopper):
    order, seller_order = _us_delivered(shopper, price=10000, quantity=1, state="NY")
    order.payment.reference = "pi_us_tax"
    order.payment.save(update_fields=["reference"])
    seller = seller_order.seller

    refund_record_external(
        payment=order.payment, amount=Money(10400, "USD"), reference="re_us_1", actor=SYSTEM, reason="dashboard"
    )

    refund = Refund.objects.get()
    assert (refund.amount, refund.sales_tax_amount, refund.seller_order_id) == (10400, 400, seller_order.pk)
    assert _account(LedgerAccount.SALES_TAX) == 0
    assert seller_balances(seller=seller)[0].pending.amount == 0
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.REFUNDED
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
