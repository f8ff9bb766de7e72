"""The webhook API (API.md paths) for partner and seller keys, and the partner's order list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import OrganisationKind
from orders.models import Order
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.states import DeliveryStatus
from tests.factories import OrganisationFactory
from tests.partners.conftest import deliver_all, emit_committed
from tests.partners.test_backoffice import partner_order

pytestmark = pytest.mark.django_db

HOOKS = "webhooks:write"


def test_create_answers_the_secret_once_and_reads_never_show_it(key_client, partner_org):
    client = key_client(partner_org, [HOOKS])

    created = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:9/hook", "events": ["order.paid", "order.shipped"], "description": "ERP"},
        format="json",
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 40
    assert body["events"] == ["order.paid", "order.shipped"]
    assert body["enabled"] is True
    assert body["disabled_reason"] is None
    listed = client.get("/api/v1/webhook-endpoints/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert listed["next"] is None
    detail = client.get(f"/api/v1/webhook-endpoints/{body['id']}/").json()
    assert "secret" not in detail
    assert "secret" not in listed["results"][0]


def test_validation_and_business_refusals_are_problems(key_client, partner_org, settings):
    client = key_client(partner_org, [HOOKS])

    bad_type = client.post("/api/v1/webhook-endpoints/", {"url": "http://127.0.0.1:9/", "events": ["nope"]})
    star_and_more = client.post(
        "/api/v1/webhook-endpoints/", {"url": "http://127.0.0.1:9/", "events": ["*", "order.paid"]}, format="json"
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    private = client.post(
        "/api/v1/webhook-endpoints/", {"url": "https://10.0.0.1/hook", "events": ["*"]}, format="json"
    )

    assert bad_type.status_code == 400
    assert bad_type["Content-Type"] == "application/problem+json"
    assert star_and_more.status_code == 400
    assert private.status_code == 422
    assert private.json()["type"].endswith("/webhook-url-not-allowed")
    assert private.json()["errors"][0]["field"] == "url"


def test_patch_rotate_ping_deliveries_redeliver_delete(key_client, partner_org, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    client = key_client(partner_org, [HOOKS])
    endpoint_id = client.post(
        "/api/v1/webhook-endpoints/", {"url": httpserver.url_for("/hook"), "events": ["*"]}, format="json"
    ).json()["id"]

    patched = client.patch(f"/api/v1/webhook-endpoints/{endpoint_id}/", {"events": ["order.paid"]}, format="json")
    assert patched.status_code == 200
    assert patched.json()["events"] == ["order.paid"]

    rotated = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret_rotated_until"]

    ping = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/ping/")
    assert ping.status_code == 202
    assert ping.json()["type"] == "ping"
    assert ping.json()["status"] == "pending"
    deliver_all()
    deliveries = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries/?status=succeeded").json()
    (delivery,) = deliveries["results"]
    assert delivery["event"].startswith("evt_")
    assert delivery["type"] == "ping"
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] == 200
    assert attempt["response_body"] == "ok"
    assert attempt["number"] == 1
    assert client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries/?status=failed").json()["results"] == []
    assert client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries/?status=nope").status_code == 400

    redelivered = client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver/")
    assert redelivered.status_code == 202
    assert redelivered.json()["status"] == "pending"
    deliver_all()
    assert [
        a["trigger"]
        for a in client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries/").json()["results"][0]["attempts"]
    ] == ["manual", "manual"]

    assert client.delete(f"/api/v1/webhook-endpoints/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_redelivering_to_a_disabled_endpoint_is_a_conflict(key_client, partner_org, make_endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    (delivery,) = deliver_all()
    client = key_client(partner_org, [HOOKS])
    client.patch(f"/api/v1/webhook-endpoints/{endpoint.pk}/", {"enabled": False}, format="json")

    response = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")

    assert response.status_code == 409
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED  # disabling failed the open delivery


def test_another_organisations_endpoints_and_deliveries_are_404_and_untouched(
    key_client, partner_org, make_endpoint, httpserver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    (delivery,) = deliver_all()
    intruder = key_client(OrganisationFactory(kind=OrganisationKind.PARTNER), [HOOKS])
    seller = key_client(OrganisationFactory(kind=OrganisationKind.SELLER), [HOOKS])

    for client in (intruder, seller):
        assert client.get("/api/v1/webhook-endpoints/").json()["results"] == []
        for method, path in (
            ("get", f"/api/v1/webhook-endpoints/{endpoint.pk}/"),
            ("patch", f"/api/v1/webhook-endpoints/{endpoint.pk}/"),
            ("delete", f"/api/v1/webhook-endpoints/{endpoint.pk}/"),
            ("post", f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret/"),
            ("post", f"/api/v1/webhook-endpoints/{endpoint.pk}/ping/"),
            ("get", f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/"),
            ("post", f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/"),
        ):
            assert getattr(client, method)(path, {"enabled": False}, format="json").status_code == 404, path
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED
    assert WebhookDelivery.objects.count() == 1  # no ping was sent


def test_scopes_and_authentication(key_client, partner_org, api_client):
    assert api_client.get("/api/v1/webhook-endpoints/").status_code == 401
    without = key_client(partner_org, ["orders:read"])
    assert without.get("/api/v1/webhook-endpoints/").status_code == 403
    assert without.post("/api/v1/webhook-endpoints/", {}, format="json").status_code == 403


def test_a_seller_key_manages_its_own_endpoints(key_client, seller_org):
    client = key_client(seller_org, [HOOKS])

    response = client.post(
        "/api/v1/webhook-endpoints/", {"url": "http://127.0.0.1:9/", "events": ["listing.paused"]}, format="json"
    )

    assert response.status_code == 201
    assert WebhookEndpoint.objects.get().organisation == seller_org


def test_creating_twice_with_one_idempotency_key_creates_one_endpoint(key_client, partner_org):
    client = key_client(partner_org, [HOOKS])
    body = {"url": "http://127.0.0.1:9/hook", "events": ["*"]}

    first = client.post("/api/v1/webhook-endpoints/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    second = client.post("/api/v1/webhook-endpoints/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")

    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1


def test_the_partner_lists_its_own_orders_by_status_and_time(key_client, partner_org):
    mine = partner_order(partner_org, reference="MINE-1")
    older = partner_order(partner_org, reference="MINE-OLD")
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=10))
    partner_order(OrganisationFactory(kind=OrganisationKind.PARTNER), reference="THEIRS")
    client = key_client(partner_org, ["orders:read"])

    everything = client.get("/api/v1/orders/").json()
    recent = client.get(
        "/api/v1/orders/", {"created_after": (timezone.now() - timedelta(days=1)).isoformat(), "status": "paid"}
    ).json()

    assert sorted(o["reference"] for o in everything["results"]) == ["MINE-1", "MINE-OLD"]
    assert [o["id"] for o in recent["results"]] == [mine.pk]
    assert client.get("/api/v1/orders/", {"status": "shipped"}).status_code == 400
    assert client.get("/api/v1/orders/", {"created_after": "yesterday"}).status_code == 400
    assert client.get("/api/v1/orders/", {"created_after": "2026-13-40T00:00:00"}).status_code == 400
    # Offsets PostgreSQL would refuse (beyond 15:59), at the edges of the calendar: compared in UTC.
    assert client.get("/api/v1/orders/", {"created_after": "0020-08-26T10:29:06+23:02"}).status_code == 200
    assert client.get("/api/v1/orders/", {"created_after": "0001-01-01T00:00:00+14:00"}).status_code == 200
