"""Workshop factories: units taken in and moved through the services (as the board and the API do)."""

from __future__ import annotations

from typing import Any

from catalog.models import Grade, Listing, Variant
from marketplace.actors import Actor
from marketplace.models import Market, Organisation
from tests.factories.catalog import VariantFactory
from tests.factories.orders import imei
from workshop.models import Unit
from workshop.selectors import check_items_for
from workshop.services.listing import unit_listing_create
from workshop.services.units import unit_create, unit_transition
from workshop.services.work import PartInput, unit_diagnose, unit_quality_check_record, unit_repair

SYSTEM = Actor.system("tests")


def all_passed(unit: Unit, *, failing: tuple[str, ...] = ()) -> dict[str, bool]:
    """The unit's category's quality check, every item passed except `failing`."""
    return {item.code: item.code not in failing for item in check_items_for(unit.variant.product.category)}


def received_unit(
    seller: Organisation, *, n: int = 1, variant: Variant | None = None, cost: int = 10000, **kwargs: Any
) -> Unit:
    return unit_create(
        seller=seller,
        actor=SYSTEM,
        identifier=imei(5000 + n),
        variant=variant or VariantFactory(),
        purchase_amount=cost,
        **kwargs,
    )


def ready_unit(
    seller: Organisation,
    *,
    n: int = 1,
    screen: str = "flawless",
    body: str = "not_at_20cm",
    battery_health: int = 88,
    parts: tuple[PartInput, ...] = (PartInput(name="Screen", cost_amount=4500, supplier="PartsCo"),),
    **kwargs: Any,
) -> Unit:
    """Received, diagnosed, repaired with a part, checked: ready (suggested excellent by default)."""
    unit = received_unit(seller, n=n, **kwargs)
    unit_diagnose(unit=unit, actor=SYSTEM, findings="Cracked screen", labour_minutes=15)
    unit_repair(unit=unit, actor=SYSTEM, findings="Screen replaced", labour_minutes=30, parts=parts)
    unit_transition(unit=unit, actor=SYSTEM, to="quality_check")
    unit_quality_check_record(
        unit=unit, actor=SYSTEM, results=all_passed(unit), screen=screen, body=body, battery_health=battery_health
    )
    return Unit.objects.get(pk=unit.pk)


def listed_unit(
    seller: Organisation, *, market: str = "fr", grade: str | None = None, price: int = 39900, **kwargs: Any
) -> tuple[Unit, Listing]:
    unit = ready_unit(seller, **kwargs)
    listing = unit_listing_create(
        unit=unit,
        actor=SYSTEM,
        market=Market.objects.get(code=market),
        grade=Grade.objects.get(code=grade) if grade else unit.suggested_grade,
        price_amount=price,
        warranty_months=12,
    )
    return Unit.objects.get(pk=unit.pk), listing
