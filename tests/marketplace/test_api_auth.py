"""API keys: none 401, wrong scope 403, revoked 401, foreign object 404; problem details everywhere."""

import pytest

from marketplace.actors import Actor
from marketplace.models import ApiKey
from marketplace.services import api_key_revoke
from tests.factories import api_key_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.marketplace.urls")]

PROBLEM = "application/problem+json"


def test_no_key_is_401_problem(api_client):
    response = api_client.get("/api/v1/test/keys/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/not-authenticated")
    assert set(body) == {"type", "title", "status", "detail", "errors"}


def test_unknown_key_is_401(api_client):
    response = api_client.get("/api/v1/test/keys/", HTTP_AUTHORIZATION="Bearer enc_000000000000_nope")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked API key."


def test_malformed_authorization_is_401(api_client):
    response = api_client.get("/api/v1/test/keys/", HTTP_AUTHORIZATION="Basic dXNlcjpwdw==")

    assert response.status_code == 401


def test_key_without_the_scope_is_403(seller_org, key_client):
    client = key_client(seller_org, ["catalog:read"])

    response = client.get("/api/v1/test/keys/")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "This API key lacks the scope 'orders:read'."


def test_key_with_the_scope_lists_only_its_organisations_rows(seller_org, other_seller_org, key_client):
    api_key_for(other_seller_org, ["orders:read"])
    client = key_client(seller_org, ["orders:read"])

    response = client.get("/api/v1/test/keys/")

    assert response.status_code == 200
    prefixes = [row["prefix"] for row in response.json()["results"]]
    assert prefixes == list(ApiKey.objects.filter(organisation=seller_org).values_list("prefix", flat=True))
    assert len(prefixes) == 1


def test_foreign_object_is_404_like_a_missing_one(seller_org, other_seller_org, key_client):
    foreign, _ = api_key_for(other_seller_org, ["orders:read"])
    client = key_client(seller_org, ["orders:read"])

    foreign_response = client.get(f"/api/v1/test/keys/{foreign.pk}/")
    missing_response = client.get("/api/v1/test/keys/999999/")

    assert foreign_response.status_code == 404
    assert foreign_response.json() == missing_response.json()
    assert foreign_response["Content-Type"] == PROBLEM


def test_partner_key_on_a_seller_endpoint_is_403(partner_org, key_client):
    client = key_client(partner_org, ["orders:read"])

    response = client.get("/api/v1/test/keys/")

    assert response.status_code == 403


def test_revoked_key_is_401(seller_org, api_client):
    api_key, raw = api_key_for(seller_org, ["orders:read"])
    api_key_revoke(api_key=api_key, actor=Actor.system("tests"))

    response = api_client.get("/api/v1/test/keys/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401


def test_key_is_stored_hashed_and_last_use_recorded(seller_org, api_client):
    api_key, raw = api_key_for(seller_org, ["orders:read"])
    secret = raw.split("_", 2)[2]
    assert secret not in api_key.secret_hash
    assert api_key.last_used_at is None

    api_client.get("/api/v1/test/keys/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_session_member_may_use_seller_endpoints(seller_owner, api_client):
    api_client.force_login(seller_owner)

    response = api_client.get("/api/v1/test/keys/")

    assert response.status_code == 200


def test_session_user_without_a_seller_organisation_is_403(shopper, api_client):
    api_client.force_login(shopper)

    response = api_client.get("/api/v1/test/keys/")

    assert response.status_code == 403
