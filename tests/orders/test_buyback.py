"""Guaranteed buy-backs taken at checkout (forward trade-in): the schedule from the category's curve, the
months counted on the calendar with frozen time, one guarantee per unit, the claim once, and finance's
liability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils.formats import date_format

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.money import Money
from orders.buyback import (
    GUARANTEE_MONTHS,
    add_months,
    buyback_schedule,
    curve_for,
    guaranteed_price,
    months_elapsed,
    share_at,
)
from orders.models import BuybackGuarantee, BuybackGuaranteeStatus
from orders.selectors import buyback_liability
from orders.services.buyback import buyback_guarantee_claim, buyback_guarantee_release
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, paid, place

JAN_31 = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("month", "share"),
    [(0, 6000), (3, 5500), (6, 5000), (9, 4500), (12, 4000), (15, 3600), (18, 3200), (21, 2850), (23, 2616.666)],
)
def test_the_smartphone_curve_falls_in_a_straight_line_between_its_points(month, share):
    assert float(share_at(curve_for("smartphones"), month)) == pytest.approx(share, abs=0.01)


def test_the_schedule_is_24_monthly_prices_rounded_down_to_a_whole_unit():
    schedule = buyback_schedule(Money(49999, "EUR"), "smartphones")

    assert len(schedule) == GUARANTEE_MONTHS
    assert schedule[0] == Money(29900, "EUR")  # 60 % of 499.99 = 299.99, rounded down to 299
    assert schedule[12] == Money(19900, "EUR")  # 40 %
    assert all(a.amount >= b.amount for a, b in pairwise(schedule))
    assert buyback_schedule(Money(80000, "JPY"), "audio")[0] == Money(36000, "JPY")  # 45 %, no minor unit
    assert buyback_schedule(Money(10000, "EUR"), "no-such-category") == buyback_schedule(
        Money(10000, "EUR"), "smartphones"
    )


@pytest.mark.parametrize(
    ("now", "months"),
    [
        (datetime(2026, 1, 31, 10, 0, tzinfo=UTC), 0),
        (datetime(2026, 2, 28, 10, 0, tzinfo=UTC), 1),  # 31 January + 1 month = 28 February
        (datetime(2026, 2, 28, 9, 59, tzinfo=UTC), 0),
        (datetime(2027, 1, 31, 9, 59, tzinfo=UTC), 11),
        (datetime(2028, 1, 31, 9, 59, tzinfo=UTC), 23),
        (datetime(2028, 1, 31, 10, 0, tzinfo=UTC), 24),
        (datetime(2026, 1, 30, 10, 0, tzinfo=UTC), -1),
    ],
)
def test_months_are_counted_on_the_calendar(now, months):
    assert months_elapsed(JAN_31, now) == months


def test_the_guaranteed_price_is_the_month_elapsed_and_none_after_24_months():
    schedule = list(range(24, 0, -1))

    assert guaranteed_price(schedule, currency="EUR", starts_at=JAN_31, now=JAN_31) == Money(24, "EUR")
    assert guaranteed_price(schedule, currency="EUR", starts_at=JAN_31, now=add_months(JAN_31, 23)) == Money(1, "EUR")
    assert guaranteed_price(schedule, currency="EUR", starts_at=JAN_31, now=add_months(JAN_31, 24)) is None


@pytest.mark.django_db
def test_a_guarantee_per_unit_is_taken_at_checkout_and_only_for_the_lines_ticked():
    shopper = UserFactory()
    phone, other = make_listing(stock=3, price_amount=40000), make_listing(stock=1, price_amount=20000)

    order = place((phone, 2), (other, 1), buyer=shopper, buyback_listing_ids=frozenset({phone.pk}))

    guarantees = list(BuybackGuarantee.objects.order_by("unit_number"))
    assert [(g.line.listing_id, g.unit_number) for g in guarantees] == [(phone.pk, 1), (phone.pk, 2)]
    assert guarantees[0].schedule[0] == 24000  # 60 % of 400.00
    assert guarantees[0].ends_at == add_months(guarantees[0].starts_at, 24)
    assert guarantees[0].line.seller_order.order == order

    # The order page says which line has one, until when, and where to follow it.
    client = Client()
    client.force_login(shopper)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert page.count('data-testid="buyback"') == 1
    ends = guarantees[0].ends_at.astimezone(ZoneInfo(order.market.time_zone)).date()
    assert f"Guaranteed buy-back for 2 units, redeemable until {date_format(ends, 'DATE_FORMAT')}" in page
    assert "/account/devices/" in page


@pytest.mark.django_db
def test_a_guarantee_is_claimed_once_only_while_its_order_is_paid_and_in_time():
    shopper = UserFactory()
    listing = make_listing(stock=2, price_amount=40000)
    unpaid = place((listing, 1), buyer=shopper, buyback_listing_ids=frozenset({listing.pk}))
    order = paid((listing, 1), buyer=shopper)
    from orders.services.buyback import buyback_guarantees_take

    buyback_guarantees_take(order=order, lines=list(order.seller_orders.get().lines.all()))
    guarantee = BuybackGuarantee.objects.get(line__seller_order__order=order)
    not_paid = BuybackGuarantee.objects.get(line__seller_order__order=unpaid)

    with pytest.raises(ApplicationError) as void:
        buyback_guarantee_claim(guarantee=not_paid, reference="TAAAAAAAAA", actor=SYSTEM)
    claimed = buyback_guarantee_claim(guarantee=guarantee, reference="TBBBBBBBBB", actor=SYSTEM)
    with pytest.raises(ApplicationError) as twice:
        buyback_guarantee_claim(guarantee=guarantee, reference="TCCCCCCCCC", actor=SYSTEM)

    assert void.value.code == ErrorCode.INVALID_TRANSITION
    assert (claimed.status, claimed.redemption_reference) == (BuybackGuaranteeStatus.REDEEMED, "TBBBBBBBBB")
    assert twice.value.code == ErrorCode.INVALID_TRANSITION
    assert buyback_guarantee_release(reference="TBBBBBBBBB", actor=SYSTEM, reason="not sent") is True
    guarantee.refresh_from_db()
    assert (guarantee.status, guarantee.redemption_reference) == (BuybackGuaranteeStatus.ACTIVE, "")
    late = guarantee.starts_at + timedelta(days=800)
    with pytest.raises(ApplicationError) as expired:
        buyback_guarantee_claim(guarantee=guarantee, reference="TDDDDDDDDD", actor=SYSTEM, now=late)
    assert expired.value.code == ErrorCode.QUOTE_EXPIRED


@pytest.mark.django_db
def test_finance_sees_the_outstanding_guarantees_by_month_of_expiry_at_todays_price():
    shopper = UserFactory()
    listing = make_listing(stock=5, price_amount=50000)
    first = paid((listing, 2), buyer=shopper)
    from orders.services.buyback import buyback_guarantees_take

    buyback_guarantees_take(order=first, lines=list(first.seller_orders.get().lines.all()), now=JAN_31)
    second = paid((listing, 1), buyer=shopper)
    buyback_guarantees_take(
        order=second, lines=list(second.seller_orders.get().lines.all()), now=datetime(2026, 3, 10, tzinfo=UTC)
    )
    place((listing, 1), buyer=shopper, buyback_listing_ids=frozenset({listing.pk}))  # never paid: no liability

    rows = buyback_liability(now=datetime(2026, 7, 15, tzinfo=UTC))

    # January's two are in month 5 (5 months elapsed: 60 % - 5/6 of 10 % = 51.67 %); March's in month 4.
    by_month = {(row.expiry_month.year, row.expiry_month.month): row for row in rows}
    assert sorted(by_month) == [(2028, 1), (2028, 3)]
    assert by_month[(2028, 1)].count == 2
    assert by_month[(2028, 1)].amount == Money(
        2 * buyback_schedule(Money(50000, "EUR"), "smartphones")[5].amount, "EUR"
    )
    assert by_month[(2028, 3)].amount == buyback_schedule(Money(50000, "EUR"), "smartphones")[4]
