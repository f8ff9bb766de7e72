"""Warranty records: one per delivered unit, start = delivery date, end = start + months; the shopper's page."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from orders.hooks import seller_order_delivered
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, imei, paid
from warranty.models import Warranty
from warranty.services.warranties import add_months, warranties_create_for_delivery

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 22), 24, date(2028, 11, 22)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


def test_warranty_learns_of_deliveries_through_orders_hook():
    assert seller_order_delivered.handlers == (warranties_create_for_delivery,)


def test_a_warranty_per_unit_created_once(shopper):
    listing = make_listing(stock=3, warranty_months=24)
    seller_order = paid((listing, 3), buyer=shopper).seller_orders.get()
    delivered(seller_order)
    assert Warranty.objects.count() == 3
    seller_order.refresh_from_db()
    with transaction.atomic():
        assert warranties_create_for_delivery(seller_order=seller_order) == []  # idempotent
    assert Warranty.objects.count() == 3
    warranty = Warranty.objects.get(identifier=imei(1))
    assert warranty.months == 24
    assert warranty.is_active(today=warranty.ends_on)
    assert not warranty.is_active(today=add_months(warranty.ends_on, 1))


def test_the_warranties_page_shows_only_the_shoppers_own(shopper):
    seller_order = paid((make_listing(stock=1), 1), buyer=shopper).seller_orders.get()
    delivered(seller_order)
    client = Client()
    client.force_login(shopper)
    page = client.get("/account/warranties/").content.decode()
    assert imei(1) in page
    assert "legal guarantee" in page
    stranger = Client()
    stranger.force_login(UserFactory())
    assert imei(1) not in stranger.get("/account/warranties/").content.decode()
    assert Client().get("/account/warranties/").status_code == 302


@pytest.mark.django_db
def test_the_demo_has_claims_in_every_resting_state_returns_and_reviews_that_agree_with_the_ratings(private_media):
    from django.core.management import call_command
    from django.db.models import Sum

    from catalog.models import SellerStanding
    from orders.models import LedgerEntry, LineHold
    from warranty.models import Claim, Return, Review
    from warranty.states import ClaimStatus, ReviewStatus

    call_command("seed_demo", "--quiet-logins")

    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses >= {s for s in ClaimStatus.values if s != ClaimStatus.ACCEPTED}
    assert set(Claim.objects.exclude(outcome="").values_list("outcome", flat=True)) == {
        "repaired",
        "replaced",
        "refunded",
        "rejected",
    }
    assert set(Return.objects.values_list("status", flat=True)) == {"opened", "refunded", "cancelled"}
    assert Review.objects.filter(reply_text__gt="").exists()
    for standing in SellerStanding.objects.filter(rating_count__gt=0):
        visible = Review.objects.filter(seller_id=standing.organisation_id, status=ReviewStatus.VISIBLE)
        assert standing.rating_count == visible.count()
        assert standing.rating_sum == visible.aggregate(s=Sum("seller_stars"))["s"]
    open_claims = Claim.objects.filter(status__in=["opened", "answered", "escalated", "in_repair"]).count()
    assert LineHold.objects.filter(released_at__isnull=True, source__startswith="claim-").count() == open_claims
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0

    counts = (Claim.objects.count(), Return.objects.count(), Review.objects.count())
    call_command("seed_demo", "--quiet-logins")
    assert (Claim.objects.count(), Return.objects.count(), Review.objects.count()) == counts  # idempotent
