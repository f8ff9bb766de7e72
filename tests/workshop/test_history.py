"""A unit's history joins its trade-in, work, listing, order, delivery, warranty, claims and returns by its
identifier, as each audience may see it: the seller (costs included), success managers (every seller, no
costs), the shopper (the checks and repairs before the sale, no costs, suppliers or people)."""

from __future__ import annotations

import pytest

from marketplace.money import Money
from orders.models import OrderUnit
from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered, seller_order_ship
from tests.factories.orders import SYSTEM, paid
from tests.factories.tradein import inspected, priced_variant, wiped
from tests.factories.workshop import all_passed
from tradein.services.lots import lot_bid, lot_create
from warranty.models import Warranty
from warranty.services.claims import Claimant, claim_open
from workshop.models import Unit
from workshop.selectors import Audience, unit_history, units_for_shopper_warranty
from workshop.services.listing import unit_listing_create
from workshop.services.setup import technician_save, workshop_settings_update
from workshop.services.units import unit_transition
from workshop.services.work import PartInput, unit_diagnose, unit_quality_check_record, unit_repair

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_unit(shopper, seller_org, seller_owner):
    """A trade-in routed to the seller, refurbished (a failed check then a passed one), listed, sold,
    delivered, and claimed on."""
    from catalog.models import Grade
    from marketplace.models import Market

    workshop_settings_update(
        seller=seller_org, actor=SYSTEM, labour_rate_amount=6000, target_margin_percent=25, warranty_months=12
    )
    technician_save(seller=seller_org, actor=SYSTEM, kind="technician", user=seller_owner, capacity_per_day=5)
    device = wiped(inspected(owner=shopper, n=1, variant=priced_variant()))
    lot = lot_create(
        actor=SYSTEM, product=device.product, condition="like_new", currency="EUR", fixed_price=Money(20000, "EUR")
    )
    lot_bid(lot=lot, seller=seller_org, amount=Money(20000, "EUR"), actor=SYSTEM)
    unit = Unit.objects.get(tradein=device)
    unit_diagnose(unit=unit, actor=SYSTEM, findings="Battery worn", labour_minutes=10)
    unit_repair(
        unit=unit,
        actor=SYSTEM,
        findings="Battery replaced",
        labour_minutes=20,
        parts=[PartInput(name="Battery A2653", cost_amount=2490, supplier="SECRET-SUPPLIER")],
    )
    unit_transition(unit=unit, actor=SYSTEM, to="quality_check")
    unit_quality_check_record(
        unit=unit,
        actor=SYSTEM,
        results=all_passed(unit, failing=("microphones",)),
        screen="flawless",
        body="flawless",
        battery_health=97,
    )
    unit_repair(unit=unit, actor=SYSTEM, findings="Microphone cleaned", labour_minutes=5)
    unit_transition(unit=unit, actor=SYSTEM, to="quality_check")
    unit_quality_check_record(
        unit=unit, actor=SYSTEM, results=all_passed(unit), screen="flawless", body="flawless", battery_health=97
    )
    listing = unit_listing_create(
        unit=Unit.objects.get(pk=unit.pk),
        actor=SYSTEM,
        market=Market.objects.get(code="fr"),
        grade=Grade.objects.get(code="premium"),
        price_amount=59900,
        warranty_months=12,
    )
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    seller_order_ship(
        seller_order=seller_order,
        actor=SYSTEM,
        carrier="Colissimo",
        tracking_number="6A999",
        units={seller_order.lines.get().pk: [unit.identifier]},
    )
    seller_order_mark_delivered(seller_order=seller_order, actor=SYSTEM)
    warranty = Warranty.objects.get(unit__line__seller_order=seller_order)
    claim_open(
        line=warranty.line,
        identifier=warranty.identifier,
        claimant=Claimant(shopper=shopper),
        category="battery",
        description="Drains in a few hours",
        photos=[],
        actor=SYSTEM,
    )
    return Unit.objects.get(pk=unit.pk), warranty


def _kinds(history):
    return [event.kind for event in history.events]


def test_the_sellers_history_reads_end_to_end_with_its_costs(sold_unit, seller_org):
    unit, _warranty = sold_unit

    history = unit_history(identifier=unit.identifier, audience=Audience.SELLER, seller=seller_org)

    kinds = _kinds(history)
    for kind in (
        "tradein",
        "routed",
        "received",
        "diagnosis",
        "repair",
        "check_failed",
        "check_passed",
        "listed",
        "order",
        "shipped",
        "delivered",
        "warranty",
        "claim",
    ):
        assert kind in kinds, kind
    assert kinds.index("tradein") < kinds.index("diagnosis") < kinds.index("check_failed") < kinds.index("check_passed")
    assert kinds.index("check_passed") < kinds.index("listed") < kinds.index("shipped") < kinds.index("claim")
    repair = next(e for e in history.events if e.kind == "repair" and e.items)
    assert repair.items[0]["supplier"] == "SECRET-SUPPLIER"
    assert repair.cost == Money(2490 + 2000, "EUR")  # the part + 20 min at 60.00/h
    assert next(e for e in history.events if e.kind == "received").cost == Money(20000, "EUR")
    assert unit.total_cost == Money(20000 + 2490 + 1000 + 2000 + 500, "EUR")
    # What failed is named, and the listing's grade in words.
    assert next(e for e in history.events if e.kind == "check_failed").detail.startswith(
        "1 of 14 checks failed: Microphones · battery"
    )
    assert "grade Premium" in next(e for e in history.events if e.kind == "listed").detail


def test_the_shopper_sees_the_checks_and_repairs_before_the_sale_not_the_costs(sold_unit):
    unit, warranty = sold_unit

    units = units_for_shopper_warranty(warranty)
    history = unit_history(identifier=warranty.identifier, audience=Audience.SHOPPER, units=units)

    assert [u.pk for u in units] == [unit.pk]
    kinds = _kinds(history)
    assert {"diagnosis", "repair", "check_failed", "check_passed", "order", "shipped", "warranty", "claim"} <= set(
        kinds
    )
    assert "tradein" not in kinds
    assert "status" not in kinds
    assert "listed" not in kinds
    assert all(event.cost is None for event in history.events)
    parts = [item for event in history.events if event.kind == "repair" for item in event.items]
    assert parts == [{"name": "Battery A2653", "origin": "Original", "supplier": "", "cost": None}]
    text = " ".join(f"{e.title} {e.detail}" for e in history.events)
    assert "min of labour" not in text
    assert "SECRET-SUPPLIER" not in text


def test_the_console_sees_every_seller_without_costs(sold_unit, other_seller_org):
    from workshop.services.units import unit_create

    unit, _warranty = sold_unit
    elsewhere = unit_create(seller=other_seller_org, actor=SYSTEM, identifier=unit.identifier, variant=unit.variant)

    history = unit_history(identifier=unit.identifier, audience=Audience.CONSOLE)

    assert {u.pk for u in history.units} == {unit.pk, elsewhere.pk}
    assert all(event.cost is None for event in history.events)
    assert "tradein" in _kinds(history)


def test_another_sellers_records_of_the_identifier_stay_out_of_the_sellers_history(sold_unit, other_seller_org):
    from workshop.services.units import unit_create

    unit, _warranty = sold_unit
    unit_create(seller=other_seller_org, actor=SYSTEM, identifier=unit.identifier, variant=unit.variant)

    mine = unit_history(identifier=unit.identifier, audience=Audience.SELLER, seller=unit.seller)
    theirs = unit_history(identifier=unit.identifier, audience=Audience.SELLER, seller=other_seller_org)

    assert [u.seller_id for u in mine.units] == [unit.seller_id]
    assert _kinds(theirs).count("received") == 1
    assert not {"tradein", "order", "claim", "warranty", "diagnosis"} & set(_kinds(theirs))


def test_the_history_takes_a_fixed_number_of_queries(sold_unit, django_assert_max_num_queries):
    unit, _warranty = sold_unit

    with django_assert_max_num_queries(14):
        unit_history(identifier=unit.identifier, audience=Audience.SELLER, seller=unit.seller)


def test_the_order_unit_is_the_units_sale(sold_unit):
    unit, warranty = sold_unit

    assert unit.order_unit == OrderUnit.objects.get(pk=warranty.unit_id)
    assert unit.status == "sold"
