"""Schemathesis over EVERY operation of the OpenAPI schema, with a seller key and with a partner key:
no server error and every response as the schema describes it (status, headers, body), for generated
inputs (a fixed seed, bounded examples), then the stateful phase chaining operations through the
schema's links (a created resource read, changed, deleted). The per-app tests fuzz their own
operations harder; this one proves the whole schema tells the truth."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from marketplace.models import OrganisationKind, Scope
from marketplace.wsgi import application
from partners import destinations
from tests.factories import OrganisationFactory, api_key_for
from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEED = 14
EXAMPLES = 4  # per operation and key: 78 operations x 2 keys stay within about two minutes
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def keys(monkeypatch) -> dict[str, dict[str, str]]:
    # Generated webhook URLs name hosts at random: answer them from a stand-in DNS, never the network.
    monkeypatch.setattr(destinations, "resolve_host", lambda host, port: ["93.184.215.14"])
    listing = make_listing(variant=VariantFactory(product=ProductFactory(slug="iphone-13", name="iPhone 13")))
    partner = OrganisationFactory(kind=OrganisationKind.PARTNER)
    assert listing.seller.kind == OrganisationKind.SELLER
    return {
        "seller": {"Authorization": f"Bearer {api_key_for(listing.seller, list(Scope.values))[1]}"},
        "partner": {"Authorization": f"Bearer {api_key_for(partner, list(Scope.values))[1]}"},
    }


def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


def _failure(label: str, who: str, case, error: Exception) -> str:
    return f"{who} {label} {case.path_parameters} {case.query}: {str(error)[:600]}"


def _fuzz(operation, who: str, headers: dict[str, str], failures: list[str]) -> None:
    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def run(case):
        case.validate_response(case.call(headers=headers), checks=CHECKS)

    try:
        run()
    except BaseException as error:  # schemathesis raises a BaseExceptionGroup; collected, reported at once
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        failures.append(f"{who} {operation.label}: {str(error)[:600]}")


def test_every_operation_with_a_seller_key_and_a_partner_key(keys):
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 70  # the whole schema, not a part of it
    failures: list[str] = []
    for operation in operations:
        for who, headers in keys.items():
            _fuzz(operation, who, headers, failures)
    assert failures == [], "\n\n".join(failures[:40]) + f"\n\n{len(failures)} failures"


def _machine(schema, who: str, headers: dict[str, str], failures: list[str]):
    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(response, checks=CHECKS)
            except BaseException as error:  # each failing step is collected, then reported at once
                if isinstance(error, KeyboardInterrupt | SystemExit):
                    raise
                failures.append(_failure(case.operation.label, who, case, error))

    return Machine


def test_the_stateful_phase_chains_operations_through_the_schema_links(keys):
    schema = _schema()
    failures: list[str] = []
    for who, headers in keys.items():
        machine = _machine(schema, who, headers, failures)

        machine.run(
            settings=settings(
                max_examples=15,
                stateful_step_count=4,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,
            )
        )
    assert failures == [], "\n\n".join(failures[:40]) + f"\n\n{len(failures)} failures"
