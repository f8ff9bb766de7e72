"""Schemathesis over `GET /api/v1/seller/performance/`: no server error, and every answer as the schema says."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from marketplace.actors import Actor
from marketplace.wsgi import application
from sellers.services.performance import sellers_score
from tests.factories import UserFactory, api_key_for
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import delivered_units, open_claim

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance]


def test_the_performance_operation_conforms_to_its_schema():
    scored = SellerFactory()
    for warranty in delivered_units(UserFactory(), quantity=25, seller=scored.organisation)[:2]:
        open_claim(warranty)
    sellers_score(actor=Actor.system("tests"))
    keys = {
        "scored": api_key_for(scored.organisation, ["listings:write"])[1],
        "new": api_key_for(SellerFactory().organisation, ["listings:write"])[1],
        "no scope": api_key_for(scored.organisation, ["catalog:read"])[1],
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    operation = schema["/api/v1/seller/performance/"]["GET"]
    statuses: dict[str, set[int]] = {}

    for name, key in keys.items():
        _fuzz(operation, key, statuses.setdefault(name, set()))

    assert statuses == {"scored": {200}, "new": {200}, "no scope": {403}}


def _fuzz(operation, key: str, seen: set[int]) -> None:
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        case.validate_response(response, checks=CHECKS)
        seen.add(response.status_code)

    run()
