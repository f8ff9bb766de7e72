"""The units API as API.md writes it: list, create, get, patch, transition (409 naming the moves), the quality
check, the listing step (409 when not ready; the cap's 429), the import (CSV or JSON, all or nothing, row errors),
idempotent POSTs, another seller's unit a 404 everywhere."""

from __future__ import annotations

import pytest

from catalog.models import Listing
from orders.models import BlockedDevice
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.orders import imei
from tests.factories.sellers import SellerFactory
from tests.factories.workshop import all_passed, ready_unit, received_unit
from workshop.models import IdentifierFlag, Unit

pytestmark = pytest.mark.django_db
BASE = "/api/v1/seller/units/"


@pytest.fixture
def api(key_client, seller_org):
    return key_client(seller_org, ["listings:write"])


def test_take_a_unit_in_and_read_it_back(api, seller_org):
    variant = VariantFactory()

    created = api.post(
        BASE,
        {
            "identifier": imei(1),
            "variant": variant.pk,
            "source": "purchase",
            "cost": {"amount": 12000, "currency": "EUR"},
        },
        format="json",
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["identifier"], body["status"], body["source"], body["cost"]) == (
        imei(1),
        "received",
        "purchase",
        {"amount": 12000, "currency": "EUR"},
    )
    assert body["allowed_moves"] == ["diagnosed", "parts", "recycled"]
    detail = api.get(f"{BASE}{body['id']}/").json()
    assert detail["total_cost"] == {"amount": 12000, "currency": "EUR"}
    assert "powers_on" in [item["code"] for item in detail["check_items"]]
    listed = api.get(BASE, {"status": "received"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert listed["next"] is None


def test_refusals_are_problems_naming_the_field(api, seller_org):
    variant = VariantFactory()
    BlockedDevice.objects.create(identifier=imei(9))
    held = received_unit(seller_org, n=3)

    bad_luhn = api.post(BASE, {"identifier": "356938035643808", "variant": variant.pk}, format="json")
    blocked = api.post(BASE, {"identifier": imei(9), "variant": variant.pk}, format="json")
    duplicate = api.post(BASE, {"identifier": held.identifier, "variant": variant.pk}, format="json")
    currency = api.post(
        BASE, {"identifier": imei(10), "variant": variant.pk, "cost": {"amount": 1, "currency": "GBP"}}, format="json"
    )

    assert (bad_luhn.status_code, bad_luhn.json()["type"].rsplit("/", 1)[-1]) == (400, "invalid-device-identifier")
    assert bad_luhn["Content-Type"].startswith("application/problem+json")
    assert bad_luhn.json()["errors"][0]["field"] == "identifier"
    assert (blocked.status_code, blocked.json()["type"].rsplit("/", 1)[-1]) == (422, "device-blocklisted")
    assert (duplicate.status_code, duplicate.json()["type"].rsplit("/", 1)[-1]) == (422, "unit-already-held")
    assert (currency.status_code, currency.json()["errors"][0]["field"]) == (400, "cost")
    assert IdentifierFlag.objects.filter(reason="blocklisted").count() == 1


def test_another_sellers_identifier_answers_like_any_other(api, key_client, seller_org, other_seller_org):
    theirs = received_unit(other_seller_org, n=4)
    fresh = api.post(BASE, {"identifier": imei(5), "variant": theirs.variant_id}, format="json")

    taken = api.post(BASE, {"identifier": theirs.identifier, "variant": theirs.variant_id}, format="json")

    assert taken.status_code == fresh.status_code == 201
    assert set(taken.json()) == set(fresh.json())
    assert other_seller_org.name not in taken.content.decode()
    assert IdentifierFlag.objects.get().other_seller == other_seller_org


def test_another_sellers_unit_is_a_404_everywhere(api, other_seller_org):
    theirs = received_unit(other_seller_org)

    for method, path, body in [
        ("get", f"{BASE}{theirs.pk}/", None),
        ("patch", f"{BASE}{theirs.pk}/", {"notes": "x"}),
        ("post", f"{BASE}{theirs.pk}/transition/", {"to": "diagnosed"}),
        ("post", f"{BASE}{theirs.pk}/quality-check/", {}),
        ("post", f"{BASE}{theirs.pk}/listing/", {}),
    ]:
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 404, (method, path)
    assert Unit.objects.get(pk=theirs.pk).status == "received"
    assert api.get(BASE).json()["results"] == []


def test_patch_corrects_a_unit(api, seller_org):
    unit = received_unit(seller_org)

    response = api.patch(
        f"{BASE}{unit.pk}/", {"cost": {"amount": 9900, "currency": "EUR"}, "notes": "Box included"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["cost"]["amount"], response.json()["notes"]) == (9900, "Box included")


def test_a_transition_the_table_refuses_is_a_409_naming_the_allowed_moves(api, seller_org):
    unit = received_unit(seller_org)

    refused = api.post(f"{BASE}{unit.pk}/transition/", {"to": "ready", "note": ""}, format="json")
    moved = api.post(f"{BASE}{unit.pk}/transition/", {"to": "diagnosed", "note": "looked at it"}, format="json")

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("invalid-transition")
    assert refused.json()["allowed"] == ["diagnosed", "parts", "recycled"]
    assert "It can move to: Diagnosed, Parts, Recycled." in refused.json()["detail"]
    assert (moved.status_code, moved.json()["status"]) == (200, "diagnosed")


def test_a_quality_check_through_the_api(api, seller_org):
    unit = received_unit(seller_org)
    for to in ("diagnosed", "quality_check"):
        api.post(f"{BASE}{unit.pk}/transition/", {"to": to}, format="json")

    failed = api.post(
        f"{BASE}{unit.pk}/quality-check/",
        {
            "results": all_passed(unit, failing=("cameras",)),
            "screen": "flawless",
            "body": "flawless",
            "battery_health": 93,
        },
        format="json",
    )
    api.post(f"{BASE}{unit.pk}/transition/", {"to": "quality_check"}, format="json")
    passed = api.post(
        f"{BASE}{unit.pk}/quality-check/",
        {"results": all_passed(unit), "screen": "flawless", "body": "flawless", "battery_health": 93},
        format="json",
    )
    again = api.post(
        f"{BASE}{unit.pk}/quality-check/",
        {"results": all_passed(unit), "screen": "flawless", "body": "flawless", "battery_health": 93},
        format="json",
    )

    assert (failed.status_code, failed.json()["passed"], failed.json()["failed"]) == (201, False, ["cameras"])
    assert failed.json()["unit"]["status"] == "in_repair"
    assert (passed.json()["passed"], passed.json()["suggested_grade"], passed.json()["unit"]["status"]) == (
        True,
        "premium",
        "ready",
    )
    assert again.status_code == 409  # ready now: no longer in quality check


def test_a_quality_check_missing_items_is_a_400_naming_them(api, seller_org):
    unit = received_unit(seller_org)
    for to in ("diagnosed", "quality_check"):
        api.post(f"{BASE}{unit.pk}/transition/", {"to": to}, format="json")

    response = api.post(
        f"{BASE}{unit.pk}/quality-check/",
        {
            "results": {"powers_on": True, "teleport": True},
            "screen": "flawless",
            "body": "flawless",
            "battery_health": 9,
        },
        format="json",
    )

    assert response.status_code == 400
    messages = " ".join(error["message"] for error in response.json()["errors"])
    assert "data_wiped" in messages
    assert "teleport" in messages
    assert Unit.objects.get(pk=unit.pk).status == "quality_check"


def test_the_listing_step(api, seller_org):
    unit = ready_unit(seller_org)
    received = received_unit(seller_org, n=2)
    body = {"market": "fr", "grade": "excellent", "price": {"amount": 41900, "currency": "EUR"}, "warranty_months": 24}

    not_ready = api.post(f"{BASE}{received.pk}/listing/", {**body, "grade": "fair"}, format="json")
    too_high = api.post(f"{BASE}{unit.pk}/listing/", {**body, "grade": "premium"}, format="json")
    listed = api.post(f"{BASE}{unit.pk}/listing/", body, format="json", HTTP_IDEMPOTENCY_KEY="list-1")
    replay = api.post(f"{BASE}{unit.pk}/listing/", body, format="json", HTTP_IDEMPOTENCY_KEY="list-1")

    assert not_ready.status_code == 409
    assert not_ready.json()["allowed"] == ["diagnosed", "parts", "recycled"]
    assert (too_high.status_code, too_high.json()["type"].rsplit("/", 1)[-1]) == (422, "grade-above-suggestion")
    assert listed.status_code == 201
    assert (listed.json()["stock"], listed.json()["grade"], listed.json()["warranty_months"]) == (1, "excellent", 24)
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == listed.content
    assert Listing.objects.get(pk=listed.json()["id"]).stock == 1


def test_the_listing_step_answers_429_at_the_probation_cap(key_client):
    seller = SellerFactory(in_probation=True).organisation
    for n in range(5):
        make_listing(seller=seller, sku=f"CAP-{n}")
    unit = ready_unit(seller)

    response = key_client(seller, ["listings:write"]).post(
        f"{BASE}{unit.pk}/listing/",
        {"market": "fr", "grade": "good", "price": {"amount": 30000, "currency": "EUR"}},
        format="json",
    )

    assert response.status_code == 429
    assert response.json()["type"].endswith("probation-daily-cap")
    assert int(response["Retry-After"]) > 0
    assert Unit.objects.get(pk=unit.pk).status == "ready"


def test_a_key_without_the_scope_is_403(key_client, seller_org):
    assert key_client(seller_org, ["catalog:read"]).get(BASE).status_code == 403


# --- the import ------------------------------------------------------------------------------------------
def _csv(*rows: str) -> bytes:
    return ("identifier,variant,cost,source,notes\n" + "\n".join(rows) + "\n").encode()


def test_a_csv_import_takes_every_unit_in(api, seller_org):
    variant = VariantFactory()

    response = api.post(
        f"{BASE}import/",
        _csv(f"{imei(1)},{variant.pk},120.50,purchase,box", f"C02XK1ABJG5H,{variant.pk},,tradein,"),
        content_type="text/csv",
    )

    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    units = Unit.objects.filter(seller=seller_org).order_by("pk")
    assert [(u.identifier, u.purchase_amount, u.source) for u in units] == [
        (imei(1), 12050, "purchase"),
        ("C02XK1ABJG5H", 0, "tradein"),
    ]


def test_an_import_with_a_bad_row_saves_nothing_and_names_the_rows(api, seller_org, other_seller_org):
    variant = VariantFactory()
    held = received_unit(seller_org, n=7)
    BlockedDevice.objects.create(identifier=imei(8))

    response = api.post(
        f"{BASE}import/",
        _csv(
            f"{imei(1)},{variant.pk},10,purchase,",
            f"356938035643808,{variant.pk},10,purchase,",
            f"{held.identifier},{variant.pk},10,purchase,",
            f"{imei(8)},{variant.pk},10,purchase,",
            f"{imei(1)},999999,ten,gift,",
        ),
        content_type="text/csv",
    )

    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == [
        "row 3.identifier",
        "row 4.identifier",
        "row 5.identifier",
        "row 6.identifier",
        "row 6.variant",
        "row 6.source",
        "row 6.cost",
    ]
    assert Unit.objects.filter(seller=seller_org).count() == 1
    assert IdentifierFlag.objects.filter(identifier=imei(8), reason="blocklisted").exists()


def test_a_json_import(api, seller_org):
    variant = VariantFactory()

    good = api.post(
        f"{BASE}import/",
        [{"identifier": imei(1), "variant": variant.pk, "cost": {"amount": 5000, "currency": "EUR"}}],
        format="json",
    )
    bad = api.post(f"{BASE}import/", [{"identifier": imei(2)}, {"variant": "x"}], format="json")

    assert (good.status_code, good.json()["created"]) == (201, 1)
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"row 1.variant", "row 2.identifier", "row 2.variant"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "text/csv"),
        (b"\x00\x01\x02binary", "text/csv"),
        (b"identifier;variant\n", "text/csv"),
        (b"name,price\nx,1\n", "text/csv"),
        (b'"unterminated,1\n', "text/csv"),
        (b"{}", "application/json"),
        (b"[]", "application/json"),
    ],
)
def test_malformed_imports_are_400_never_500(api, body, content_type):
    response = api.post(f"{BASE}import/", body, content_type=content_type)

    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_schema_documents_every_units_operation(api):
    schema = api.get("/api/v1/schema/?format=json").json()

    paths = {path: set(ops) for path, ops in schema["paths"].items() if path.startswith("/api/v1/seller/units/")}
    assert paths == {
        "/api/v1/seller/units/": {"get", "post"},
        "/api/v1/seller/units/import/": {"post"},
        "/api/v1/seller/units/{id}/": {"get", "patch"},
        "/api/v1/seller/units/{id}/transition/": {"post"},
        "/api/v1/seller/units/{id}/quality-check/": {"post"},
        "/api/v1/seller/units/{id}/listing/": {"post"},
        "/api/v1/seller/units/{id}/photos/{photo_id}/": {"get"},
    }
