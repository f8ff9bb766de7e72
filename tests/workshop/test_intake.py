"""What the workshop learns from the floors below: routed trade-ins arrive on the board, shipping picks a
listed unit (and sells it), a customer's return comes back as a unit."""

from __future__ import annotations

import pytest

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.money import Money
from orders.models import OrderUnit
from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered, seller_order_ship
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, imei, paid
from tests.factories.tradein import inspected, priced_variant, wiped
from tests.factories.workshop import listed_unit, ready_unit, received_unit
from tradein.services.lots import lot_bid, lot_create
from warranty.services.claims import Claimant
from warranty.services.returns import return_open, return_receive
from workshop.models import Unit

pytestmark = pytest.mark.django_db


def _ship(seller_order, identifiers):
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    lines = list(seller_order.lines.order_by("pk"))
    units, start = {}, 0
    for line in lines:
        units[line.pk] = identifiers[start : start + line.quantity]
        start += line.quantity
    return seller_order_ship(seller_order=seller_order, actor=SYSTEM, carrier="DHL", tracking_number="T1", units=units)


# --- routed trade-ins ------------------------------------------------------------------------------------
def test_a_routed_trade_in_arrives_on_the_buyers_board_with_its_inspection(shopper, seller_org):
    variant = priced_variant()
    devices = [wiped(inspected(owner=shopper, n=n, variant=variant)) for n in (1, 2, 3)]
    lot = lot_create(
        actor=SYSTEM,
        product=devices[0].product,
        condition="like_new",
        currency="EUR",
        fixed_price=Money(50000, "EUR"),
    )

    lot_bid(lot=lot, seller=seller_org, amount=Money(50000, "EUR"), actor=SYSTEM)

    units = list(Unit.objects.filter(seller=seller_org).order_by("tradein_id"))
    assert [unit.tradein_id for unit in units] == [device.pk for device in devices]
    assert [unit.identifier for unit in units] == [device.inspection.identifier for device in devices]
    assert {(unit.source, unit.status, unit.battery_health) for unit in units} == {("tradein", "received", 91)}
    # The lot's price split evenly, the remainder's cents to the first devices.
    assert [unit.purchase_amount for unit in units] == [16667, 16667, 16666]
    assert sum(unit.purchase_amount for unit in units) == 50000
    assert "inspected as Like new" in units[0].notes


def test_a_routed_device_the_buyer_already_holds_is_left_alone(shopper, seller_org):
    device = wiped(inspected(owner=shopper, n=1))
    from workshop.services.units import unit_create

    unit_create(seller=seller_org, actor=SYSTEM, identifier=device.inspection.identifier, variant=device.variant)
    lot = lot_create(
        actor=SYSTEM, product=device.product, condition="like_new", currency="EUR", fixed_price=Money(100, "EUR")
    )

    lot_bid(lot=lot, seller=seller_org, amount=Money(100, "EUR"), actor=SYSTEM)

    device.refresh_from_db()
    assert device.status == "routed"
    assert Unit.objects.filter(seller=seller_org).count() == 1


# --- shipping --------------------------------------------------------------------------------------------
def test_shipping_a_listed_unit_sells_it(seller_org):
    unit, listing = listed_unit(seller_org)
    seller_order = paid((listing, 1)).seller_orders.get()

    _ship(seller_order, [unit.identifier])

    unit.refresh_from_db()
    order_unit = OrderUnit.objects.get(line__seller_order=seller_order)
    assert (unit.status, unit.order_unit, unit.due_at) == ("sold", order_unit, None)
    assert unit.sold_at is not None


def test_a_unit_of_the_seller_that_is_not_listed_on_the_offer_cannot_ship(seller_org):
    unit, listing = listed_unit(seller_org, n=1)
    in_repair = received_unit(seller_org, n=2)
    seller_order = paid((listing, 1)).seller_orders.get()

    with pytest.raises(ApplicationError) as refused:
        _ship(seller_order, [in_repair.identifier])

    assert refused.value.code == ErrorCode.UNIT_NOT_LISTED
    assert in_repair.reference in refused.value.message
    seller_order.refresh_from_db()
    assert seller_order.status == "accepted"
    assert not OrderUnit.objects.filter(line__seller_order=seller_order).exists()
    assert Unit.objects.get(pk=unit.pk).status == "listed"


def test_a_listing_with_listed_units_ships_them_first(seller_org):
    _unit, listing = listed_unit(seller_org)
    seller_order = paid((listing, 1)).seller_orders.get()

    with pytest.raises(ApplicationError) as refused:
        _ship(seller_order, [imei(4242)])

    assert refused.value.code == ErrorCode.UNIT_NOT_LISTED
    assert refused.value.errors[0]["field"].startswith("units.")


def test_a_listing_stocked_by_hand_ships_any_identifier(seller_org):
    listing = make_listing(seller=seller_org, stock=2)
    seller_order = paid((listing, 2)).seller_orders.get()

    _ship(seller_order, [imei(1), imei(2)])

    assert OrderUnit.objects.filter(line__seller_order=seller_order).count() == 2


def test_a_listing_with_fewer_units_than_ordered_ships_the_units_and_typed_ones(seller_org):
    unit, listing = listed_unit(seller_org)
    from catalog.services.listings import listing_update

    listing_update(listing=listing, actor=SYSTEM, stock=2)  # one more by hand
    seller_order = paid((listing, 2)).seller_orders.get()

    _ship(seller_order, [unit.identifier, imei(77)])

    assert Unit.objects.get(pk=unit.pk).status == "sold"


def test_the_ship_form_offers_the_listings_units(client, seller_org, seller_owner):
    first, listing = listed_unit(seller_org, n=1)
    second = ready_unit(seller_org, n=2, variant=first.variant)
    from catalog.models import Grade
    from marketplace.models import Market
    from workshop.services.listing import unit_listing_create

    unit_listing_create(
        unit=second,
        actor=SYSTEM,
        market=Market.objects.get(code="fr"),
        grade=Grade.objects.get(code="excellent"),
        price_amount=39900,
        warranty_months=12,
    )
    seller_order = paid((listing, 1)).seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    client.force_login(seller_owner)

    page = client.get(f"/seller/orders/{seller_order.pk}/").content.decode()

    line = seller_order.lines.get()
    assert f'<select id="unit-{line.pk}-0" name="unit-{line.pk}-0" required>' in page
    assert f'<option value="{first.identifier}" selected>{first.identifier} · {first.reference}</option>' in page
    assert f"{second.identifier} · {second.reference}" in page

    response = client.post(
        f"/seller/orders/{seller_order.pk}/ship/",
        {"carrier": "DHL", "tracking_number": "T1", f"unit-{line.pk}-0": second.identifier},
    )

    assert response.status_code == 302
    assert Unit.objects.get(pk=second.pk).status == "sold"
    assert Unit.objects.get(pk=first.pk).status == "listed"


# --- customer returns ------------------------------------------------------------------------------------
def test_a_customer_return_comes_back_as_a_unit_carrying_its_cost(seller_org, shopper):
    unit, listing = listed_unit(seller_org)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    _ship(seller_order, [unit.identifier])
    seller_order = seller_order_mark_delivered(seller_order=seller_order, actor=SYSTEM)
    order_unit = OrderUnit.objects.get(line__seller_order=seller_order)
    ret = return_open(
        seller_order=seller_order, units=[order_unit], reason="defective", buyer=Claimant(shopper=shopper), actor=SYSTEM
    )

    return_receive(ret=ret, actor=SYSTEM)

    back = Unit.objects.get(seller=seller_org, status="received")
    assert (back.identifier, back.source, back.returned_unit, back.variant_id) == (
        unit.identifier,
        "return",
        order_unit,
        unit.variant_id,
    )
    assert back.purchase_amount == Unit.objects.get(pk=unit.pk).total_cost.amount
    assert ret.reference in back.notes
