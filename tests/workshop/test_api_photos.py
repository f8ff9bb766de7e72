"""A unit's photos through the seller API: listed in the unit's detail (each with the work entry it belongs
to and a URL), their bytes at `GET /api/v1/seller/units/{id}/photos/{photo_id}/` with the unit's key and
scope, another seller's unit or photo a 404, and a detail whose query count does not grow with them."""

from __future__ import annotations

import pytest

from tests.factories.sellers import SellerFactory
from tests.factories.warranty import jpeg, png
from tests.factories.workshop import SYSTEM, received_unit
from workshop.models import UnitPhoto
from workshop.services.work import unit_diagnose, unit_repair

pytestmark = pytest.mark.django_db
BASE = "/api/v1/seller/units/"


@pytest.fixture
def api(key_client, seller_org):
    return key_client(seller_org, ["listings:write"])


def _photographed(seller, *, n: int = 1, photos: int = 1):
    """A unit diagnosed with `photos` JPEGs."""
    unit = received_unit(seller, n=n)
    unit_diagnose(unit=unit, actor=SYSTEM, findings="Cracked screen", photos=[jpeg() for _ in range(photos)])
    return unit


def test_the_unit_detail_lists_its_photos_with_their_work_entry_and_url(api, seller_org):
    unit = _photographed(seller_org)
    unit_repair(unit=unit, actor=SYSTEM, findings="Screen replaced", photos=[png()])
    diagnosis, repair = unit.work.order_by("created_at", "pk")
    first, second = UnitPhoto.objects.filter(unit=unit).order_by("created_at", "pk")

    body = api.get(f"{BASE}{unit.pk}/").json()

    assert body["photos"] == [
        {
            "id": first.pk,
            "content_type": "image/jpeg",
            "size": first.size,
            "created_at": first.created_at.isoformat().replace("+00:00", "Z"),
            "work": diagnosis.pk,
            "work_kind": "diagnosis",
            "url": f"http://testserver{BASE}{unit.pk}/photos/{first.pk}/",
        },
        {
            "id": second.pk,
            "content_type": "image/png",
            "size": second.size,
            "created_at": second.created_at.isoformat().replace("+00:00", "Z"),
            "work": repair.pk,
            "work_kind": "repair",
            "url": f"http://testserver{BASE}{unit.pk}/photos/{second.pk}/",
        },
    ]
    assert first.size > 0
    # The list stays as it was: photos are the detail's.
    assert "photos" not in api.get(BASE).json()["results"][0]


def test_a_unit_without_photos_lists_none_and_a_patch_answers_with_the_photos(api, seller_org):
    bare = received_unit(seller_org, n=1)
    unit = _photographed(seller_org, n=2)

    assert api.get(f"{BASE}{bare.pk}/").json()["photos"] == []
    patched = api.patch(f"{BASE}{unit.pk}/", {"notes": "checked"}, format="json")
    assert patched.status_code == 200, patched.content
    assert [photo["id"] for photo in patched.json()["photos"]] == [unit.photos.get().pk]


def test_the_photo_url_answers_its_bytes_and_content_type_as_an_attachment(api, seller_org):
    unit = _photographed(seller_org)
    photo = unit.photos.get()
    url = api.get(f"{BASE}{unit.pk}/").json()["photos"][0]["url"]

    response = api.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'attachment; filename="unit-photo-{photo.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    photo.file.open("rb")
    with photo.file:
        assert b"".join(response.streaming_content) == photo.file.read()
    assert int(response["Content-Length"]) == photo.size


def test_a_client_asking_for_an_image_gets_it_and_a_problem_stays_json(api, seller_org):
    unit = _photographed(seller_org)
    photo = unit.photos.get()

    found = api.get(f"{BASE}{unit.pk}/photos/{photo.pk}/", HTTP_ACCEPT="image/*")
    missing = api.get(f"{BASE}{unit.pk}/photos/{photo.pk + 1000}/", HTTP_ACCEPT="image/jpeg")

    assert (found.status_code, found["Content-Type"]) == (200, "image/jpeg")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/problem+json")
    assert missing.json()["type"].endswith("/not-found")


def test_a_session_member_downloads_the_photo_too(client, seller_owner, seller_org):
    unit = _photographed(seller_org)
    photo = unit.photos.get()
    client.force_login(seller_owner)

    response = client.get(f"{BASE}{unit.pk}/photos/{photo.pk}/")

    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")


def test_another_sellers_unit_or_photo_is_a_404(api, key_client, seller_org):
    other = SellerFactory().organisation
    own = _photographed(seller_org, n=1)
    own_other = _photographed(seller_org, n=2)
    foreign = _photographed(other, n=3)
    own_photo, own_other_photo, foreign_photo = (unit.photos.get() for unit in (own, own_other, foreign))

    answers = {
        "foreign unit, its photo": api.get(f"{BASE}{foreign.pk}/photos/{foreign_photo.pk}/"),
        "own unit, a foreign photo": api.get(f"{BASE}{own.pk}/photos/{foreign_photo.pk}/"),
        "foreign unit, an own photo": api.get(f"{BASE}{foreign.pk}/photos/{own_photo.pk}/"),
        "own unit, another own unit's photo": api.get(f"{BASE}{own.pk}/photos/{own_other_photo.pk}/"),
        "missing photo": api.get(f"{BASE}{own.pk}/photos/{2**31 - 1}/"),
        "foreign detail": api.get(f"{BASE}{foreign.pk}/"),
    }

    assert {name: response.status_code for name, response in answers.items()} == dict.fromkeys(answers, 404)
    assert all(r["Content-Type"].startswith("application/problem+json") for r in answers.values())
    # The other seller reads its own photo with its own key.
    own_key = key_client(other, ["listings:write"])
    assert own_key.get(f"{BASE}{foreign.pk}/photos/{foreign_photo.pk}/").status_code == 200


def test_a_key_without_the_units_scope_is_403_and_no_key_401(key_client, client, seller_org):
    unit = _photographed(seller_org)
    url = f"{BASE}{unit.pk}/photos/{unit.photos.get().pk}/"

    refused = key_client(seller_org, ["orders:read", "catalog:read"]).get(url)
    anonymous = client.get(url)

    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/permission-denied")
    assert "listings:write" in refused.json()["detail"]
    assert anonymous.status_code == 401


def test_a_photo_whose_file_is_gone_is_a_404_not_a_server_error(api, seller_org):
    unit = _photographed(seller_org)
    photo = unit.photos.get()
    photo.file.storage.delete(photo.file.name)

    response = api.get(f"{BASE}{unit.pk}/photos/{photo.pk}/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_unit_detail_query_count_does_not_grow_with_its_photos(api, seller_org, django_assert_max_num_queries):
    few = _photographed(seller_org, n=1, photos=1)
    many = _photographed(seller_org, n=2, photos=5)
    unit_repair(unit=many, actor=SYSTEM, findings="Back glass", photos=[jpeg() for _ in range(5)])

    with django_assert_max_num_queries(12) as one_photo:
        assert len(api.get(f"{BASE}{few.pk}/").json()["photos"]) == 1
    with django_assert_max_num_queries(len(one_photo)):
        assert len(api.get(f"{BASE}{many.pk}/").json()["photos"]) == 10


def test_the_schema_documents_the_photos_and_their_download(api):
    schema = api.get("/api/v1/schema/?format=json").json()

    download = schema["paths"]["/api/v1/seller/units/{id}/photos/{photo_id}/"]["get"]
    assert download["responses"]["200"]["content"] == {"image/*": {"schema": {"type": "string", "format": "binary"}}}
    assert "404" in download["responses"]
    assert {p["name"]: p["schema"]["type"] for p in download["parameters"] if p["in"] == "path"} == {
        "id": "integer",
        "photo_id": "integer",
    }
    detail = schema["components"]["schemas"]["UnitDetail"]["properties"]["photos"]
    assert detail["items"] == {"$ref": "#/components/schemas/UnitPhoto"}
    photo = schema["components"]["schemas"]["UnitPhoto"]["properties"]
    assert set(photo) == {"id", "content_type", "size", "created_at", "work", "work_kind", "url"}
    assert photo["url"]["format"] == "uri"
