"""Schemathesis against the order endpoints of the OpenAPI schema: no server error for any generated input."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from marketplace.wsgi import application
from tests.factories import OrganisationFactory, api_key_for
from tests.factories.catalog import make_listing
from tests.factories.orders import paid
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OPERATIONS = [
    ("seller", "/seller/orders/", "GET"),
    ("seller", "/seller/orders/{id}/", "GET"),
    ("seller", "/seller/orders/{id}/accept/", "POST"),
    ("seller", "/seller/orders/{id}/ship/", "POST"),
    ("seller", "/seller/orders/{id}/deliver/", "POST"),
    ("partner", "/orders/", "POST"),
    ("partner", "/orders/{id}/", "GET"),
]


def _fuzz(operation, headers: dict[str, str], failures: list) -> None:
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((case.method, case.path, case.path_parameters, case.body, response.status_code))

    run()


def test_order_api_never_answers_with_a_server_error():
    seller = SellerFactory().organisation
    paid((make_listing(seller=seller, stock=50), 1))
    keys = {
        "seller": api_key_for(seller, ["orders:read", "orders:write"])[1],
        "partner": api_key_for(OrganisationFactory(kind="partner"), ["orders:read", "orders:write"])[1],
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    failures = []
    for kind, path, method in OPERATIONS:
        operation = schema[f"/api/v1{path}"][method]
        _fuzz(operation, {"Authorization": f"Bearer {keys[kind]}"}, failures)
    assert failures == []
