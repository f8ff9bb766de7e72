"""RFC 9457 problem details for 400/401/403/404/405/429 and no HTML under /api/."""

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.marketplace.urls")]

PROBLEM = "application/problem+json"


def test_validation_error_names_the_fields(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])

    response = client.post("/api/v1/test/echo/", {"name": "x" * 30, "quantity": 0}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/validation-error")
    assert sorted(e["field"] for e in body["errors"]) == ["name", "quantity"]


def test_malformed_json_is_400_not_500(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])

    response = client.generic("POST", "/api/v1/test/echo/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/malformed-request")


def test_application_error_becomes_a_problem_with_its_code(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])

    response = client.post("/api/v1/test/echo/", {"name": "refuse", "quantity": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["type"].endswith("/out-of-stock")
    assert response.json()["detail"] == "Only 0 left."


def test_method_not_allowed_is_405_problem(api_client):
    response = api_client.delete("/api/v1/markets/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/method-not-allowed")


def test_unknown_api_url_is_a_json_404_not_html(api_client):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "No endpoint at /api/v1/no-such-thing/."


def test_a_crash_under_api_is_a_json_500(api_client):
    api_client.raise_request_exception = False

    response = api_client.get("/api/v1/test/crash/")

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/server-error")


def test_throttled_is_429_with_retry_after(partner_org, key_client, settings):
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "3/min", "anonymous": "3/min"}}
    client = key_client(partner_org, ["catalog:read"])
    with override_settings(REST_FRAMEWORK=rest):
        statuses = [client.get("/api/v1/markets/").status_code for _ in range(4)]
        response = client.get("/api/v1/markets/")

    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["type"].endswith("/throttled")


def test_throttle_budget_is_per_key(partner_org, key_client, settings):
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "2/min", "anonymous": "2/min"}}
    first, second = key_client(partner_org, ["catalog:read"]), key_client(partner_org, ["catalog:read"])
    with override_settings(REST_FRAMEWORK=rest):
        first_statuses = [first.get("/api/v1/markets/").status_code for _ in range(3)]
        second_status = second.get("/api/v1/markets/").status_code

    assert first_statuses == [200, 200, 429]
    assert second_status == 200


def test_problem_type_uri_describes_the_problem(api_client):
    response = api_client.get("/api/v1/problems/probation-daily-cap")

    assert response.status_code == 200
    assert response.json()["status"] == 429
