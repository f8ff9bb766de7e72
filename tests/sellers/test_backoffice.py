"""Seller back-office pages: dashboard, listings table, inline edit, status, bulk, create, import/export."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Listing
from marketplace.actors import Actor
from marketplace.models import ApiKey
from sellers.models import Invitation
from sellers.notifications import send_invitation_task
from sellers.services.team import invitation_create
from tests.factories import MembershipFactory
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    seller = SellerFactory(in_probation=True)
    client.force_login(MembershipFactory(organisation=seller.organisation, role="owner").user)
    client.seller = seller
    return client


def test_dashboard_shows_the_probation_banner(owner_client):
    make_listing(seller=owner_client.seller.organisation)

    page = owner_client.get("/seller/").content.decode()

    assert "Probation: day 1 of 40." in page
    assert "New listings today: 1 of 5." in page
    assert "4 slots left today." in page


def test_listings_table_query_count_does_not_grow_with_rows(owner_client):
    seller = SellerFactory()
    owner_client.force_login(MembershipFactory(organisation=seller.organisation).user)
    make_listing(seller=seller.organisation)
    with CaptureQueriesContext(connection) as one:
        assert owner_client.get("/seller/listings/").status_code == 200
    for n in range(20):
        make_listing(seller=seller.organisation, sku=f"MANY-{n}")
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get("/seller/listings/")

    assert response.content.decode().count('class="listing-row"') == 21
    assert len(many) == len(one)


def test_listings_table_filters_and_htmx_returns_the_table(owner_client):
    make_listing(seller=owner_client.seller.organisation, sku="KEEP-1")
    make_listing(seller=owner_client.seller.organisation, sku="DROP-1", status="draft")

    response = owner_client.get("/seller/listings/?status=active&q=keep", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "KEEP-1" in page
    assert "DROP-1" not in page
    assert "<html" not in page


def test_inline_edit_changes_price_and_stock_through_the_service(owner_client):
    listing = make_listing(seller=owner_client.seller.organisation)

    response = owner_client.post(
        f"/seller/listings/{listing.pk}/inline/", {"price": "399,90", "stock": "8"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.price_amount, listing.stock) == (39990, 8)


def test_inline_edit_shows_the_error_in_the_row(owner_client):
    listing = make_listing(seller=owner_client.seller.organisation)

    response = owner_client.post(f"/seller/listings/{listing.pk}/inline/", {"price": "0", "stock": "1"})

    assert 'role="alert"' in response.content.decode()
    listing.refresh_from_db()
    assert listing.price_amount == 49900


def test_pause_resume_and_bulk(owner_client):
    first = make_listing(seller=owner_client.seller.organisation, sku="B-1")
    second = make_listing(seller=owner_client.seller.organisation, sku="B-2")

    owner_client.post(f"/seller/listings/{first.pk}/status/", {"action": "pause"})
    first.refresh_from_db()
    assert first.status == "paused"
    owner_client.post("/seller/listings/bulk/", {"action": "pause", "ids": [first.pk, second.pk]})

    assert set(Listing.objects.values_list("status", flat=True)) == {"paused"}


def test_create_listing_through_the_form_and_the_sixth_is_refused(owner_client):
    variant = VariantFactory()
    for n in range(5):
        make_listing(seller=owner_client.seller.organisation, sku=f"F-{n}")
    data = {
        "variant": variant.pk,
        "grade": "good",
        "market": "fr",
        "battery_health": 85,
        "warranty_months": 12,
        "price": "249.00",
        "stock": 2,
        "sku": "FORM-6",
        "status": "active",
    }

    response = owner_client.post("/seller/listings/new/", data)

    assert response.status_code == 200
    assert "at most 5 new listings per day" in response.content.decode()
    assert not Listing.objects.filter(sku="FORM-6").exists()


def test_create_listing_form_saves(owner_client):
    variant = VariantFactory()
    data = {
        "variant": variant.pk,
        "grade": "good",
        "market": "gb",
        "battery_health": 85,
        "warranty_months": 18,
        "price": "249.00",
        "stock": 2,
        "sku": "FORM-1",
        "status": "active",
    }

    response = owner_client.post("/seller/listings/new/", data)

    assert response.status_code == 302
    listing = Listing.objects.get(sku="FORM-1")
    assert (listing.price_amount, listing.currency, listing.warranty_months) == (24900, "GBP", 18)


def test_price_hint_shows_the_price_to_win(owner_client):
    variant = VariantFactory()
    make_listing(variant=variant, grade="good", market="fr", price_amount=30000)

    response = owner_client.get(f"/seller/listings/price-hint/?variant={variant.pk}&grade=good&market=fr")

    assert "You would win the buy box at €299.99 or less (the best offer is €300.00)." in response.content.decode()


def test_csv_import_page_all_or_nothing_and_export_round_trip(owner_client):
    seller = SellerFactory()
    owner_client.force_login(MembershipFactory(organisation=seller.organisation).user)
    variant = VariantFactory()
    good = f"sku,variant,grade,market,price,stock,battery_health\nC-1,{variant.pk},good,fr,199.00,2,85\n"
    bad = good + f"C-2,{variant.pk},good,fr,199.00,-2,85\n"

    refused = owner_client.post(
        "/seller/listings/import/", {"file": SimpleUploadedFile("l.csv", bad.encode(), content_type="text/csv")}
    )
    assert "row 3.stock" in refused.content.decode()
    assert Listing.objects.count() == 0

    done = owner_client.post(
        "/seller/listings/import/", {"file": SimpleUploadedFile("l.csv", good.encode(), content_type="text/csv")}
    )
    assert done.status_code == 302
    export = owner_client.get("/seller/listings/export.csv").content.decode()
    assert export.splitlines()[1].startswith(f"C-1,{variant.pk},good,fr,199.00,2,85,12,active")
    template = owner_client.get("/seller/listings/template.csv")
    assert template["Content-Type"].startswith("text/csv")


def test_api_keys_page_shows_the_key_once_and_revokes(owner_client):
    response = owner_client.post("/seller/api-keys/", {"name": "ERP", "scopes": ["listings:write"]})

    # The POST redirects: a refresh of the page shows it again without making a second key.
    assert response.status_code == 302
    assert response["Location"] == "/seller/api-keys/"
    assert "enc_" in owner_client.get("/seller/api-keys/").content.decode()
    key = ApiKey.objects.get()
    assert "enc_" not in owner_client.get("/seller/api-keys/").content.decode().replace(f"enc_{key.prefix}_…", "")
    assert ApiKey.objects.count() == 1
    owner_client.post(f"/seller/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_staff_cannot_create_keys_or_invite(client):
    seller = SellerFactory()
    client.force_login(MembershipFactory(organisation=seller.organisation, role="staff").user)

    assert client.post("/seller/api-keys/", {"name": "x", "scopes": ["listings:write"]}).status_code == 403
    assert client.post("/seller/team/", {"email": "a@b.test", "role": "staff"}).status_code == 403
    assert ApiKey.objects.count() == Invitation.objects.count() == 0


def test_invitation_by_email_creates_a_staff_member(owner_client, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        owner_client.post("/seller/team/", {"email": "New@Staff.test", "role": "staff"})
    assert Invitation.objects.get().email == "new@staff.test"
    assert len(callbacks) == 1  # the invitation e-mail task, after commit
    _, token = invitation_create(
        organisation=owner_client.seller.organisation, email="second@staff.test", role="staff", actor=Actor.system()
    )
    send_invitation_task(Invitation.objects.get(email="second@staff.test").pk, token)
    assert f"/invitations/{token}/" in mail.outbox[-1].body

    client.logout()
    response = client.post(f"/invitations/{token}/", {"full_name": "Sam Second", "password": "a-long-passphrase-77"})

    assert response.status_code == 302
    assert owner_client.seller.organisation.memberships.filter(user__email="second@staff.test", role="staff").exists()
    assert client.get(f"/invitations/{token}/").status_code == 404


def test_bulk_with_a_foreign_id_changes_nothing(owner_client):
    mine = make_listing(seller=owner_client.seller.organisation, sku="MINE")
    foreign = make_listing(sku="THEIRS")

    response = owner_client.post(
        "/seller/listings/bulk/", {"action": "pause", "ids": [mine.pk, foreign.pk]}, follow=True
    )

    assert "nothing was changed" in response.content.decode()
    assert set(Listing.objects.values_list("status", flat=True)) == {"active"}


def test_dashboard_lists_what_needs_attention(owner_client):
    from tests.factories.orders import paid

    seller = SellerFactory()
    owner_client.force_login(MembershipFactory(organisation=seller.organisation).user)
    listing = make_listing(seller=seller.organisation, stock=1)
    paid((listing, 1))  # takes the last unit: one order to accept, one listing out of stock

    page = owner_client.get("/seller/").content.decode()

    assert "1 order to accept" in page
    assert "1 active listing is out of stock" in page


def test_when_the_day_is_full_the_next_slot_shows_in_the_sellers_time_zone(owner_client):
    for n in range(5):
        make_listing(seller=owner_client.seller.organisation, sku=f"FULL-{n}")

    page = owner_client.get("/seller/").content.decode()

    assert "The next slot opens at" in page
    assert "midnight (Europe/Paris)" in page
