"""The score's listing cap on every path (form, CSV import page, API create, API import CSV and JSON: 429
`score-daily-cap` with Retry-After), and no path publishing or resuming a listing of a seller that may not
sell (form, bulk action, CSV import, API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import Listing
from catalog.services.listings import listing_pause
from marketplace.errors import ApplicationError, ErrorCode
from sellers.models import ListingDay
from sellers.states import LadderStep, SellerStatus
from tests.factories import MembershipFactory
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.orders import SYSTEM
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def capped():
    """An active seller on the ladder's cap step (score below 60), with its 5 listings of today made."""
    seller = SellerFactory(ladder_step=LadderStep.CAP, score=55)
    for n in range(5):
        make_listing(seller=seller.organisation, sku=f"CAP-{n}")
    return seller


def form_data(variant, sku: str = "FORM-6") -> dict:
    return {
        "variant": variant.pk,
        "grade": "good",
        "market": "fr",
        "battery_health": 85,
        "warranty_months": 12,
        "price": "249.00",
        "stock": 2,
        "sku": sku,
        "status": "active",
    }


def api_body(variant, sku: str) -> dict:
    return {
        "sku": sku,
        "variant": variant.pk,
        "grade": "excellent",
        "market": "fr",
        "price": {"amount": 42900, "currency": "EUR"},
        "stock": 3,
        "battery_health": 91,
        "warranty_months": 12,
    }


def test_the_sixth_listing_of_a_capped_day_is_refused_with_its_own_reason(capped):
    with pytest.raises(ApplicationError) as error:
        make_listing(seller=capped.organisation, sku="CAP-6")

    assert error.value.code == ErrorCode.SCORE_DAILY_CAP
    assert "While your quality score is low" in error.value.message
    assert "(Europe/Paris time)" in error.value.message
    assert 0 < error.value.retry_after <= 24 * 3600
    assert ListingDay.objects.get(seller=capped).listings_created == 5
    assert Listing.objects.filter(seller=capped.organisation).count() == 5


def test_the_form_refuses_the_sixth(client, capped):
    client.force_login(MembershipFactory(organisation=capped.organisation).user)

    response = client.post("/seller/listings/new/", form_data(VariantFactory()))

    assert response.status_code == 200
    assert "While your quality score is low" in response.content.decode()
    assert not Listing.objects.filter(sku="FORM-6").exists()


def test_the_csv_import_page_refuses_a_file_over_the_cap(client, capped):
    client.force_login(MembershipFactory(organisation=capped.organisation).user)
    variant = VariantFactory()
    csv = f"sku,variant,grade,market,price,stock,battery_health\nC-1,{variant.pk},good,fr,199.00,2,85\n"

    response = client.post(
        "/seller/listings/import/", {"file": SimpleUploadedFile("l.csv", csv.encode(), content_type="text/csv")}
    )

    assert "While your quality score is low" in response.content.decode()
    assert not Listing.objects.filter(sku="C-1").exists()


def test_the_api_answers_429_score_daily_cap_with_retry_after(key_client, capped):
    client = key_client(capped.organisation, ["listings:write"])

    response = client.post("/api/v1/seller/listings/", api_body(VariantFactory(), "API-6"), format="json")

    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/score-daily-cap")
    assert response.json()["slots_left_today"] == 0
    assert 0 < int(response["Retry-After"]) <= 24 * 3600


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_the_api_import_answers_429_score_daily_cap(key_client, kind):
    seller = SellerFactory(ladder_step=LadderStep.CAP, score=51)
    make_listing(seller=seller.organisation, sku="FIRST")
    client = key_client(seller.organisation, ["listings:write"])
    variant = VariantFactory()
    if kind == "json":
        rows = [{**api_body(variant, f"J-{n}"), "price": {"amount": 40000 + n, "currency": "EUR"}} for n in range(6)]
        response = client.post("/api/v1/seller/listings/import/", rows, format="json")
    else:
        csv = "sku,variant,grade,market,price,stock,battery_health\n" + "".join(
            f"C-{n},{variant.pk},good,fr,199.0{n},2,85\n" for n in range(6)
        )
        response = client.post("/api/v1/seller/listings/import/", csv, content_type="text/csv")

    assert response.status_code == 429
    assert response.json()["type"].endswith("/score-daily-cap")
    assert "4 more fit today, you tried 6" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert Listing.objects.filter(seller=seller.organisation).count() == 1


def test_a_cap_kept_by_a_success_manager_applies_whatever_the_step():
    seller = SellerFactory(listing_cap_until=timezone.now() + timedelta(days=10))
    for n in range(5):
        make_listing(seller=seller.organisation, sku=f"K-{n}")

    with pytest.raises(ApplicationError) as error:
        make_listing(seller=seller.organisation, sku="K-6")

    assert error.value.code == ErrorCode.SCORE_DAILY_CAP


@pytest.mark.parametrize("step", [LadderStep.NONE, LadderStep.WARNING])
def test_no_cap_above_the_cap_threshold(step):
    seller = SellerFactory(ladder_step=step, listing_cap_until=timezone.now() - timedelta(days=1))
    for n in range(7):
        make_listing(seller=seller.organisation, sku=f"N-{n}")

    assert Listing.objects.filter(seller=seller.organisation).count() == 7


def test_the_dashboard_and_performance_page_say_how_many_listings_are_left(client, capped):
    client.force_login(MembershipFactory(organisation=capped.organisation).user)

    dashboard = client.get("/seller/").content.decode()
    performance = client.get("/seller/performance/").content.decode()

    assert "New listings today: 5 of 5." in dashboard
    assert "New listings today: 5 of 5." in performance


# --- a seller that may not sell publishes and resumes nothing, by any path ----------------------------
@pytest.fixture
def suspended():
    """A suspended seller with a listing it had paused itself and a draft."""
    seller = SellerFactory()
    paused = make_listing(seller=seller.organisation, sku="MINE-PAUSED")
    listing_pause(listing=paused, actor=SYSTEM)
    draft = make_listing(seller=seller.organisation, sku="MINE-DRAFT", status="draft")
    from sellers.services.lifecycle import seller_suspend

    seller_suspend(seller=seller, actor=SYSTEM, reason="Suspended by the score (tests).")
    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED
    seller.paused, seller.draft = paused, draft
    return seller


def statuses(seller) -> dict[str, str]:
    return dict(Listing.objects.filter(seller=seller.organisation).values_list("sku", "status"))


def test_the_form_neither_resumes_nor_publishes(client, suspended):
    client.force_login(MembershipFactory(organisation=suspended.organisation).user)
    for listing in (suspended.paused, suspended.draft):
        data = {**form_data(listing.variant, sku=listing.sku), "grade": "excellent", "battery_health": 91}
        response = client.post(f"/seller/listings/{listing.pk}/", data)
        assert response.status_code == 200
        assert "may not publish listings now" in response.content.decode()

    assert statuses(suspended) == {"MINE-PAUSED": "paused", "MINE-DRAFT": "draft"}


def test_the_status_buttons_and_the_bulk_action_neither_resume_nor_publish(client, suspended):
    client.force_login(MembershipFactory(organisation=suspended.organisation).user)

    client.post(f"/seller/listings/{suspended.paused.pk}/status/", {"action": "resume"})
    client.post(f"/seller/listings/{suspended.draft.pk}/status/", {"action": "publish"})
    client.post("/seller/listings/bulk/", {"action": "resume", "ids": [suspended.paused.pk]})
    client.post("/seller/listings/bulk/", {"action": "publish", "ids": [suspended.draft.pk]})

    assert statuses(suspended) == {"MINE-PAUSED": "paused", "MINE-DRAFT": "draft"}


def test_the_csv_import_neither_resumes_nor_publishes(client, key_client, suspended):
    listing = suspended.paused
    csv = (
        "sku,variant,grade,market,price,stock,battery_health,warranty_months,status\n"
        f"MINE-PAUSED,{listing.variant_id},excellent,fr,199.00,2,91,12,active\n"
    )
    client.force_login(MembershipFactory(organisation=suspended.organisation).user)

    page = client.post(
        "/seller/listings/import/", {"file": SimpleUploadedFile("l.csv", csv.encode(), content_type="text/csv")}
    )
    api = key_client(suspended.organisation, ["listings:write"]).post(
        "/api/v1/seller/listings/import/", csv, content_type="text/csv"
    )

    assert "suspended" in page.content.decode()
    assert api.status_code == 403
    assert api.json()["type"].endswith("/seller-not-selling")
    assert statuses(suspended) == {"MINE-PAUSED": "paused", "MINE-DRAFT": "draft"}


def test_the_api_neither_resumes_nor_publishes(key_client, suspended):
    client = key_client(suspended.organisation, ["listings:write"])

    for listing in (suspended.paused, suspended.draft):
        response = client.patch(f"/api/v1/seller/listings/{listing.pk}/", {"status": "active"}, format="json")
        assert response.status_code == 403
        assert response.json()["type"].endswith("/seller-not-selling")

    assert statuses(suspended) == {"MINE-PAUSED": "paused", "MINE-DRAFT": "draft"}


@pytest.mark.parametrize("status", [SellerStatus.UNDER_REVIEW, SellerStatus.TERMINATED])
def test_a_seller_under_review_or_terminated_neither_resumes_nor_publishes(client, key_client, status):
    """The same one service guards every path whatever the reason the seller may not sell."""
    from sellers.services.lifecycle import seller_start_review, seller_terminate

    seller = SellerFactory(in_probation=True)
    paused = make_listing(seller=seller.organisation, sku="MINE-PAUSED")
    listing_pause(listing=paused, actor=SYSTEM)
    draft = make_listing(seller=seller.organisation, sku="MINE-DRAFT", status="draft")
    seller_start_review(seller=seller, actor=SYSTEM)
    if status == SellerStatus.TERMINATED:
        seller.refresh_from_db()
        seller_terminate(seller=seller, actor=SYSTEM, reason="Counterfeit parts (tests).", ground="fraud")
    seller.refresh_from_db()
    assert seller.status == status
    before = statuses(seller)
    client.force_login(MembershipFactory(organisation=seller.organisation).user)
    api = key_client(seller.organisation, ["listings:write"])

    client.post(f"/seller/listings/{paused.pk}/status/", {"action": "resume"})
    client.post("/seller/listings/bulk/", {"action": "publish", "ids": [draft.pk]})
    data = {**form_data(draft.variant, sku=draft.sku), "grade": "excellent", "battery_health": 91}
    form = client.post(f"/seller/listings/{draft.pk}/", data)
    for listing in (paused, draft):
        response = api.patch(f"/api/v1/seller/listings/{listing.pk}/", {"status": "active"}, format="json")
        # Under review: the seller may not sell; terminated: its listings are deactivated for good.
        assert response.status_code == (403 if status == SellerStatus.UNDER_REVIEW else 409)

    assert "may not publish listings now" in form.content.decode() or form.status_code == 404
    assert statuses(seller) == before
    assert "active" not in before.values()
