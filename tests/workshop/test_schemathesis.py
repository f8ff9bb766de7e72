"""Schemathesis over the units operations (`/api/v1/seller/units/...`) with a seller key: for any generated
input, never a server error, and every documented answer matches its schema.

Repeatable: a fixed seed and bounded examples. So that the operations are reached and not only their 404s
and 400s, path ids are drawn from real units (the caller's in the state the operation needs, another
seller's, missing ones; for a photo, a unit's id and a photo's together) and about half the bodies are a
valid one with the generated fields mixed in (they must be ignored); every operation must answer 2xx at
least once.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from marketplace.wsgi import application
from tests.factories import api_key_for
from tests.factories.catalog import VariantFactory
from tests.factories.orders import imei
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import jpeg
from tests.factories.workshop import SYSTEM, all_passed, ready_unit, received_unit
from workshop.services.units import unit_transition
from workshop.services.work import unit_diagnose

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance]
MISSING = [0, 2**31 - 1]


class Exact(dict):
    """A valid body sent as it is (a plain dict gets the generated fields mixed in)."""


def _case_with(case, pk: int | tuple[int, int] | None, body: dict | list | None):
    if isinstance(pk, tuple):
        case.path_parameters = {**(case.path_parameters or {}), "id": pk[0], "photo_id": pk[1]}
    elif pk is not None:
        case.path_parameters = {**(case.path_parameters or {}), "id": pk}
    if isinstance(body, list):
        case.media_type = "application/json"
        case.body = body
    elif isinstance(body, Exact):
        case.media_type = "application/json"
        case.body = dict(body)
    elif body is not None:
        generated = case.body if isinstance(case.body, dict) else {}
        case.body = {**generated, **body}
    return case


def _fuzz(operation, *, headers, ids, bodies, failures, statuses, answers=None) -> None:
    strategy = st.tuples(
        operation.as_strategy(),
        st.sampled_from(ids) if ids else st.none(),
        st.one_of(st.none(), st.sampled_from(bodies)) if bodies else st.none(),
    ).map(lambda parts: _case_with(*parts))

    @seed(20261207)
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        statuses[(case.method, case.path)][response.status_code] += 1
        if answers is not None and response.status_code >= 400:
            answers[(case.method, case.path)] = response.text[:300]
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup; collect, fail once
            body = case.body if not isinstance(case.body, bytes) else case.body[:200]
            failures.append((case.method, case.formatted_path, json.dumps(body, default=str)[:300], str(error)[:600]))

    run()


def test_units_api_never_answers_with_a_server_error_and_matches_its_schema():
    seller = SellerFactory().organisation
    other = SellerFactory().organisation
    variant = VariantFactory()
    received = [received_unit(seller, n=n, variant=variant) for n in range(1, 9)]
    in_check = []
    for n in range(20, 24):
        unit = received_unit(seller, n=n, variant=variant)
        unit_transition(unit=unit, actor=SYSTEM, to="diagnosed")
        unit_transition(unit=unit, actor=SYSTEM, to="quality_check")
        in_check.append(unit)
    ready = [ready_unit(seller, n=n, variant=variant) for n in range(40, 44)]
    foreign = received_unit(other, n=90, variant=variant).pk
    photographed = received_unit(seller, n=60, variant=variant)
    unit_diagnose(unit=photographed, actor=SYSTEM, findings="Cracked back", photos=[jpeg()])
    foreign_photographed = received_unit(other, n=91, variant=variant)
    unit_diagnose(unit=foreign_photographed, actor=SYSTEM, findings="Dent", photos=[jpeg()])
    photo, foreign_photo = photographed.photos.get().pk, foreign_photographed.photos.get().pk
    headers = {"Authorization": f"Bearer {api_key_for(seller, ['listings:write'])[1]}"}
    check_body = {
        "results": all_passed(in_check[0]),
        "screen": "flawless",
        "body": "not_at_20cm",
        "battery_health": 90,
    }
    listing_body = {"market": "fr", "grade": "good", "price": {"amount": 35900, "currency": "EUR"}}
    import_rows = [
        [{"identifier": imei(7000 + n), "variant": variant.pk, "source": "purchase", "notes": ""}] for n in range(6)
    ]
    # (path, method, ids for {id}, valid bodies)
    operations = [
        ("/seller/units/", "GET", None, None),
        (
            "/seller/units/",
            "POST",
            None,
            [{"identifier": imei(6000 + n), "variant": variant.pk, "source": "purchase"} for n in range(6)],
        ),
        ("/seller/units/{id}/", "GET", [received[0].pk, ready[0].pk, foreign, *MISSING], None),
        ("/seller/units/{id}/", "PATCH", [received[1].pk, ready[1].pk, foreign, *MISSING], [{"notes": "checked"}]),
        (
            "/seller/units/{id}/transition/",
            "POST",
            [unit.pk for unit in received[2:]] + [foreign, *MISSING],
            [{"to": "diagnosed", "note": "seen"}],
        ),
        ("/seller/units/{id}/quality-check/", "POST", [u.pk for u in in_check] + [foreign, *MISSING], [check_body]),
        (
            "/seller/units/{id}/listing/",
            "POST",
            [u.pk for u in ready] + [foreign, *MISSING],
            [listing_body, Exact(listing_body)],
        ),
        ("/seller/units/import/", "POST", None, import_rows),
        (
            "/seller/units/{id}/photos/{photo_id}/",
            "GET",
            [
                (photographed.pk, photo),
                (photographed.pk, foreign_photo),
                (foreign_photographed.pk, foreign_photo),
                (received[0].pk, photo),
                (photographed.pk, MISSING[1]),
            ],
            None,
        ),
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    failures: list = []
    statuses: dict[tuple[str, str], Counter] = defaultdict(Counter)
    answers: dict[tuple[str, str], str] = {}
    for path, method, ids, bodies in operations:
        _fuzz(
            schema[f"/api/v1{path}"][method],
            headers=headers,
            ids=ids,
            bodies=bodies,
            failures=failures,
            statuses=statuses,
            answers=answers,
        )
    assert failures == []
    unreached = [operation for operation, seen in statuses.items() if not any(200 <= status < 300 for status in seen)]
    assert unreached == [], (dict(statuses), {operation: answers.get(operation) for operation in unreached})
    # Another seller's unit stayed untouched whatever was sent.
    from workshop.models import Unit

    assert Unit.objects.get(pk=foreign).status == "received"
