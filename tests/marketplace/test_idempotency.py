"""Idempotency-Key with Stripe's semantics: replay, 422 on another body, 409 while running, per organisation."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import IdempotencyKey
from marketplace.services import idempotency_keys_purge_expired
from tests.factories import OrganisationFactory, api_key_for
from tests.marketplace import urls as test_urls

pytestmark = pytest.mark.urls("tests.marketplace.urls")

BODY = {"name": "phone", "quantity": 2}


@pytest.fixture(autouse=True)
def _reset_calls():
    test_urls.CALLS["count"] = 0
    test_urls.HOLD.update(event=None, entered=None)


def _post(client, body, key="key-1"):
    return client.post("/api/v1/test/echo/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_retry_with_the_same_body_replays_the_first_response(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])

    first = _post(client, BODY)
    second = _post(client, {"quantity": 2, "name": "phone"})  # same JSON, other key order

    assert first.status_code == second.status_code == 201
    assert second.content == first.content  # byte for byte, key order included
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert test_urls.CALLS["count"] == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])
    _post(client, BODY)

    response = _post(client, {**BODY, "quantity": 3})

    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert test_urls.CALLS["count"] == 1


@pytest.mark.django_db
def test_errors_below_500_are_replayed_too(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])

    first = _post(client, {"name": "x" * 30, "quantity": 1})
    second = _post(client, {"name": "x" * 30, "quantity": 1})

    assert first.status_code == second.status_code == 400
    assert second.content == first.content
    assert second["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_keys_are_scoped_per_organisation(partner_org, key_client):
    other = OrganisationFactory(kind="partner")
    first = _post(key_client(partner_org, ["orders:write"]), BODY)
    second = _post(key_client(other, ["orders:write"]), BODY)

    assert first.status_code == second.status_code == 201
    assert first.json()["n"] == 1
    assert second.json()["n"] == 2
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
def test_two_keys_of_one_organisation_share_its_idempotency_keys(partner_org, key_client):
    first = _post(key_client(partner_org, ["orders:write"]), BODY)
    second = _post(key_client(partner_org, ["orders:write"]), BODY)

    assert second.json() == first.json()
    assert test_urls.CALLS["count"] == 1


@pytest.mark.django_db
def test_a_key_longer_than_255_is_400(partner_org, key_client):
    response = _post(key_client(partner_org, ["orders:write"]), BODY, key="k" * 256)

    assert response.status_code == 400
    assert response.json()["type"].endswith("/idempotency-key-invalid")


@pytest.mark.django_db
def test_without_a_key_every_post_runs(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])

    client.post("/api/v1/test/echo/", BODY, format="json")
    client.post("/api/v1/test/echo/", BODY, format="json")

    assert test_urls.CALLS["count"] == 2


@pytest.mark.django_db
def test_an_expired_key_runs_again_and_is_purged(partner_org, key_client):
    client = key_client(partner_org, ["orders:write"])
    _post(client, BODY)
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    again = _post(client, BODY)

    assert again.status_code == 201
    assert again.json()["n"] == 2
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_keys_purge_expired() == 1
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_retry_while_the_first_runs_is_409(partner_org):
    _, raw = api_key_for(partner_org, ["orders:write"])
    test_urls.HOLD.update(event=threading.Event(), entered=threading.Event())
    results = {}

    def first_request():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        results["first"] = _post(client, BODY)
        connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert test_urls.HOLD["entered"].wait(10), "first request never reached its handler"

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    second = _post(client, BODY)
    test_urls.HOLD["event"].set()
    thread.join(10)

    assert second.status_code == 409
    assert second.json()["type"].endswith("/idempotency-key-in-use")
    assert second["Retry-After"] == "1"
    assert results["first"].status_code == 201
    test_urls.HOLD.update(event=None, entered=None)
    third = _post(client, BODY)
    assert third.json() == results["first"].json()
    assert test_urls.CALLS["count"] == 1


@pytest.mark.django_db
def test_a_key_whose_first_request_died_is_usable_again_after_60_seconds(partner_org, key_client):
    """The first request's process was killed mid-way: its row stays in progress, with no answer."""
    client = key_client(partner_org, ["orders:write"])
    _post(client, BODY)
    row = IdempotencyKey.objects.get()
    IdempotencyKey.objects.filter(pk=row.pk).update(
        state=IdempotencyKey.State.IN_PROGRESS, response_status=None, response_text="", created_at=timezone.now()
    )

    assert _post(client, BODY).status_code == 409  # it may still be running: wait
    IdempotencyKey.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(seconds=59))
    assert _post(client, BODY).status_code == 409
    assert _post(client, {**BODY, "quantity": 5}).status_code == 422  # another body never takes it over

    IdempotencyKey.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    retried = _post(client, BODY)

    assert retried.status_code == 201
    assert test_urls.CALLS["count"] == 2  # the dead one, and this retry
    replay = _post(client, BODY)
    assert replay.content == retried.content
    assert replay["Idempotent-Replayed"] == "true"
