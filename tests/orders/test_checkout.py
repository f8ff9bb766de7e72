"""Checkout: one order split per seller, snapshots, atomic stock reservation, payment outcome, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Event, Market
from marketplace.transitions import transition
from orders.models import CommissionRate, LedgerEntry, Order, OrderLine, PaymentProvider
from orders.services.checkout import PlacementLine, order_place
from orders.services.payment import orders_expire_unpaid, test_payment_settle
from orders.states import (
    PAYMENT_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    SellerOrderStatus,
    is_late,
    ship_by,
)
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, contact, paid, place
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


def test_an_order_is_split_into_one_seller_order_per_seller_with_snapshots(shopper):
    seller_a, seller_b = SellerFactory().organisation, SellerFactory().organisation
    phone = make_listing(seller=seller_a, price_amount=30000, stock=3, warranty_months=24)
    tablet = make_listing(seller=seller_a, price_amount=20000, stock=2)
    laptop = make_listing(seller=seller_b, price_amount=50000, stock=1)

    order = place((phone, 2), (tablet, 1), (laptop, 1), buyer=shopper)

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.total_amount == 2 * 30000 + 20000 + 50000
    assert order.currency == "EUR"
    assert order.payment.provider == PaymentProvider.TEST
    assert order.payment.reference.startswith("test_pi_")
    seller_orders = {so.seller_id: so for so in order.seller_orders.all()}
    assert set(seller_orders) == {seller_a.pk, seller_b.pk}
    assert seller_orders[seller_a.pk].subtotal_amount == 80000
    assert seller_orders[seller_a.pk].commission_amount == 8000  # 10 % default
    line = OrderLine.objects.get(listing=phone)
    assert (line.quantity, line.unit_price_amount, line.warranty_months) == (2, 30000, 24)
    assert line.product_name == phone.variant.product.name
    assert line.seller_name == seller_a.name
    assert line.grade_code == "excellent"
    # Stock reserved.
    assert Listing.objects.get(pk=phone.pk).stock == 1
    assert Listing.objects.get(pk=laptop.pk).stock == 0
    # A later price change leaves the order alone.
    Listing.objects.filter(pk=phone.pk).update(price_amount=99900)
    line.refresh_from_db()
    assert line.unit_price_amount == 30000


def test_commission_is_configurable_per_category(shopper):
    listing = make_listing(price_amount=10001, stock=1)
    CommissionRate.objects.create(category=listing.variant.product.category, basis_points=1250)
    order = place((listing, 1), buyer=shopper)
    assert order.seller_orders.get().commission_amount == 1250  # 12.5 % of 100.01, half up


def test_not_enough_stock_reserves_nothing(shopper):
    first = make_listing(stock=5)
    second = make_listing(stock=1)
    with pytest.raises(ApplicationError) as error:
        place((first, 2), (second, 2), buyer=shopper)
    assert error.value.code == ErrorCode.OUT_OF_STOCK
    assert error.value.errors == [{"field": f"listing:{second.pk}", "message": "Only 1 left in stock."}]
    assert Listing.objects.get(pk=first.pk).stock == 5
    assert Order.objects.count() == 0


def test_a_changed_price_is_refused_before_payment(shopper):
    listing = make_listing(price_amount=10000)
    market = Market.objects.get(code="fr")
    with pytest.raises(ApplicationError) as error:
        order_place(
            actor=SYSTEM,
            market=market,
            lines=[PlacementLine(listing.pk, 1, expected_price_amount=9000)],
            contact=contact(),
            buyer=shopper,
        )
    assert error.value.code == ErrorCode.PRICE_CHANGED


def test_a_paused_offer_is_unavailable(shopper):
    listing = make_listing()
    Listing.objects.filter(pk=listing.pk).update(status="paused")
    with pytest.raises(ApplicationError) as error:
        place((listing, 1), buyer=shopper)
    assert error.value.code == ErrorCode.OFFER_UNAVAILABLE


def test_shipping_country_must_be_the_markets(shopper):
    listing = make_listing()
    with pytest.raises(ApplicationError) as error:
        order_place(
            actor=SYSTEM,
            market=Market.objects.get(code="fr"),
            lines=[PlacementLine(listing.pk, 1)],
            contact=contact("de"),
        )
    assert error.value.code == ErrorCode.VALIDATION


def test_payment_makes_seller_orders_paid_books_the_sale_and_emits(shopper, django_capture_on_commit_callbacks):
    listing = make_listing(price_amount=20000, stock=2)
    order = place((listing, 1), buyer=shopper)
    with django_capture_on_commit_callbacks() as callbacks:
        order = test_payment_settle(number=order.number, shopper=None, actor=SYSTEM, succeed=True)
    assert len(callbacks) == 1
    assert order.status == OrderStatus.PAID
    seller_order = order.seller_orders.get()
    assert seller_order.status == SellerOrderStatus.PAID
    assert seller_order.ship_by is not None
    assert order.payment.captured_amount == 20000
    assert Event.objects.filter(type="order.paid", organisation=listing.seller).count() == 1
    assert sorted(LedgerEntry.objects.values_list("account", "amount")) == sorted(
        [("cash", 20000), ("seller_pending", -18000), ("commission", -2000)]
    )
    audit = AuditEvent.objects.get(content_type__model="sellerorder", object_id=str(seller_order.pk), to_status="paid")
    assert audit.organisation == listing.seller
    assert order.payment.status == PaymentStatus.SUCCEEDED
    assert _payment_moves(order) == [("pending", "succeeded")]


def _payment_moves(order: Order) -> list[tuple[str, str]]:
    audits = AuditEvent.objects.filter(content_type__model="payment", object_id=str(order.payment.pk)).order_by("pk")
    return list(audits.values_list("from_status", "to_status"))


def test_a_declined_payment_releases_stock(shopper):
    listing = make_listing(stock=1)
    order = place((listing, 1), buyer=shopper)
    assert Listing.objects.get(pk=listing.pk).stock == 0
    order = test_payment_settle(number=order.number, shopper=None, actor=SYSTEM, succeed=False)
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert Listing.objects.get(pk=listing.pk).stock == 1
    assert order.seller_orders.get().status == SellerOrderStatus.CANCELLED
    assert order.payment.status == PaymentStatus.FAILED
    assert _payment_moves(order) == [("pending", "failed")]


def test_unpaid_orders_expire_after_30_minutes_and_release_stock(shopper):
    listing = make_listing(stock=2)
    order = place((listing, 2), buyer=shopper)
    assert orders_expire_unpaid(now=timezone.now() + timedelta(minutes=29)) == 0
    assert orders_expire_unpaid(now=timezone.now() + timedelta(minutes=31)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert Listing.objects.get(pk=listing.pk).stock == 2
    assert order.payment.status == PaymentStatus.CANCELLED
    assert orders_expire_unpaid(now=timezone.now() + timedelta(minutes=31)) == 0  # idempotent


def test_a_paid_order_does_not_expire(shopper):
    listing = make_listing(stock=1)
    order = paid((listing, 1), buyer=shopper)
    assert orders_expire_unpaid(now=timezone.now() + timedelta(hours=2)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_payment_status_moves_only_along_its_table(shopper):
    order = paid((make_listing(stock=1), 1), buyer=shopper)
    with pytest.raises(ApplicationError) as error:
        transition(order.payment, to=PaymentStatus.FAILED, actor=SYSTEM, transitions=PAYMENT_TRANSITIONS)
    assert error.value.code == ErrorCode.INVALID_TRANSITION
    order.payment.refresh_from_db()
    assert order.payment.status == PaymentStatus.SUCCEEDED


def test_late_shipment_is_one_business_day_after_payment():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    friday = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("UTC"))
    deadline = ship_by(friday, time_zone="Europe/Paris", market_code="fr")
    assert deadline.date().isoformat() == "2026-11-23"  # Monday
    easter_friday = datetime(2026, 4, 3, 15, 0, tzinfo=ZoneInfo("UTC"))
    # Easter Monday (6 April 2026) is a public holiday in France: the deadline is Tuesday's end.
    assert ship_by(easter_friday, time_zone="Europe/Paris", market_code="fr").date().isoformat() == "2026-04-07"
    assert not is_late(ship_by_at=deadline, shipped_at=deadline - timedelta(hours=1), now=deadline)
    assert is_late(ship_by_at=deadline, shipped_at=None, now=deadline + timedelta(seconds=1))
    assert not is_late(ship_by_at=deadline, shipped_at=None, now=deadline - timedelta(seconds=1))


def test_a_partner_order_is_written_paid_and_audited_as_a_payment(partner_org, django_capture_on_commit_callbacks):
    """Paid as it is placed (the partner's invoice): the order, its payment and seller orders are inserted
    paid, never updated; each move from pending is checked and audited as a payment's; the sale is booked
    and `order.paid` emitted per seller and to the partner."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = make_listing(price_amount=20000), make_listing(price_amount=15000)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        order = place((first, 1), (second, 2), partner=partner_org)

    written = [query["sql"] for query in queries.captured_queries]
    for table in ("orders_order", "orders_payment", "orders_sellerorder"):
        assert not [sql for sql in written if sql.startswith(f'UPDATE "{table}"')], table
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    assert (order.payment.status, order.payment.captured_amount) == (PaymentStatus.SUCCEEDED, 50000)
    seller_orders = list(order.seller_orders.order_by("pk"))
    deadline = ship_by(order.paid_at, time_zone=order.market.time_zone, market_code=order.market_id)
    assert [(so.status, so.paid_at, so.ship_by) for so in seller_orders] == [
        (SellerOrderStatus.PAID, order.paid_at, deadline)
    ] * 2
    moves = (
        AuditEvent.objects.filter(content_type__model__in=["order", "payment", "sellerorder"])
        .order_by("pk")
        .values_list("content_type__model", "from_status", "to_status")
    )
    assert list(moves) == [
        ("order", "pending_payment", "paid"),
        ("payment", "pending", "succeeded"),
        ("sellerorder", "pending_payment", "paid"),
        ("sellerorder", "pending_payment", "paid"),
    ]
    audits = AuditEvent.objects.filter(content_type__model="sellerorder").order_by("pk")
    assert [audit.organisation_id for audit in audits] == [so.seller_id for so in seller_orders]
    assert AuditEvent.objects.get(content_type__model="order").organisation == partner_org
    assert LedgerEntry.objects.filter(kind="sale").count() == 6  # cash, seller pending, commission per seller
    paid_events = Event.objects.filter(type="order.paid")
    assert sorted(e.organisation_id for e in paid_events) == sorted(
        [partner_org.pk, *(so.seller_id for so in seller_orders)]
    )
