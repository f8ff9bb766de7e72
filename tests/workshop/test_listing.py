"""From ready to listed in one step, through the one listing door (probation cap included)."""

from __future__ import annotations

import pytest

from catalog.models import Grade, Listing
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market
from marketplace.money import Money
from sellers.models import ListingDay
from tests.factories.catalog import make_listing
from tests.factories.sellers import SellerFactory
from tests.factories.workshop import SYSTEM, listed_unit, ready_unit, received_unit
from workshop.costs import PriceBasis
from workshop.models import Unit
from workshop.services.listing import unit_listing_create, unit_listing_draft
from workshop.services.setup import workshop_settings_update

pytestmark = pytest.mark.django_db
FR = "fr"


def _list(unit: Unit, *, grade: str | None = None, price: int = 39900, sku: str = "", market: str = FR) -> Listing:
    return unit_listing_create(
        unit=unit,
        actor=SYSTEM,
        market=Market.objects.get(code=market),
        grade=Grade.objects.get(code=grade) if grade else unit.suggested_grade,
        price_amount=price,
        warranty_months=12,
        sku=sku,
    )


def test_a_ready_unit_starts_a_listing_with_its_battery_and_suggested_grade(seller_org):
    unit = ready_unit(seller_org, battery_health=88)

    listing = _list(unit)

    unit.refresh_from_db()
    assert (listing.variant_id, listing.grade_id, listing.market_id) == (unit.variant_id, "excellent", FR)
    assert (listing.stock, listing.battery_health, listing.status, listing.price_amount) == (1, 88, "active", 39900)
    assert listing.sku == f"U{unit.variant_id}-EXCELLENT-FR"
    assert (unit.status, unit.listing_id) == ("listed", listing.pk)
    assert unit.listed_at is not None
    assert unit.due_at is None


def test_a_second_unit_joins_the_listing_of_the_same_variant_grade_and_market(seller_org):
    first, listing = listed_unit(seller_org, n=1, battery_health=93)
    second = ready_unit(seller_org, n=2, variant=first.variant, battery_health=87)

    joined = _list(second, price=37900)

    assert joined.pk == listing.pk
    joined.refresh_from_db()
    # stock + 1; the listing's one price is the new one; its stated battery is true of both units.
    assert (joined.stock, joined.price_amount, joined.battery_health) == (2, 37900, 87)
    assert Listing.objects.filter(seller=seller_org).count() == 1


def test_a_lower_grade_is_allowed_a_higher_one_is_refused(seller_org):
    unit = ready_unit(seller_org)  # suggested excellent

    with pytest.raises(ApplicationError) as refused:
        _list(unit, grade="premium")
    assert refused.value.code == ErrorCode.GRADE_ABOVE_SUGGESTION
    assert refused.value.errors[0]["field"] == "grade"
    assert Unit.objects.get(pk=unit.pk).status == "ready"

    assert _list(unit, grade="good").grade_id == "good"


def test_a_unit_not_ready_is_a_409(seller_org):
    unit = received_unit(seller_org)

    with pytest.raises(ApplicationError) as refused:
        _list(unit, grade="good")

    assert refused.value.code == ErrorCode.INVALID_TRANSITION
    assert refused.value.status == 409
    assert refused.value.extra["allowed"] == ["diagnosed", "parts", "recycled"]


def test_listing_from_a_unit_goes_through_the_probation_cap():
    seller = SellerFactory(in_probation=True).organisation
    for n in range(4):
        make_listing(seller=seller, sku=f"CAP-{n}")
    unit = ready_unit(seller, n=1)
    _list(unit)  # the 5th new listing of the day
    sixth = ready_unit(seller, n=2)

    with pytest.raises(ApplicationError) as refused:
        _list(sixth)

    assert refused.value.code == ErrorCode.PROBATION_DAILY_CAP
    assert refused.value.retry_after
    assert refused.value.retry_after > 0
    sixth.refresh_from_db()
    assert (sixth.status, sixth.listing_id) == ("ready", None)
    assert Listing.objects.filter(seller=seller).count() == 5
    assert ListingDay.objects.get(seller__organisation=seller).listings_created == 5


def test_joining_an_existing_listing_takes_no_new_listing_slot():
    seller = SellerFactory(in_probation=True).organisation
    first, listing = listed_unit(seller, n=1)
    for n in range(4):
        make_listing(seller=seller, sku=f"CAP-{n}")
    second = ready_unit(seller, n=2, variant=first.variant)

    assert _list(second).pk == listing.pk
    assert ListingDay.objects.get(seller__organisation=seller).listings_created == 5


def test_a_seller_that_may_not_sell_cannot_list_a_unit(seller_org):
    from catalog.services.standing import seller_standing_set

    unit = ready_unit(seller_org)
    seller_standing_set(organisation=seller_org, may_sell=False)

    with pytest.raises(ApplicationError) as refused:
        _list(unit)

    assert refused.value.code == ErrorCode.SELLER_NOT_SELLING
    assert Unit.objects.get(pk=unit.pk).status == "ready"


def test_a_sku_of_another_offer_is_refused_and_a_given_sku_starts_a_listing(seller_org):
    other = make_listing(seller=seller_org, sku="OTHER-OFFER")
    unit = ready_unit(seller_org)

    with pytest.raises(ApplicationError) as refused:
        _list(unit, sku=other.sku)
    assert refused.value.errors[0]["field"] == "sku"

    assert _list(unit, sku="MY-OWN-SKU").sku == "MY-OWN-SKU"


def test_the_draft_suggests_the_price_to_win_when_it_keeps_the_margin(seller_org, other_seller_org):
    workshop_settings_update(
        seller=seller_org, actor=SYSTEM, labour_rate_amount=0, target_margin_percent=25, warranty_months=24
    )
    unit = ready_unit(seller_org, cost=10000, parts=())  # total cost 10000 (no labour rate)
    make_listing(
        seller=other_seller_org, variant=unit.variant, grade=Grade.objects.get(code="excellent"), price_amount=30000
    )

    draft = unit_listing_draft(unit=unit, market=Market.objects.get(code=FR))

    assert (draft.grade.code, draft.battery_health, draft.warranty_months, draft.joins) == ("excellent", 88, 24, None)
    assert draft.price.basis == PriceBasis.WINS_BUY_BOX
    assert draft.price.price == Money(29999, "EUR")
    assert draft.price.floor == Money(15385, "EUR")  # 10000 / (1 - 10 % - 25 %)


def test_the_draft_keeps_the_margin_above_a_cheap_buy_box(seller_org, other_seller_org):
    unit = ready_unit(seller_org, cost=10000, parts=())
    make_listing(
        seller=other_seller_org, variant=unit.variant, grade=Grade.objects.get(code="excellent"), price_amount=12000
    )

    draft = unit_listing_draft(unit=unit, market=Market.objects.get(code=FR))

    assert draft.price.basis == PriceBasis.MARGIN_ABOVE_BUY_BOX
    assert (draft.price.price, draft.price.price_to_win) == (Money(15385, "EUR"), Money(11999, "EUR"))
