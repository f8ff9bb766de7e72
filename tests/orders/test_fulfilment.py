"""Seller side: accept, ship with identifiers (Luhn, blocklist), deliver with warranties, complete, cancel."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Event
from marketplace.money import Money, percentage_of
from orders.hooks import seller_order_delivered
from orders.models import BlockedDevice, LedgerEntry, OrderUnit, Payout, SellerOrder, SellerPayoutAccount
from orders.selectors import seller_balances
from orders.services.fulfilment import (
    identifier_normalise,
    luhn_valid,
    seller_order_accept,
    seller_order_cancel,
    seller_order_mark_delivered,
    seller_order_refund,
    seller_order_ship,
    seller_orders_auto_deliver,
    seller_orders_complete_due,
)
from orders.services.payouts import payouts_run
from orders.states import CancelledBy, SellerOrderStatus
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, imei, paid, ship
from warranty.models import Warranty
from warranty.services.warranties import add_months

pytestmark = pytest.mark.django_db


def test_imei_luhn_and_serials():
    assert luhn_valid("490154203237518")
    assert not luhn_valid("490154203237519")
    assert identifier_normalise("4901 5420 3237 518") == ("490154203237518", "imei")
    assert identifier_normalise("c02xk1abjg5h") == ("C02XK1ABJG5H", "serial")
    for bad in ("490154203237519", "12345", "", "not a serial!"):
        with pytest.raises(ApplicationError) as error:
            identifier_normalise(bad)
        assert error.value.code == ErrorCode.INVALID_DEVICE_IDENTIFIER


def test_ship_records_each_units_identifier_and_emits(shopper):
    listing = make_listing(stock=2)
    order = paid((listing, 2), buyer=shopper)
    seller_order = order.seller_orders.get()
    ship(seller_order)
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.SHIPPED
    assert (seller_order.carrier, seller_order.tracking_number) == ("Colissimo", "6A123456789")
    assert sorted(OrderUnit.objects.values_list("identifier", flat=True)) == sorted([imei(1), imei(2)])
    assert Event.objects.filter(type="order.shipped").count() == 1


def test_ship_needs_one_valid_identifier_per_unit(shopper):
    listing = make_listing(stock=2)
    seller_order = paid((listing, 2), buyer=shopper).seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    line = seller_order.lines.get()
    with pytest.raises(ApplicationError) as error:
        seller_order_ship(
            seller_order=seller_order, actor=SYSTEM, carrier="DHL", tracking_number="1", units={line.pk: [imei(1)]}
        )
    assert error.value.code == ErrorCode.VALIDATION
    with pytest.raises(ApplicationError) as error:
        seller_order_ship(
            seller_order=seller_order,
            actor=SYSTEM,
            carrier="DHL",
            tracking_number="1",
            units={line.pk: [imei(1), imei(1)]},
        )
    assert error.value.errors[0]["message"].endswith("is given twice.")
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.ACCEPTED


def test_a_reported_stolen_device_cannot_be_shipped(shopper):
    listing = make_listing(stock=1)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    BlockedDevice.objects.create(identifier=imei(7))
    with pytest.raises(ApplicationError) as error:
        seller_order_ship(
            seller_order=seller_order,
            actor=SYSTEM,
            carrier="DHL",
            tracking_number="JD0001",
            units={seller_order.lines.get().pk: [imei(7)]},
        )
    assert error.value.code == ErrorCode.DEVICE_BLOCKLISTED
    assert OrderUnit.objects.count() == 0


def test_shipping_before_accepting_is_refused(shopper):
    listing = make_listing(stock=1)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    with pytest.raises(ApplicationError) as error:
        seller_order_ship(
            seller_order=seller_order,
            actor=SYSTEM,
            carrier="DHL",
            tracking_number="1",
            units={seller_order.lines.get().pk: [imei(1)]},
        )
    assert error.value.code == ErrorCode.INVALID_TRANSITION


def test_delivery_starts_one_warranty_per_unit(shopper):
    listing = make_listing(stock=2, warranty_months=18)
    seller_order = paid((listing, 2), buyer=shopper).seller_orders.get()
    when = datetime(2026, 1, 31, 10, 0, tzinfo=ZoneInfo("UTC"))
    delivered(seller_order, delivered_at=when)
    warranties = list(Warranty.objects.order_by("identifier"))
    assert [w.identifier for w in warranties] == [imei(1), imei(2)]
    assert {(w.starts_on, w.ends_on, w.months, w.seller_id, w.shopper_id) for w in warranties} == {
        (date(2026, 1, 31), date(2027, 7, 31), 18, listing.seller_id, shopper.pk)
    }
    assert Event.objects.filter(type="order.delivered").count() == 1
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


@pytest.fixture
def refusing_delivery_handler():
    """A handler of the delivery hook that raises (after warranty's has run)."""

    def refuse(*, seller_order: SellerOrder) -> None:
        raise RuntimeError(f"refused {seller_order.pk}")

    seller_order_delivered.connect(refuse)
    yield refuse
    seller_order_delivered.disconnect(refuse)


def test_a_delivery_hook_handler_that_raises_rolls_the_delivery_back(shopper, refusing_delivery_handler):
    seller_order = paid((make_listing(stock=1), 1), buyer=shopper).seller_orders.get()
    ship(seller_order)
    with pytest.raises(RuntimeError, match=f"refused {seller_order.pk}"):
        seller_order_mark_delivered(seller_order=seller_order, actor=SYSTEM)
    seller_order.refresh_from_db()
    assert (seller_order.status, seller_order.delivered_at) == (SellerOrderStatus.SHIPPED, None)
    assert Warranty.objects.count() == 0
    assert Event.objects.filter(type="order.delivered").count() == 0
    assert not AuditEvent.objects.filter(content_type__model="sellerorder", to_status="delivered").exists()


def test_shipped_parcels_are_delivered_automatically_after_some_days(shopper, settings):
    settings.ORDERS_AUTO_DELIVER_DAYS = 10
    listing = make_listing(stock=1)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    ship(seller_order)
    assert seller_orders_auto_deliver(now=timezone.now() + timedelta(days=9)) == 0
    assert seller_orders_auto_deliver(now=timezone.now() + timedelta(days=11)) == 1
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.DELIVERED
    assert Warranty.objects.count() == 1


def test_a_shopper_cancels_before_shipping_refund_and_stock_back(shopper):
    listing = make_listing(stock=1, price_amount=25000)
    order = paid((listing, 1), buyer=shopper)
    seller_order = order.seller_orders.get()
    seller_order_cancel(seller_order=seller_order, actor=SYSTEM, by=CancelledBy.SHOPPER, reason="changed my mind")
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.CANCELLED
    assert seller_order.cancelled_by == "shopper"
    order.payment.refresh_from_db()
    assert order.payment.refunded_amount == 25000
    assert Listing.objects.get(pk=listing.pk).stock == 1
    assert seller_balances(seller=listing.seller)[0].pending.amount == 0


def test_no_cancellation_once_shipped(shopper):
    listing = make_listing(stock=1)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    ship(seller_order)
    seller_order.refresh_from_db()
    with pytest.raises(ApplicationError) as error:
        seller_order_cancel(seller_order=seller_order, actor=SYSTEM, by=CancelledBy.SHOPPER)
    assert error.value.code == ErrorCode.INVALID_TRANSITION


def test_completion_after_the_return_window_makes_the_net_payable_and_payouts_transfer_it(shopper, stripe_fake):
    listing = make_listing(stock=3, price_amount=40000)
    seller = listing.seller
    seller_order = paid((listing, 2), buyer=shopper).seller_orders.get()
    delivered(seller_order, delivered_at=timezone.now())
    balance = seller_balances(seller=seller)[0]
    assert (balance.pending.amount, balance.available.amount) == (72000, 0)
    assert seller_orders_complete_due(now=timezone.now() + timedelta(days=29)) == 0
    assert seller_orders_complete_due(now=timezone.now() + timedelta(days=31)) == 1
    balance = seller_balances(seller=seller)[0]
    assert (balance.pending.amount, balance.available.amount) == (0, 72000)

    SellerPayoutAccount.objects.create(seller=seller, stripe_account_id="acct_123", payouts_enabled=True)
    (payout,) = payouts_run(pay_date=date(2026, 12, 6))
    assert (payout.amount, payout.status) == (72000, "paid")
    assert payout.transfer_reference.startswith("tr_")
    assert _payout_moves(payout) == [("", "pending", seller.pk), ("pending", "paid", seller.pk)]
    (sent,) = stripe_fake.calls("/v1/transfers")
    assert sent["destination"] == "acct_123"
    assert sent["amount"] == "72000"
    assert stripe_fake.keys("/v1/transfers") == [payout.idempotency_key]
    # A second run the same day pays nothing more.
    assert payouts_run(pay_date=date(2026, 12, 6)) == []
    assert Payout.objects.count() == 1
    assert len(stripe_fake.calls("/v1/transfers")) == 1
    assert seller_balances(seller=seller)[0].available.amount == 0


def test_a_refused_transfer_leaves_the_balance_payable(shopper, stripe_fake):
    listing = make_listing(stock=1, price_amount=10000)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    delivered(seller_order)
    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))
    SellerPayoutAccount.objects.create(seller=listing.seller, stripe_account_id="acct_9", payouts_enabled=True)
    stripe_fake.fail_paths.add("/v1/transfers")
    (payout,) = payouts_run(pay_date=date(2026, 12, 16))
    assert payout.status == "failed"
    assert payout.failure == "Stripe: Refused by the fake"
    assert _payout_moves(payout) == [("", "pending", listing.seller_id), ("pending", "failed", listing.seller_id)]
    assert seller_balances(seller=listing.seller)[0].available.amount == 9000


def _payout_moves(payout: Payout) -> list[tuple[str, str, int]]:
    audits = AuditEvent.objects.filter(content_type__model="payout", object_id=str(payout.pk)).order_by("pk")
    return list(audits.values_list("from_status", "to_status", "organisation_id"))


def test_the_ledger_always_balances(shopper, stripe_fake):
    sellers_listings = [make_listing(stock=5, price_amount=12345 + n) for n in range(3)]
    for n, listing in enumerate(sellers_listings):
        order = paid((listing, 2), buyer=shopper)
        seller_order = order.seller_orders.get()
        if n == 0:
            seller_order_cancel(seller_order=seller_order, actor=SYSTEM, by=CancelledBy.SELLER)
        else:
            delivered(seller_order)
    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))
    for listing in sellers_listings:
        SellerPayoutAccount.objects.create(
            seller=listing.seller, stripe_account_id=f"acct_{listing.pk}", payouts_enabled=True
        )
    payouts_run(pay_date=date(2026, 12, 26))
    # Every journal balances, so does the whole ledger, per currency.
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
    unbalanced = LedgerEntry.objects.values("journal").annotate(total=Sum("amount")).exclude(total=0)
    assert list(unbalanced) == []
    # Commission kept = 10 % of the two delivered seller orders.
    commission = -LedgerEntry.objects.filter(account="commission").aggregate(t=Sum("amount"))["t"]
    assert commission == sum(
        percentage_of(Money(listing.price_amount * 2, "EUR"), 1000).amount for listing in sellers_listings[1:]
    )


def test_a_refund_after_completion_claws_back_the_payable_balance(shopper):
    listing = make_listing(stock=1, price_amount=50000)
    order = paid((listing, 1), buyer=shopper)
    seller_order = order.seller_orders.get()
    delivered(seller_order)
    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))
    assert seller_balances(seller=listing.seller)[0].available.amount == 45000
    seller_order.refresh_from_db()
    seller_order_refund(seller_order=seller_order, actor=SYSTEM, reason="warranty: third technical claim")
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.REFUNDED
    order.payment.refresh_from_db()
    assert order.payment.refunded_amount == 50000
    balance = seller_balances(seller=listing.seller)[0]
    assert (balance.pending.amount, balance.available.amount) == (0, 0)
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
    with pytest.raises(ApplicationError):
        seller_order_refund(seller_order=seller_order, actor=SYSTEM, reason="twice")
    order.payment.refresh_from_db()
    assert order.payment.refunded_amount == 50000
