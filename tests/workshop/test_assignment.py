"""Assignment by the seller's rules: the category each technician or partner workshop takes (its
subcategories too), the specialist before the generalist, the capacity a day; nobody with room leaves the
unit unassigned until the hourly sweep finds someone the next day; routed trade-ins arrive assigned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.money import Money
from tests.factories import MembershipFactory, UserFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory
from tests.factories.tradein import inspected, priced_variant, wiped
from tests.factories.workshop import SYSTEM, received_unit
from tradein.services.lots import lot_bid, lot_create
from workshop.models import Unit
from workshop.services.assignment import unit_assign_by_rules, units_assign_due
from workshop.services.setup import technician_save

pytestmark = pytest.mark.django_db


def _technician(seller, *, capacity: int = 5, categories=(), name: str = ""):
    if name:
        return technician_save(
            seller=seller,
            actor=SYSTEM,
            kind="partner_workshop",
            name=name,
            capacity_per_day=capacity,
            categories=categories,
        )
    member = MembershipFactory(organisation=seller, role="staff", user=UserFactory()).user
    return technician_save(
        seller=seller, actor=SYSTEM, kind="technician", user=member, capacity_per_day=capacity, categories=categories
    )


def test_the_specialist_of_the_category_comes_before_a_generalist(seller_org):
    phones = CategoryFactory()
    laptops = CategoryFactory(slug="laptops", name="Laptops")
    generalist = _technician(seller_org)
    phone_expert = _technician(seller_org, categories=[phones])
    _technician(seller_org, categories=[laptops], name="Laptop Lab")

    unit = received_unit(seller_org, variant=VariantFactory(product=ProductFactory(category=phones)))
    laptop = received_unit(seller_org, n=2, variant=VariantFactory(product=ProductFactory(category=laptops)))

    assert unit.technician == phone_expert
    assert laptop.technician.display_name == "Laptop Lab"
    assert generalist.units.count() == 0


def test_a_technician_of_a_category_takes_its_subcategories(seller_org):
    phones = CategoryFactory()
    foldables = CategoryFactory(slug="foldables", name="Foldables", parent=phones)
    laptops = CategoryFactory(slug="laptops", name="Laptops")
    _technician(seller_org, categories=[laptops], name="Laptop Lab")
    phone_expert = _technician(seller_org, categories=[phones])

    unit = received_unit(seller_org, variant=VariantFactory(product=ProductFactory(category=foldables)))

    assert unit.technician == phone_expert


def test_capacity_a_day_is_respected_then_the_sweep_assigns_the_next_day(seller_org):
    only = _technician(seller_org, capacity=2)

    units = [received_unit(seller_org, n=n) for n in range(1, 4)]

    assert [unit.technician_id for unit in units] == [only.pk, only.pk, None]
    # Still the same day: the sweep finds nobody with room.
    assert units_assign_due() == 0
    # The next day the capacity is renewed: the waiting unit is assigned, once.
    tomorrow = timezone.now() + timedelta(days=1)
    assert units_assign_due(now=tomorrow) == 1
    assert units_assign_due(now=tomorrow) == 0
    assert Unit.objects.get(pk=units[2].pk).technician_id == only.pk


def test_the_least_loaded_of_two_equals_takes_the_unit(seller_org):
    first = _technician(seller_org)
    second = _technician(seller_org)

    units = [received_unit(seller_org, n=n) for n in range(1, 5)]

    assert sorted(unit.technician_id for unit in units) == sorted([first.pk, first.pk, second.pk, second.pk])


def test_an_inactive_technician_gets_nothing(seller_org):
    technician = _technician(seller_org)
    technician_save(
        seller=seller_org,
        actor=SYSTEM,
        kind="technician",
        user=technician.user,
        capacity_per_day=5,
        active=False,
        technician=technician,
    )

    unit = received_unit(seller_org)

    assert unit.technician is None
    assert unit_assign_by_rules(unit=unit, actor=SYSTEM) is None


def test_a_routed_trade_in_arrives_assigned_by_the_rules(shopper, seller_org):
    workshop = _technician(seller_org, name="Atelier Partenaire")
    device = wiped(inspected(owner=shopper, n=1, variant=priced_variant()))
    lot = lot_create(
        actor=SYSTEM, product=device.product, condition="like_new", currency="EUR", fixed_price=Money(9000, "EUR")
    )

    lot_bid(lot=lot, seller=seller_org, amount=Money(9000, "EUR"), actor=SYSTEM)

    unit = Unit.objects.get(seller=seller_org, tradein=device)
    assert (unit.technician_id, unit.source, unit.purchase_amount) == (workshop.pk, "tradein", 9000)
