"""The probation cap: 5 new listings per local day, wherever a listing is created, race-proof."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from sellers.models import ListingDay
from sellers.selectors import next_slot_opens_at, seller_local_day
from sellers.services.caps import listing_cap_take
from sellers.states import SellerStatus
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


def test_the_sixth_new_listing_of_the_day_is_refused_with_the_next_slot_time():
    seller = SellerFactory(in_probation=True)
    for n in range(5):
        make_listing(seller=seller.organisation, sku=f"CAP-{n}")

    with pytest.raises(ApplicationError) as error:
        make_listing(seller=seller.organisation, sku="CAP-6")

    assert error.value.code == ErrorCode.PROBATION_DAILY_CAP
    assert "at most 5 new listings per day" in error.value.message
    # In the seller's home market's local time (Paris), with Retry-After for the API.
    assert "The next slot opens on" in error.value.message
    assert "at 00:00 (Europe/Paris time)" in error.value.message
    assert 0 < error.value.retry_after <= 24 * 3600
    assert Listing.objects.filter(seller=seller.organisation).count() == 5
    assert ListingDay.objects.get(seller=seller).listings_created == 5


def test_a_refused_listing_gives_its_slot_back():
    seller = SellerFactory(in_probation=True)

    with pytest.raises(ApplicationError):
        make_listing(seller=seller.organisation, battery_health=10)  # below the grade floor

    assert ListingDay.objects.filter(seller=seller, listings_created__gt=0).count() == 0


def test_active_sellers_have_no_cap():
    seller = SellerFactory()
    for n in range(7):
        make_listing(seller=seller.organisation, sku=f"FREE-{n}")

    assert Listing.objects.filter(seller=seller.organisation).count() == 7


@pytest.mark.parametrize("status", [SellerStatus.APPLIED, SellerStatus.UNDER_REVIEW, SellerStatus.SUSPENDED])
def test_sellers_outside_probation_and_active_cannot_list(status):
    seller = SellerFactory(status=status)

    with pytest.raises(ApplicationError) as error:
        make_listing(seller=seller.organisation)

    assert error.value.code == ErrorCode.SELLER_NOT_SELLING


def test_the_day_is_the_home_markets_calendar_day():
    seller = SellerFactory(in_probation=True, home_market_id="jp")  # Asia/Tokyo, UTC+9
    late_utc = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 01:30 on the 23rd in Tokyo

    assert seller_local_day(seller, late_utc).isoformat() == "2026-11-23"
    assert next_slot_opens_at(seller, late_utc) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_a_new_local_day_opens_new_slots():
    seller = SellerFactory(in_probation=True)
    today = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    listing_cap_take(seller=seller, count=5, at=today)

    with pytest.raises(ApplicationError):
        listing_cap_take(seller=seller, count=1, at=today)
    listing_cap_take(seller=seller, count=1, at=today + timedelta(days=1))

    assert sorted(ListingDay.objects.values_list("listings_created", flat=True)) == [1, 5]


def test_taking_more_slots_than_fit_takes_none():
    seller = SellerFactory(in_probation=True)
    listing_cap_take(seller=seller, count=3)

    with pytest.raises(ApplicationError) as error:
        listing_cap_take(seller=seller, count=3)

    assert "2 more fit today, you tried 3" in error.value.message
    assert error.value.extra["slots_left_today"] == 2
    assert error.value.retry_after > 0
    assert ListingDay.objects.get(seller=seller).listings_created == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_racing_for_the_fifth_slot_end_with_exactly_one_listing():
    for round_number in range(10):
        seller = SellerFactory(in_probation=True)
        variant = VariantFactory()
        for n in range(4):
            make_listing(seller=seller.organisation, variant=variant, sku=f"R{round_number}-{n}")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def create(sku: str, seller=seller, variant=variant, barrier=barrier, outcomes=outcomes) -> None:
            try:
                barrier.wait(5)  # start both inserts at once to widen the race window
                make_listing(seller=seller.organisation, variant=variant, sku=sku)
                outcomes.append("created")
            except ApplicationError as error:
                outcomes.append(error.code)
            finally:
                connection.close()

        threads = [threading.Thread(target=create, args=(f"R{round_number}-race-{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)

        assert sorted(outcomes) == sorted(["created", ErrorCode.PROBATION_DAILY_CAP]), outcomes
        assert Listing.objects.filter(seller=seller.organisation).count() == 5
        assert ListingDay.objects.get(seller=seller).listings_created == 5
