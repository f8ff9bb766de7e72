"""Schemathesis against the webhook and partner-order operations of the OpenAPI schema: no server error
for any generated input, with a partner key and with a seller key."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from marketplace.models import OrganisationKind
from marketplace.wsgi import application
from partners import destinations
from partners.services.endpoints import webhook_endpoint_create
from partners.services.relay import events_relay
from tests.factories import OrganisationFactory, api_key_for
from tests.partners.conftest import SYSTEM, emit_committed

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OPERATIONS = [
    ("/webhook-endpoints/", "GET"),
    ("/webhook-endpoints/", "POST"),
    ("/webhook-endpoints/{id}/", "GET"),
    ("/webhook-endpoints/{id}/", "PATCH"),
    ("/webhook-endpoints/{id}/", "DELETE"),
    ("/webhook-endpoints/{id}/rotate-secret/", "POST"),
    ("/webhook-endpoints/{id}/ping/", "POST"),
    ("/webhook-endpoints/{id}/deliveries/", "GET"),
    ("/webhook-deliveries/{id}/redeliver/", "POST"),
    ("/orders/", "GET"),
]


def _fuzz(operation, headers: dict[str, str], failures: list) -> None:
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((case.method, case.path, case.path_parameters, case.body, response.status_code))

    run()


def test_webhook_and_partner_order_operations_never_answer_with_a_server_error(monkeypatch):
    # Generated URLs name hosts at random: answer them from a stand-in DNS, never the network.
    monkeypatch.setattr(destinations, "resolve_host", lambda host, port: ["93.184.215.14"])
    partner = OrganisationFactory(kind=OrganisationKind.PARTNER)
    seller = OrganisationFactory(kind=OrganisationKind.SELLER)
    for organisation in (partner, seller):
        webhook_endpoint_create(organisation=organisation, url="http://127.0.0.1:9/hook", events=["*"], actor=SYSTEM)
        emit_committed("order.paid", {"order": "E1"}, organisation)
    events_relay()
    keys = [
        api_key_for(partner, ["webhooks:write", "orders:read"])[1],
        api_key_for(seller, ["webhooks:write"])[1],
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    failures: list = []
    for path, method in OPERATIONS:
        operation = schema[f"/api/v1{path}"][method]
        for key in keys:
            _fuzz(operation, {"Authorization": f"Bearer {key}"}, failures)

    assert failures == []
