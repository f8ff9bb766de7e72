"""Deliveries to real HTTP receivers (pytest-httpserver on 127.0.0.1): 200, 500, 410, 429, silence.

Services are called in the test's process; `test_worker.py` runs them in real Celery workers.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from werkzeug import Request, Response

from marketplace.models import Event, Organisation
from partners import notifications
from partners.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partners.services.delivery import delivery_attempt, retry_delay
from partners.signatures import webhook_signature_verify
from partners.states import DeliveryStatus, DisabledReason
from tests.factories import MembershipFactory
from tests.partners.conftest import deliver_all, emit_committed

pytestmark = pytest.mark.django_db


def test_a_200_answer_succeeds_signed_and_logged(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hooks/encore", method="POST").respond_with_data("thanks", status=200)
    _endpoint, secret = make_endpoint(partner_org, httpserver.url_for("/hooks/encore"))
    event = emit_committed("order.paid", {"order": "E123"}, partner_org)

    (delivery,) = deliver_all()

    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.completed_at is not None
    assert delivery.next_attempt_at is None
    ((request, _),) = httpserver.log
    body = request.get_data()
    assert json.loads(body) == {
        "id": event.pk,
        "type": "order.paid",
        "created": event.created_at.isoformat(),
        "data": {"order": "E123"},
    }
    assert webhook_signature_verify(header=request.headers["Encore-Signature"], body=body, secret=secret)
    assert not webhook_signature_verify(header=request.headers["Encore-Signature"], body=body + b" ", secret=secret)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Encore-Event-Id"] == event.pk
    assert request.headers["Host"] == f"localhost:{httpserver.port}"  # the URL's host, though connected by address
    (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.response_body, attempt.error) == (1, 200, "thanks", "")
    assert 0 <= attempt.duration_ms < 5000
    assert abs((attempt.started_at - timezone.now()).total_seconds()) < 30
    assert Event.objects.get(pk=event.pk).relayed_at is not None


def test_a_500_is_retried_with_backoff_and_the_first_kilobyte_is_kept(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hook").respond_with_data("x" * 5000, status=500)
    make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.shipped", {"order": "E1"}, partner_org)
    before = timezone.now()

    (delivery,) = deliver_all()

    assert delivery.status == DeliveryStatus.RETRYING
    assert before + timedelta(seconds=29) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    (attempt,) = delivery.attempts.all()
    assert attempt.status_code == 500
    assert attempt.response_body == "x" * 1024
    assert delivery.endpoint.__class__.objects.get(pk=delivery.endpoint_id).failing_since is not None

    # Not due yet: a second attempt now does nothing; once due, it is made and logged as attempt 2.
    assert delivery_attempt(delivery_id=delivery.pk).outcome == "not-due"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery_attempt(delivery_id=delivery.pk)
    assert list(delivery.attempts.values_list("number", "status_code")) == [(1, 500), (2, 500)]


def test_backoff_doubles_with_jitter_and_stops_at_six_hours():
    import random

    rng = random.Random(7)
    waits = [retry_delay(n, rng=rng).total_seconds() for n in range(1, 16)]

    for n, wait in enumerate(waits, start=1):
        ceiling = min(60 * 2 ** (n - 1), 6 * 3600)
        assert ceiling / 2 <= wait <= ceiling
    assert len({round(w) for w in waits}) == len(waits)  # jittered: no two alike


def test_a_delivery_fails_for_good_after_three_days(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.shipped", {"order": "E1"}, partner_org)
    (delivery,) = deliver_all()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(days=3) + timedelta(seconds=10), next_attempt_at=timezone.now()
    )

    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_count == 2


def test_410_gone_disables_the_endpoint_fails_its_deliveries_and_emails_the_owners(
    httpserver, partner_org, make_endpoint, django_capture_on_commit_callbacks
):
    owner = MembershipFactory(organisation=partner_org, role="owner").user
    MembershipFactory(organisation=partner_org, role="staff")
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    emit_committed("order.shipped", {"order": "E1"}, partner_org)

    with django_capture_on_commit_callbacks(execute=True):
        deliver_all()

    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.GONE)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert len(httpserver.log) == 1  # the second delivery was failed without being sent
    assert Organisation.objects.get(pk=partner_org.pk).receives_webhooks is False
    assert notifications.endpoint_disabled_notify_task(endpoint.pk) == 1
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert endpoint.url in message.body
    assert "410" in message.body


def test_429_waits_for_its_retry_after(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hook").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    before = timezone.now()

    (delivery,) = deliver_all()

    assert delivery.status == DeliveryStatus.RETRYING
    assert before + timedelta(seconds=119) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=121)
    assert delivery.attempts.get().status_code == 429


def test_a_receiver_that_never_answers_times_out_within_the_deadline(httpserver, partner_org, make_endpoint, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    release = threading.Event()

    def never(request: Request) -> Response:
        release.wait(10)
        return Response("late", status=200)

    httpserver.expect_request("/hook").respond_with_handler(never)
    make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    started = time.monotonic()
    (delivery,) = deliver_all()
    elapsed = time.monotonic() - started
    release.set()

    assert elapsed < 3
    assert delivery.status == DeliveryStatus.RETRYING
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.error) == (None, "timeout")
    assert 900 <= attempt.duration_ms < 2500


def test_a_receiver_dripping_its_answer_cannot_hold_the_worker(partner_org, make_endpoint, settings):
    """Headers sent one byte at a time, each well within a socket timeout: the deadline still ends it."""
    import socket

    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def drip() -> None:
        connection, _ = server.accept()
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
            if stop.is_set():
                break
            try:
                connection.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.2)
        connection.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    make_endpoint(partner_org, f"http://127.0.0.1:{server.getsockname()[1]}/hook")
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    started = time.monotonic()
    (delivery,) = deliver_all()
    elapsed = time.monotonic() - started
    stop.set()
    server.close()

    assert elapsed < 3
    assert delivery.attempts.get().error == "timeout"


def test_a_huge_answer_is_not_read_beyond_the_first_kilobyte(httpserver, partner_org, make_endpoint):
    def endless(request: Request) -> Response:
        def chunks():
            for _ in range(100_000):
                yield b"y" * 65536

        return Response(chunks(), status=200)

    httpserver.expect_request("/hook").respond_with_handler(endless)
    make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    started = time.monotonic()
    (delivery,) = deliver_all()

    assert time.monotonic() - started < 5
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts.get().response_body == "y" * 1024


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_owners_told(
    httpserver, partner_org, make_endpoint, django_capture_on_commit_callbacks
):
    MembershipFactory(organisation=partner_org, role="owner")
    httpserver.expect_request("/hook").respond_with_data("err", status=500)
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=3, minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        deliver_all()

    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.FAILING)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    assert notifications.endpoint_disabled_notify_task(endpoint.pk) == 1
    assert "3 jours" in mail.outbox[0].body  # the partner's market: France, in French


def test_a_success_clears_the_failure_record(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=2))
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    deliver_all()

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
    assert endpoint.enabled
