"""Schemathesis against the catalog part of the OpenAPI schema: no server error for any generated input."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from marketplace.wsgi import application
from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CATALOG_PATHS = ("/categories/", "/grades/", "/products/", "/products/{slug}/", "/products/{slug}/offers/", "/markets/")


def test_catalog_api_never_answers_with_a_server_error():
    make_listing(variant=VariantFactory(product=ProductFactory(slug="iphone-13", name="iPhone 13")))
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    failures = []
    for path in CATALOG_PATHS:
        operation = schema[f"/api/v1{path}"]["GET"]

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append((case.path, case.query, response.status_code))
            case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

        run()
    assert failures == []
