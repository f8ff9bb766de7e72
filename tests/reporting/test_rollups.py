"""The dashboards' rollups equal a direct aggregate of the source tables on the same data (platform,
seller, partner), are refreshed incrementally and idempotently, and run on the scoring queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from catalog.impact import root_categories
from marketplace.celery import app
from marketplace.money import Money
from orders.models import Order, OrderLine, Refund, SellerOrder
from orders.services.refunds import refund_issue
from reporting.models import SalesDay, TradeInDay
from reporting.selectors import PARTNER, PLATFORM, SELLER, Filters, Scope, dashboard
from reporting.services import counted_orders_sql, rollups_refresh, rollups_refresh_days
from tests.factories import OrganisationFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, paid, place
from tests.factories.sellers import SellerFactory
from tests.factories.tradein import LIKE_NEW, accepted, inspected, quote, wiped
from tradein.models import TradeIn
from tradein.services.lots import lot_bid, lot_create, tradein_recycle
from warranty.models import Claim, Warranty
from warranty.services.claims import Claimant, claim_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """Two sellers selling in two markets, a partner's order, a refund, deliveries, claims, and trade-ins
    quoted, accepted, paid, one resold in a lot and one recycled."""
    first, second = SellerFactory().organisation, SellerFactory().organisation
    partner = OrganisationFactory(kind="partner")
    shopper = UserFactory()
    fr_a = make_listing(seller=first, stock=10, price_amount=30000)
    fr_b = make_listing(seller=second, stock=10, price_amount=20000)
    de_a = make_listing(seller=first, stock=10, price_amount=35000, market="de")
    both = paid((fr_a, 2), (fr_b, 1), buyer=shopper)  # one order, two sellers
    paid((de_a, 1), buyer=shopper)
    place((fr_b, 1), partner=partner, partner_reference="P-1")  # paid on the partner's invoice
    place((fr_a, 1), buyer=shopper)  # never paid: not a sale
    seller_order = both.seller_orders.get(seller=first)
    delivered(seller_order)
    line = seller_order.lines.get()
    warranty = Warranty.objects.filter(line=line).first()
    claim_open(
        line=line,
        identifier=warranty.identifier,
        claimant=Claimant(shopper=shopper),
        category="technical_defect",
        description="The screen flickers when it warms up.",
        actor=SYSTEM,
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund_issue(
            payment=both.payment,
            amount=Money(5000, "EUR"),
            actor=SYSTEM,
            reason="goodwill",
            idempotency_key="refund-test-1",
            seller_order=seller_order,
        )
    quote()
    quote(partner=partner)
    accepted(owner=shopper)
    for_lot = wiped(inspected(owner=shopper, n=1))
    inspected(owner=shopper, n=2, actual={**LIKE_NEW, "screen": "cracked"})  # counter-offered, not paid
    paid_again = wiped(inspected(owner=shopper, n=3))
    lot = lot_create(
        actor=SYSTEM,
        product=for_lot.product,
        condition="like_new",
        currency="EUR",
        tradein_ids=[for_lot.pk],
        fixed_price=Money(40000, "EUR"),
    )
    lot_bid(lot=lot, seller=second, amount=Money(40000, "EUR"), actor=SYSTEM)
    tradein_recycle(tradein=TradeIn.objects.get(pk=paid_again.pk), actor=SYSTEM)
    today = timezone.now().date()
    rollups_refresh_days([today - timedelta(days=1), today, today + timedelta(days=1)])
    return {"first": first, "second": second, "partner": partner, "today": today}


def _direct_sales(**scope) -> dict[str, int]:
    """The sales figures aggregated straight from the orders, with no rollup (the reference)."""
    seller_orders = SellerOrder.objects.filter(paid_at__isnull=False, **scope)
    lines = OrderLine.objects.filter(seller_order__in=seller_orders)
    roots = root_categories()
    co2e = sum(line.quantity * roots[line.category_id_snapshot].co2e_avoided_grams for line in lines)
    refunds = Refund.objects.filter(status="succeeded", **{f"seller_order__{k}": v for k, v in scope.items()})
    return {
        "gmv_amount": seller_orders.aggregate(t=Sum("subtotal_amount"))["t"] or 0,
        "commission_amount": seller_orders.aggregate(t=Sum("commission_amount"))["t"] or 0,
        "seller_orders": seller_orders.count(),
        "orders": Order.objects.filter(seller_orders__in=seller_orders).distinct().count(),
        "units": lines.aggregate(t=Sum("quantity"))["t"] or 0,
        "refunds_amount": refunds.aggregate(t=Sum("amount"))["t"] or 0,
        "claims_opened": Claim.objects.filter(**scope).count(),
        "units_delivered": OrderLine.objects.filter(
            seller_order__delivered_at__isnull=False, **{f"seller_order__{k}": v for k, v in scope.items()}
        ).aggregate(t=Sum("quantity"))["t"]
        or 0,
        "co2e_grams": co2e,
    }


def _rolled(scope: Scope, today) -> dict[str, int]:
    figures = dashboard(scope=scope, filters=Filters(start=today - timedelta(days=1), end=today + timedelta(days=1)))
    totals: dict[str, int] = {}
    for f in figures:
        for key, value in f.sales.items():
            totals[key] = totals.get(key, 0) + value
    return totals


def test_platform_sales_rollups_equal_the_direct_aggregate(world):
    direct = _direct_sales()
    rolled = _rolled(Scope(PLATFORM), world["today"])

    assert {key: rolled[key] for key in direct} == direct
    assert direct["orders"] == 3  # the two-seller order counts once
    assert direct["seller_orders"] == 4


def test_a_sellers_and_a_partners_rollups_equal_their_direct_aggregates(world):
    for seller in (world["first"], world["second"]):
        direct = _direct_sales(seller=seller)
        rolled = _rolled(Scope(SELLER, seller), world["today"])
        assert {
            key: rolled[key]
            for key in (
                "gmv_amount",
                "commission_amount",
                "seller_orders",
                "units",
                "refunds_amount",
                "claims_opened",
                "units_delivered",
                "co2e_grams",
            )
        } == {
            key: direct[key]
            for key in (
                "gmv_amount",
                "commission_amount",
                "seller_orders",
                "units",
                "refunds_amount",
                "claims_opened",
                "units_delivered",
                "co2e_grams",
            )
        }, seller
    partner = world["partner"]
    direct_gmv = SellerOrder.objects.filter(order__partner=partner, paid_at__isnull=False).aggregate(
        t=Sum("subtotal_amount")
    )["t"]
    rolled = _rolled(Scope(PARTNER, partner), world["today"])
    assert (rolled["gmv_amount"], rolled["orders"]) == (direct_gmv, 1)


def test_trade_in_rollups_equal_the_direct_aggregate(world):
    figures = dashboard(
        scope=Scope(PLATFORM),
        filters=Filters(start=world["today"] - timedelta(days=1), end=world["today"] + timedelta(days=1)),
    )
    tradein = next(f for f in figures if f.currency == "EUR").tradein
    rows = TradeIn.objects.all()

    assert tradein["quoted"] == rows.count()
    assert tradein["accepted"] == rows.filter(accepted_at__isnull=False).count()
    assert tradein["received"] == rows.filter(received_at__isnull=False).count()
    assert tradein["paid"] == rows.filter(paid_at__isnull=False).count()
    assert tradein["paid_amount"] == rows.filter(paid_at__isnull=False).aggregate(t=Sum("payout__amount"))["t"]
    assert (tradein["resold"], tradein["recycled"]) == (1, 1)
    assert tradein["resale_amount"] == 40000
    resold = rows.get(route="resold")
    assert tradein["resold_cost_amount"] == resold.payout.amount
    seller_view = dashboard(
        scope=Scope(SELLER, world["second"]),
        filters=Filters(start=world["today"] - timedelta(days=1), end=world["today"] + timedelta(days=1)),
    )
    assert next(f for f in seller_view if f.currency == "EUR").tradein["resold"] == 1  # the devices it bought
    partner_view = _rolled(Scope(PARTNER, world["partner"]), world["today"])
    assert partner_view["gmv_amount"] == 20000


def test_a_market_filter_keeps_only_its_rows(world):
    filters = Filters(start=world["today"] - timedelta(days=1), end=world["today"] + timedelta(days=1), market="de")

    figures = dashboard(scope=Scope(PLATFORM), filters=filters)

    assert [(f.currency, f.sales["gmv_amount"]) for f in figures] == [("EUR", 35000)]


def test_the_refresh_is_incremental_and_a_rerun_changes_nothing(world):
    first = world["first"]
    later = timezone.now() + timedelta(hours=1)

    def rows() -> set[tuple]:
        return {tuple(value for key, value in row.items() if key != "id") for row in SalesDay.objects.values()}

    rollups_refresh(now=later)
    before = rows()
    rollups_refresh(now=later)
    assert rows() == before

    paid((make_listing(seller=first, stock=1, price_amount=12300), 1), buyer=UserFactory())
    rollups_refresh(now=later + timedelta(minutes=10))

    assert _rolled(Scope(SELLER, first), world["today"])["gmv_amount"] == _direct_sales(seller=first)["gmv_amount"]


def test_mystery_orders_stay_out_of_the_sales_figures_by_one_rule(world):
    audited = place((make_listing(seller=world["first"], stock=1, price_amount=77700), 1), audit=True)
    assert audited.is_audit
    rollups_refresh_days([world["today"]])

    rolled = _rolled(Scope(SELLER, world["first"]), world["today"])

    assert counted_orders_sql("o") == "o.is_audit = false"
    expected = Order.objects.excluding_audits().filter(seller_orders__seller=world["first"], paid_at__isnull=False)
    assert rolled["gmv_amount"] == expected.aggregate(t=Sum("seller_orders__subtotal_amount"))["t"]
    assert 77700 not in SalesDay.objects.values_list("gmv_amount", flat=True)


def test_the_rollup_task_runs_on_the_scoring_queue_every_10_minutes():
    app.loader.import_default_modules()
    route = app.amqp.router.route({}, "reporting.tasks.rollups_refresh_task")
    schedule = app.conf.beat_schedule["reporting-rollups"]

    assert route["queue"].name == "scoring"
    assert schedule["task"] in app.tasks
    assert schedule["schedule"].minute == set(range(0, 60, 10))
    assert TradeInDay._meta.db_table == "reporting_tradeinday"
