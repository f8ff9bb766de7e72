"""Listing creation, edits and status moves: the services and the database constraints behind them."""

import pytest
from django.db import IntegrityError, connection, transaction

from catalog.models import Grade, Listing
from catalog.services.listings import (
    listing_create,
    listing_deactivate,
    listing_pause,
    listing_publish,
    listing_resume,
    listing_update,
    listings_deactivate,
    listings_pause_by_platform,
    listings_resume_by_platform,
)
from catalog.services.standing import seller_standing_set
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Event, OrganisationKind
from tests.factories import OrganisationFactory
from tests.factories.catalog import VariantFactory, grade, make_listing, market
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def test_listing_create_stores_the_offer_in_the_markets_currency():
    listing = make_listing(market="gb", price_amount=32900, grade="good", battery_health=82)

    listing.refresh_from_db()
    assert listing.currency == "GBP"
    assert listing.price.format("en") == "£329.00"
    assert listing.battery_floor == 80
    assert listing.status == ListingStatus.ACTIVE
    assert AuditEvent.objects.filter(object_id=str(listing.pk), to_status="active").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("battery_health", 84, "below the Excellent grade's floor of 85"),
        ("warranty_months", 11, "at least 12 months"),
        ("stock", -1, "negative"),
        ("price_amount", 0, "positive"),
        ("sku", "  ", "required"),
    ],
)
def test_listing_create_refuses_what_the_domain_forbids(field, value, message):
    with pytest.raises(ApplicationError) as caught:
        make_listing(grade="excellent", **{field: value})

    assert caught.value.code == ErrorCode.VALIDATION
    assert caught.value.errors[0]["field"] == field
    assert message in caught.value.errors[0]["message"]
    assert Listing.objects.count() == 0


def test_listing_create_refuses_a_second_sku_in_the_same_market_but_allows_another_market():
    seller = SellerFactory().organisation
    make_listing(seller=seller, sku="IP13-128-BLK")

    with pytest.raises(ApplicationError) as caught:
        make_listing(seller=seller, sku="IP13-128-BLK")
    assert caught.value.errors == [
        {"field": "sku", "message": "You already have a listing with SKU IP13-128-BLK in this market."}
    ]
    make_listing(seller=seller, sku="IP13-128-BLK", market="de")
    make_listing(sku="IP13-128-BLK")  # another seller
    assert Listing.objects.filter(sku="IP13-128-BLK").count() == 3


def test_only_sellers_have_listings():
    partner = OrganisationFactory(kind=OrganisationKind.PARTNER)

    with pytest.raises(ApplicationError) as caught:
        listing_create(
            seller=partner,
            actor=ACTOR,
            variant=VariantFactory(),
            grade=grade("good"),
            market=market("fr"),
            price_amount=20000,
            stock=1,
            sku="PARTNER",
            battery_health=85,
        )
    assert caught.value.errors[0]["field"] == "seller"
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [("battery_health", 79), ("warranty_months", 6), ("stock", -2), ("price_amount", -5), ("currency", "GBP")],
)
def test_the_database_refuses_what_the_domain_forbids_even_without_the_service(column, value):
    listing = make_listing(grade="good", battery_health=85)

    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(**{column: value})


def test_the_database_keeps_the_battery_floor_equal_to_the_grades():
    listing = make_listing(grade="good", battery_health=85)

    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(battery_floor=50, battery_health=60)
    # Raising the grade's floor above a listing's battery is refused (cascade + check).
    with pytest.raises(IntegrityError), transaction.atomic():
        Grade.objects.filter(code="good").update(battery_floor=90)
    with connection.cursor() as cursor:
        cursor.execute("SELECT battery_floor FROM catalog_listing WHERE id = %s", [listing.pk])
        assert cursor.fetchone() == (80,)


def test_listing_update_changes_price_stock_and_grade_and_revalidates():
    listing = make_listing(grade="excellent", battery_health=88, price_amount=50000)

    listing_update(listing=listing, actor=ACTOR, price_amount=47900, stock=7, grade=grade("good"))
    listing.refresh_from_db()
    assert (listing.price_amount, listing.stock, listing.grade_id, listing.battery_floor) == (47900, 7, "good", 80)

    with pytest.raises(ApplicationError) as caught:
        listing_update(listing=listing, actor=ACTOR, grade=grade("premium"))
    assert caught.value.errors[0]["field"] == "battery_health"
    with pytest.raises(ApplicationError) as caught:
        listing_update(listing=listing, actor=ACTOR, market=market("de"))
    assert caught.value.errors[0]["field"] == "market"


def test_listing_update_dispatches_status_changes_to_the_status_services():
    listing = make_listing(status="draft")

    listing_update(listing=listing, actor=ACTOR, status="active")
    assert listing.status == "active"
    listing_update(listing=listing, actor=ACTOR, status="paused")
    assert listing.status == "paused"
    with pytest.raises(ApplicationError) as caught:
        listing_update(listing=listing, actor=ACTOR, status="paused_by_platform")
    assert caught.value.errors[0]["field"] == "status"


def test_status_services_follow_the_table_and_audit_each_move():
    listing = make_listing(status="draft")

    listing_publish(listing=listing, actor=ACTOR)
    listing_pause(listing=listing, actor=ACTOR, reason="stock check")
    listing_resume(listing=listing, actor=ACTOR)
    listings_pause_by_platform(seller=listing.seller, actor=ACTOR, reason="end of probation")
    listing.refresh_from_db()
    with pytest.raises(ApplicationError) as caught:
        listing_resume(listing=listing, actor=ACTOR)  # a seller cannot lift a platform pause
    assert caught.value.code == ErrorCode.INVALID_TRANSITION
    listings_resume_by_platform(seller=listing.seller, actor=ACTOR, reason="reinstated")
    listing.refresh_from_db()
    listing_deactivate(listing=listing, actor=ACTOR, reason="sold out for good")
    with pytest.raises(ApplicationError):
        listing_publish(listing=listing, actor=ACTOR)

    moves = list(
        AuditEvent.objects.filter(content_type__model="listing", object_id=str(listing.pk))
        .order_by("id")
        .values_list("from_status", "to_status")
    )
    assert moves == [
        ("", "draft"),
        ("draft", "active"),
        ("active", "paused"),
        ("paused", "active"),
        ("active", "paused_by_platform"),
        ("paused_by_platform", "active"),
        ("active", "deactivated"),
    ]
    assert Event.objects.filter(type="listing.paused").count() == 2


def test_a_deactivated_listing_cannot_be_edited():
    listing = make_listing()
    listing_deactivate(listing=listing, actor=ACTOR)

    with pytest.raises(ApplicationError) as caught:
        listing_update(listing=listing, actor=ACTOR, price_amount=100)
    assert caught.value.code == ErrorCode.INVALID_TRANSITION


def test_listing_create_is_the_one_door_for_new_listings_and_rolls_back_as_a_whole():
    variant = VariantFactory()
    seller = SellerFactory().organisation
    with pytest.raises(ApplicationError):
        listing_create(
            seller=seller,
            actor=ACTOR,
            variant=variant,
            grade=grade("premium"),
            market=market("jp"),
            price_amount=45000,
            stock=1,
            sku="A",
            battery_health=89,
        )
    assert Listing.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_platform_bulk_moves_pause_exactly_the_live_listings_and_resume_exactly_those():
    seller = SellerFactory().organisation
    live = [make_listing(seller=seller, sku=f"LIVE-{n}") for n in range(3)]
    own_pause = make_listing(seller=seller, sku="OWN", status="paused")
    draft = make_listing(seller=seller, sku="DRAFT", status="draft")
    other = make_listing(sku="OTHER")

    paused = listings_pause_by_platform(seller=seller, actor=ACTOR, reason="suspended by the score")

    assert paused == sorted(listing.pk for listing in live)
    status = dict(Listing.objects.values_list("pk", "status"))
    assert [status[listing.pk] for listing in live] == ["paused_by_platform"] * 3
    assert (status[own_pause.pk], status[draft.pk], status[other.pk]) == ("paused", "draft", "active")
    events = list(Event.objects.filter(type="listing.paused").order_by("created_at"))
    assert [event.data["listing"] for event in events] == paused
    assert {event.organisation_id for event in events} == {seller.pk}
    assert events[0].data == {
        "listing": live[0].pk,
        "sku": "LIVE-0",
        "status": "paused_by_platform",
        "market": "fr",
        "variant": live[0].variant_id,
        "grade": "excellent",
        "reason": "suspended by the score",
    }
    audits = AuditEvent.objects.filter(content_type__model="listing", to_status="paused_by_platform")
    assert sorted(audits.values_list("organisation_id", flat=True)) == [seller.pk] * 3
    # A second run finds nothing live: nothing moves, no second event.
    assert listings_pause_by_platform(seller=seller, actor=ACTOR, reason="again") == []
    assert Event.objects.filter(type="listing.paused").count() == 3

    assert listings_resume_by_platform(seller=seller, actor=ACTOR, reason="reinstated") == paused
    status = dict(Listing.objects.values_list("pk", "status"))
    assert [status[listing.pk] for listing in live] == ["active"] * 3
    assert (status[own_pause.pk], status[draft.pk]) == ("paused", "draft")

    deactivated = listings_deactivate(seller=seller, actor=ACTOR, reason="terminated")
    assert sorted(deactivated) == sorted([*paused, own_pause.pk, draft.pk])
    assert Listing.objects.get(pk=other.pk).status == "active"


def test_a_seller_whose_standing_forbids_selling_can_neither_create_nor_publish_nor_resume():
    seller = SellerFactory().organisation
    draft = make_listing(seller=seller, sku="D", status="draft")
    paused = make_listing(seller=seller, sku="P", status="paused")
    seller_standing_set(organisation=seller, may_sell=False)

    for attempt in (
        lambda: listing_publish(listing=draft, actor=ACTOR),
        lambda: listing_resume(listing=paused, actor=ACTOR),
        lambda: listing_update(listing=paused, actor=ACTOR, status="active"),
        lambda: listing_create(
            seller=seller,
            actor=ACTOR,
            variant=VariantFactory(),
            grade=grade("good"),
            market=market("fr"),
            price_amount=20000,
            stock=1,
            sku="NEW",
            battery_health=85,
        ),
    ):
        with pytest.raises(ApplicationError) as caught:
            attempt()
        assert caught.value.code == ErrorCode.SELLER_NOT_SELLING
    assert dict(Listing.objects.filter(seller=seller).values_list("sku", "status")) == {"D": "draft", "P": "paused"}
    # Pausing and deactivating stay possible: they take offers down, never up.
    listing_deactivate(listing=paused, actor=ACTOR)
