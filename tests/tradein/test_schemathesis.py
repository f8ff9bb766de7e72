"""Schemathesis against the trade-in operations of the OpenAPI schema (the partner's trade-in API with a
partner key, the seller lots API with a seller key): for any generated input, never a server error,
and every documented answer matches its schema.

Repeatable: a fixed seed and bounded examples. So that the operations are reached and not only their
404s and 400s, path ids are drawn from real objects (the caller's in the right state, another
organisation's, missing ones) and about half the bodies are a valid one with the generated fields
mixed in; each operation must answer 2xx at least once.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from marketplace.wsgi import application
from tests.factories import OrganisationFactory, api_key_for
from tests.factories.sellers import SellerFactory
from tests.factories.tradein import FAIR, LIKE_NEW, SYSTEM, accepted, inspected, priced_variant, quote, wiped
from tradein.services.lots import lot_create

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance]
MISSING = [0, 2**31 - 1]
CUSTOMER = {
    "full_name": "Chloé Client",
    "email": "chloe@example.test",
    "address_line": "3 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "fr",
}


def _case_with(case, pk: int | None, body: dict | None):
    if pk is not None:
        case.path_parameters = {**(case.path_parameters or {}), "id": pk}
    if body is not None:
        generated = case.body if isinstance(case.body, dict) else {}
        case.body = {**generated, **body}  # unknown generated fields ride along: they must be ignored
    return case


def _fuzz(operation, *, headers, ids, body, failures, statuses) -> None:
    strategy = st.tuples(
        operation.as_strategy(),
        st.sampled_from(ids) if ids else st.none(),
        st.one_of(st.none(), st.just(body)) if body is not None else st.none(),
    ).map(lambda parts: _case_with(*parts))

    @seed(20261129)
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        statuses[(case.method, case.path)][response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup; collect, fail once
            failures.append((case.method, case.formatted_path, case.body, response.status_code, str(error)[:600]))

    run()


def test_trade_in_api_never_answers_with_a_server_error_and_matches_its_schema():
    partner = OrganisationFactory(kind="partner")
    other_partner = OrganisationFactory(kind="partner")
    seller = SellerFactory().organisation
    variant = priced_variant(storage_gb=128)
    quotes = [quote(variant=variant, partner=partner) for _ in range(3)]
    with_label = accepted(variant=variant, partner=partner, method="partner_credit")
    countered = [inspected(variant=variant, partner=partner, method="partner_credit", actual=FAIR, n=n) for n in (1, 2)]
    certified = wiped(inspected(variant=variant, partner=partner, method="partner_credit", n=3))
    foreign = [quote(variant=variant, partner=other_partner).pk, quote(variant=variant).pk]
    for_sale = wiped(inspected(variant=variant, partner=partner, method="partner_credit", n=4))
    lot = lot_create(
        actor=SYSTEM, product=variant.product, condition="like_new", currency="EUR", tradein_ids=[for_sale.pk]
    )
    keys = {
        "partner": {"Authorization": f"Bearer {api_key_for(partner, ['tradein:write'])[1]}"},
        "seller": {"Authorization": f"Bearer {api_key_for(seller, ['listings:write'])[1]}"},
    }
    valid_quote = {"product": variant.product.slug, "variant": variant.pk, "market": "fr", "answers": LIKE_NEW}
    valid_accept = {"customer": CUSTOMER, "payout": {"method": "partner_credit"}}
    # (key, path, method, ids for {id}, a valid body)
    operations = [
        ("partner", "/tradein/questionnaire/", "GET", None, None),
        ("partner", "/tradein/quotes/", "POST", None, valid_quote),
        ("partner", "/tradein/quotes/{id}/accept/", "POST", [q.pk for q in quotes] + foreign + MISSING, valid_accept),
        ("partner", "/tradeins/", "GET", None, None),
        ("partner", "/tradeins/{id}/", "GET", [with_label.pk, certified.pk, *foreign, *MISSING], None),
        ("partner", "/tradeins/{id}/label/", "GET", [with_label.pk, quotes[0].pk, *foreign, *MISSING], None),
        ("partner", "/tradeins/{id}/certificate/", "GET", [certified.pk, with_label.pk, *foreign, *MISSING], None),
        ("partner", "/tradeins/{id}/counter-offer/accept/", "POST", [countered[0].pk, *foreign, *MISSING], None),
        ("partner", "/tradeins/{id}/counter-offer/decline/", "POST", [countered[1].pk, *foreign, *MISSING], None),
        ("seller", "/seller/tradein-lots/", "GET", None, None),
        ("seller", "/seller/tradein-lots/{id}/bids/", "POST", [lot.pk, *MISSING], {"price": {"amount": 0}}),
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    failures: list = []
    statuses: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for kind, path, method, ids, body in operations:
        if body is not None and "price" in body:
            body = {"price": {"amount": 1000, "currency": "EUR"}}
        _fuzz(
            schema[f"/api/v1{path}"][method],
            headers=keys[kind],
            ids=ids,
            body=body,
            failures=failures,
            statuses=statuses,
        )
    assert failures == []
    unreached = [operation for operation, seen in statuses.items() if not any(200 <= status < 300 for status in seen)]
    assert unreached == [], dict(statuses)
