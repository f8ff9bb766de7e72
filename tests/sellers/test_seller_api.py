"""Seller API: listings CRUD and import, scoped to the key's organisation; the probation cap as 429."""

import pytest

from catalog.models import Listing
from marketplace.models import AuditEvent
from tests.factories import MembershipFactory
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def variant():
    return VariantFactory()


def body(the_variant, **overrides):
    data = {
        "sku": "API-1",
        "variant": the_variant.pk,
        "grade": "excellent",
        "market": "fr",
        "price": {"amount": 42900, "currency": "EUR"},
        "stock": 3,
        "battery_health": 91,
        "warranty_months": 12,
    }
    data.update(overrides)
    return data


def client_for(key_client, seller, scopes=("listings:write",)):
    return key_client(seller.organisation, list(scopes))


def test_create_then_read_update_and_delete(key_client, variant):
    seller = SellerFactory()
    client = client_for(key_client, seller)

    created = client.post("/api/v1/seller/listings/", body(variant), format="json")
    assert created.status_code == 201, created.json()
    listing_id = created.json()["id"]
    assert created.json()["price"] == {"amount": 42900, "currency": "EUR"}
    assert created.json()["status"] == "active"

    patched = client.patch(f"/api/v1/seller/listings/{listing_id}/", {"stock": 7, "status": "paused"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["stock"], patched.json()["status"]) == (7, "paused")

    assert client.get(f"/api/v1/seller/listings/{listing_id}/").json()["sku"] == "API-1"
    assert client.delete(f"/api/v1/seller/listings/{listing_id}/").status_code == 204
    assert Listing.objects.get(pk=listing_id).status == "deactivated"
    audits = AuditEvent.objects.filter(content_type__model="listing", object_id=str(listing_id)).order_by("at", "id")
    assert [(a.from_status, a.to_status) for a in audits] == [
        ("", "active"),
        ("active", "paused"),
        ("paused", "deactivated"),
    ]
    assert all(a.actor_label.startswith("api key ") and a.actor_api_key_id for a in audits)


def test_the_sixth_listing_of_a_probation_day_is_429_with_retry_after(key_client, variant):
    seller = SellerFactory(in_probation=True)
    client = client_for(key_client, seller)
    for n in range(5):
        assert client.post("/api/v1/seller/listings/", body(variant, sku=f"P-{n}"), format="json").status_code == 201

    response = client.post("/api/v1/seller/listings/", body(variant, sku="P-6"), format="json")

    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("probation-daily-cap")
    assert int(response["Retry-After"]) > 0
    assert Listing.objects.filter(seller=seller.organisation).count() == 5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"warranty_months": 6}, "warranty_months"),
        ({"price": {"amount": 100, "currency": "GBP"}}, "price"),
        ({"stock": -1}, "stock"),
        ({"grade": "shiny"}, "grade"),
        ({"variant": 999_999}, "variant"),
        ({"price": {"amount": 12.5, "currency": "EUR"}}, "price"),
    ],
)
def test_invalid_listing_is_a_400_naming_the_field(key_client, variant, overrides, field):
    client = client_for(key_client, SellerFactory())

    response = client.post("/api/v1/seller/listings/", body(variant, **overrides), format="json")

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Listing.objects.count() == 0


def test_battery_below_the_grade_floor_is_refused(key_client, variant):
    client = client_for(key_client, SellerFactory())

    response = client.post("/api/v1/seller/listings/", body(variant, battery_health=70), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "battery_health"


def test_lists_only_the_keys_organisation_and_foreign_is_404(key_client):
    mine, theirs = SellerFactory(), SellerFactory()
    own = make_listing(seller=mine.organisation)
    foreign = make_listing(seller=theirs.organisation)
    client = client_for(key_client, mine)

    ids = [row["id"] for row in client.get("/api/v1/seller/listings/").json()["results"]]
    assert ids == [own.pk]
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/seller/listings/{foreign.pk}/", {"stock": 0}, format="json")
        assert response.status_code == 404, method
    foreign.refresh_from_db()
    assert (foreign.stock, foreign.status) == (3, "active")


def test_a_key_without_listings_write_is_403(key_client):
    client = client_for(key_client, SellerFactory(), scopes=("catalog:read",))

    assert client.get("/api/v1/seller/listings/").status_code == 403


def test_a_partner_key_is_403(key_client, partner_org):
    client = key_client(partner_org, ["listings:write"])

    assert client.get("/api/v1/seller/listings/").status_code == 403


def test_session_member_uses_the_api_with_csrf(api_client, variant):
    seller = SellerFactory()
    api_client.force_login(MembershipFactory(organisation=seller.organisation).user)

    assert api_client.get("/api/v1/seller/listings/").status_code == 200


def test_create_is_idempotent(key_client, variant):
    client = client_for(key_client, SellerFactory())

    first = client.post("/api/v1/seller/listings/", body(variant), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    second = client.post("/api/v1/seller/listings/", body(variant), format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Listing.objects.count() == 1


CSV_HEADER = "sku,variant,grade,market,price,stock,battery_health,warranty_months,status\n"


def test_csv_import_creates_all_rows(key_client, variant):
    seller = SellerFactory()
    client = client_for(key_client, seller)
    csv = (
        CSV_HEADER
        + f"A-1,{variant.pk},excellent,fr,429.00,3,91,12,active\nA-2,{variant.pk},good,de,399.5,1,85,24,draft\n"
    )

    response = client.generic("POST", "/api/v1/seller/listings/import/", csv.encode(), content_type="text/csv")

    assert response.status_code == 201, response.json()
    assert (response.json()["created"], response.json()["updated"]) == (2, 0)
    assert dict(Listing.objects.values_list("sku", "price_amount")) == {"A-1": 42900, "A-2": 39950}


def test_csv_import_with_one_bad_row_saves_nothing_and_names_row_and_column(key_client, variant):
    seller = SellerFactory()
    client = client_for(key_client, seller)
    csv = CSV_HEADER + (
        f"A-1,{variant.pk},excellent,fr,429.00,3,91,12,active\n"
        f"A-2,{variant.pk},excellent,fr,abc,3,91,12,active\n"
        f"A-3,{variant.pk},shiny,fr,100,3,91,12,active\n"
    )

    response = client.generic("POST", "/api/v1/seller/listings/import/", csv.encode(), content_type="text/csv")

    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["row 3.price", "row 4.grade"]
    assert Listing.objects.count() == 0


def test_import_updates_an_existing_sku(key_client, variant):
    seller = SellerFactory()
    listing = make_listing(seller=seller.organisation, variant=variant, sku="UPD-1")
    client = client_for(key_client, seller)
    csv = CSV_HEADER + f"UPD-1,{variant.pk},excellent,fr,111.00,9,91,12,active\n"

    response = client.generic("POST", "/api/v1/seller/listings/import/", csv.encode(), content_type="text/csv")

    assert response.json()["updated"] == 1
    listing.refresh_from_db()
    assert (listing.price_amount, listing.stock) == (11100, 9)


def test_import_over_the_probation_cap_saves_nothing_and_says_how_many_fit(key_client, variant):
    seller = SellerFactory(in_probation=True)
    make_listing(seller=seller.organisation, variant=variant, sku="FIRST")
    client = client_for(key_client, seller)
    rows = [{**body(variant, sku=f"J-{n}"), "price": {"amount": 40000 + n, "currency": "EUR"}} for n in range(6)]

    response = client.post("/api/v1/seller/listings/import/", rows, format="json")

    assert response.status_code == 429
    assert response.json()["type"].endswith("probation-daily-cap")
    assert "4 more fit today, you tried 6" in response.json()["detail"]
    assert "(Europe/Paris time)" in response.json()["detail"]
    assert response.json()["slots_left_today"] == 4
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    assert Listing.objects.filter(seller=seller.organisation).count() == 1


def test_json_import_rows_are_validated_by_row(key_client, variant):
    client = client_for(key_client, SellerFactory())

    response = client.post(
        "/api/v1/seller/listings/import/", [body(variant), {**body(variant, sku="X"), "stock": -1}], format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "row 2.stock"
    assert Listing.objects.count() == 0
