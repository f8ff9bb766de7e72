"""Success console: queues, the seller review page, decisions with reasons, private documents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import AuditEvent
from sellers.models import Seller, SellerDocument
from sellers.states import SellerStatus
from tests.factories import MembershipFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.sellers import SellerFactory
from tests.sellers.conftest import pdf

pytestmark = pytest.mark.django_db


def test_queues_list_applications_reviews_and_suspensions(client, manager):
    applied = SellerFactory(applied=True, organisation__name="Waiting Co")
    review = SellerFactory(status=SellerStatus.UNDER_REVIEW, organisation__name="Review Co")
    suspended = SellerFactory(status=SellerStatus.SUSPENDED, organisation__name="Paused Co")
    SellerFactory(organisation__name="Happy Active Co")
    client.force_login(manager)

    page = client.get("/console/").content.decode()

    for seller in (applied, review, suspended):
        assert f'href="/console/sellers/{seller.pk}/"' in page
    assert "Happy Active Co" not in page


def test_console_dashboard_query_count_does_not_grow(client, manager):
    client.force_login(manager)
    SellerFactory(applied=True)
    with CaptureQueriesContext(connection) as one:
        client.get("/console/")
    for _ in range(10):
        SellerFactory(applied=True)
    with CaptureQueriesContext(connection) as many:
        client.get("/console/")

    assert len(many) == len(one)


def test_review_page_shows_application_timeline_listings_and_history(client, manager, private_media):
    seller = SellerFactory(in_probation=True, organisation__name="Kickoff Mobile", vat_id="FR12345678901")
    SellerDocument.objects.create(
        seller=seller, file=pdf(), original_name="workshop.pdf", content_type="application/pdf", size=42
    )
    make_listing(seller=seller.organisation)
    client.force_login(manager)

    page = client.get(f"/console/sellers/{seller.pk}/").content.decode()

    assert "FR12345678901" in page
    assert "workshop.pdf" in page
    assert "day 1 of 40; 1 of 5 new listings" in page
    assert "History" in page


def test_a_decision_needs_a_reason_and_is_recorded(client, manager):
    seller = SellerFactory(applied=True)
    client.force_login(manager)

    refused = client.post(f"/console/sellers/{seller.pk}/decide/", {"decision": "approve", "reason": ""})
    assert refused.status_code == 400
    seller.refresh_from_db()
    assert seller.status == SellerStatus.APPLIED

    done = client.post(f"/console/sellers/{seller.pk}/decide/", {"decision": "approve", "reason": "Solid workshop"})
    assert done.status_code == 302
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PROBATION
    audit = AuditEvent.objects.get(to_status="probation")
    assert (audit.actor_user, audit.reason) == (manager, "Solid workshop")


def test_a_decision_the_status_does_not_offer_is_refused(client, manager):
    seller = SellerFactory()  # active: only "suspend"
    client.force_login(manager)

    response = client.post(f"/console/sellers/{seller.pk}/decide/", {"decision": "approve", "reason": "x"})

    assert response.status_code == 400
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE


def test_console_is_closed_to_sellers_and_shoppers(client):
    seller = SellerFactory(applied=True)
    client.force_login(MembershipFactory(organisation=seller.organisation).user)

    assert client.get("/console/").status_code == 403
    assert (
        client.post(f"/console/sellers/{seller.pk}/decide/", {"decision": "approve", "reason": "me"}).status_code == 403
    )
    seller.refresh_from_db()
    assert seller.status == SellerStatus.APPLIED


def test_documents_are_served_to_their_seller_and_managers_only(client, manager, private_media):
    seller = SellerFactory(applied=True)
    document = SellerDocument.objects.create(
        seller=seller, file=pdf(), original_name="proof.pdf", content_type="application/pdf", size=42
    )
    other = SellerFactory()

    client.force_login(manager)
    assert client.get(f"/console/documents/{document.pk}/").status_code == 200
    client.force_login(MembershipFactory(organisation=seller.organisation).user)
    response = client.get(f"/seller/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(MembershipFactory(organisation=other.organisation).user)
    assert client.get(f"/seller/documents/{document.pk}/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/seller/documents/{document.pk}/").status_code == 404


def test_applying_through_the_page(client, private_media):
    client.force_login(UserFactory())
    data = {
        "company_name": "Atelier Reboot",
        "legal_form": "limited_company",
        "home_market": "de",
        "vat_id": "DE136695976",
        "address_line": "Hauptstr. 1",
        "postal_code": "10115",
        "city": "Berlin",
        "contact_name": "Jonas",
        "contact_email": "jonas@reboot.test",
        "contact_phone": "+49 30 000000",
        "monthly_capacity": 120,
        "capacity_description": "Two technicians.",
        "documents": pdf(),
        "charter_accepted": "on",
    }

    bad = client.post("/seller/apply/", {**data, "vat_id": "FR123", "documents": pdf()})
    assert "not a valid VAT id" in bad.content.decode()

    # A file past the upload bound is dropped while it streams in, and said so next to the field.
    huge = pdf("huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    too_big = client.post("/seller/apply/", {**data, "documents": huge})
    assert too_big.status_code == 200
    page = too_big.content.decode()
    assert "huge.pdf: the file is larger than 10 MB." in page
    assert "This field is required" not in page
    assert not Seller.objects.exists()

    done = client.post("/seller/apply/", {**data, "documents": pdf()})
    assert done.status_code == 302
    page = client.get("/seller/").content.decode()
    assert "is with our success team" in page


def test_review_page_shows_sales_so_far(client, manager):
    from tests.factories.orders import paid

    seller = SellerFactory(in_probation=True)
    listing = make_listing(seller=seller.organisation, stock=5)
    paid((listing, 2))
    client.force_login(manager)

    response = client.get(f"/console/sellers/{seller.pk}/")

    sales = response.context["sales"]
    assert (sales.orders, sales.units_sold, sales.units_delivered, sales.by_status["paid"]) == (1, 2, 0, 1)
