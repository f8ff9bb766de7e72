"""Cost arithmetic in integer minor units, and the price suggestion."""

from __future__ import annotations

import pytest

from marketplace.money import Money
from tests.factories.workshop import SYSTEM, received_unit
from workshop.costs import PriceBasis, floor_price_amount, labour_cost_amount, price_suggest, unit_cost_amount
from workshop.models import Unit
from workshop.services.setup import workshop_settings_update
from workshop.services.units import unit_transition
from workshop.services.work import PartInput, unit_diagnose, unit_repair


@pytest.mark.parametrize(
    ("minutes", "rate", "amount"),
    [
        (60, 4500, 4500),
        (30, 4500, 2250),
        (1, 4500, 75),
        (37, 4500, 2775),
        (1, 100, 2),  # 1.666... rounds up
        (1, 90, 2),  # 1.5 rounds half up
        (1, 89, 1),  # 1.483... rounds down
        (0, 4500, 0),
        (45, 0, 0),
        (7, 3333, 389),  # 388.85 -> 389
    ],
)
def test_labour_is_minutes_at_the_hourly_rate_rounded_half_up(minutes, rate, amount):
    assert labour_cost_amount(minutes, rate) == amount


def test_labour_refuses_negatives():
    with pytest.raises(ValueError, match="not negative"):
        labour_cost_amount(-1, 100)


def test_the_cost_adds_up():
    assert unit_cost_amount(purchase_amount=12000, part_amounts=[4590, 1299], labour_amounts=[2775, 750]) == 21414


@pytest.mark.parametrize(
    ("cost", "margin", "commission", "floor"),
    [
        (10000, 25, 1000, 15385),  # 10000 / 0.65 = 15384.6 -> up
        (6500, 25, 1000, 10000),
        (0, 25, 1000, 1),  # at least one minor unit
        (10000, 0, 0, 10000),
        (10000, 90, 1000, None),  # nothing left for the cost
    ],
)
def test_the_floor_keeps_the_margin_after_the_commission(cost, margin, commission, floor):
    assert floor_price_amount(cost, margin_percent=margin, commission_basis_points=commission) == floor


@pytest.mark.parametrize(
    ("to_win", "price", "basis"),
    [
        (19900, 19900, PriceBasis.WINS_BUY_BOX),
        (15385, 15385, PriceBasis.WINS_BUY_BOX),
        (15384, 15385, PriceBasis.MARGIN_ABOVE_BUY_BOX),
        (None, 15385, PriceBasis.NO_COMPETITOR),
    ],
)
def test_the_price_suggestion(to_win, price, basis):
    suggestion = price_suggest(
        cost=Money(10000, "EUR"), margin_percent=25, commission_basis_points=1000, price_to_win_amount=to_win
    )

    assert (suggestion.price, suggestion.basis) == (Money(price, "EUR"), basis)
    assert suggestion.floor == Money(15385, "EUR")


def test_no_price_keeps_a_margin_the_commission_leaves_no_room_for():
    suggestion = price_suggest(
        cost=Money(10000, "EUR"), margin_percent=95, commission_basis_points=1000, price_to_win_amount=12000
    )

    assert (suggestion.price, suggestion.floor, suggestion.basis) == (Money(12000, "EUR"), None, PriceBasis.NO_FLOOR)


@pytest.mark.django_db
def test_a_units_cost_through_the_database(seller_org):
    workshop_settings_update(
        seller=seller_org, actor=SYSTEM, labour_rate_amount=4500, target_margin_percent=25, warranty_months=12
    )
    unit = received_unit(seller_org, cost=12000)
    unit_diagnose(unit=unit, actor=SYSTEM, findings="Cracked screen", labour_minutes=37)
    unit_repair(
        unit=unit,
        actor=SYSTEM,
        findings="Screen and battery",
        labour_minutes=10,
        parts=[PartInput(name="Screen", cost_amount=4590, supplier="A"), PartInput(name="Battery", cost_amount=1299)],
    )
    # The rate changes: the work already recorded keeps its price.
    workshop_settings_update(
        seller=seller_org, actor=SYSTEM, labour_rate_amount=6000, target_margin_percent=25, warranty_months=12
    )
    unit_repair(unit=unit, actor=SYSTEM, findings="Adhesive", labour_minutes=1)

    unit = Unit.objects.get(pk=unit.pk)
    assert (unit.purchase_amount, unit.parts_amount, unit.labour_minutes) == (12000, 5889, 48)
    assert unit.labour_amount == 2775 + 750 + 100
    assert unit.total_cost == Money(12000 + 5889 + 3625, "EUR")
    assert unit.status == "in_repair"


@pytest.mark.django_db
def test_a_yen_workshop_counts_whole_yen(seller_org):
    from marketplace.models import Market
    from sellers.models import Seller

    Seller.objects.filter(organisation=seller_org).update(home_market=Market.objects.get(code="jp"))
    workshop_settings_update(
        seller=seller_org, actor=SYSTEM, labour_rate_amount=3000, target_margin_percent=25, warranty_months=12
    )
    unit = received_unit(seller_org, cost=15000)
    unit_diagnose(unit=unit, actor=SYSTEM, findings="ok", labour_minutes=25)
    unit_transition(unit=unit, actor=SYSTEM, to="quality_check")

    unit = Unit.objects.get(pk=unit.pk)
    assert unit.total_cost == Money(15000 + 1250, "JPY")
