"""Schemathesis over the after-sales operations of the OpenAPI schema: no server error for any generated input."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from marketplace.wsgi import application
from tests.factories import OrganisationFactory, UserFactory, api_key_for
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, place
from tests.factories.warranty import delivered_units, open_claim

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OPERATIONS = [
    ("seller", "/seller/claims/", "GET"),
    ("seller", "/seller/claims/{id}/", "GET"),
    ("seller", "/seller/claims/{id}/respond/", "POST"),
    ("seller", "/seller/claims/{id}/messages/", "POST"),
    ("seller", "/seller/claims/{id}/unit-received/", "POST"),
    ("seller", "/seller/claims/{id}/resolve/", "POST"),
    ("seller", "/seller/returns/", "GET"),
    ("seller", "/seller/returns/{id}/", "GET"),
    ("seller", "/seller/returns/{id}/receive/", "POST"),
    ("partner", "/claims/", "GET"),
    ("partner", "/claims/", "POST"),
    ("partner", "/claims/{id}/", "GET"),
    ("partner", "/claims/{id}/messages/", "POST"),
    ("partner", "/claims/{id}/accept/", "POST"),
    ("partner", "/claims/{id}/dispute/", "POST"),
    ("partner", "/claims/{id}/label/", "GET"),
    ("partner", "/orders/{id}/returns/", "POST"),
    ("partner", "/returns/{id}/", "GET"),
    ("partner", "/returns/{id}/label/", "GET"),
]


def _fuzz(operation, headers: dict[str, str], failures: list) -> None:
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((case.method, case.path, case.path_parameters, case.body, response.status_code))

    run()


def test_after_sales_api_never_answers_with_a_server_error(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    shopper = UserFactory()
    warranty = delivered_units(shopper)[0]
    open_claim(warranty)
    partner = OrganisationFactory(kind="partner")
    seller_order = place((make_listing(stock=2), 2), partner=partner).seller_orders.get()
    delivered(seller_order)
    keys = {
        "seller": api_key_for(warranty.seller, ["claims:write"])[1],
        "partner": api_key_for(partner, ["claims:write", "orders:write"])[1],
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    failures = []
    for kind, path, method in OPERATIONS:
        operation = schema[f"/api/v1{path}"][method]
        _fuzz(operation, {"Authorization": f"Bearer {keys[kind]}"}, failures)
    assert failures == []
