"""Real Celery workers deliver webhooks; one killed with `kill -9` in the middle of an attempt loses
nothing: after a restart the delivery is made again and, once acknowledged, never again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from marketplace.celery import app
from partners.models import WebhookDelivery
from partners.services.delivery import deliveries_dispatch
from partners.services.relay import events_relay
from partners.states import DeliveryStatus
from tests.partners.conftest import emit_committed

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Receiver:
    """A threaded HTTP receiver: records each request; holds them unanswered while `hold` is set."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes]] = []
        self.hold = threading.Event()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers["Encore-Event-Id"], body))
                receiver.arrived.set()
                while receiver.hold.is_set():
                    time.sleep(0.05)
                try:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.hold.clear()
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_real_workers_deliver_on_the_webhooks_queue(receiver, partner_org, make_endpoint):
    make_endpoint(partner_org, receiver.url)
    for n in range(5):
        emit_committed("order.paid", {"order": f"E{n}"}, partner_org)
    assert app.amqp.router.route({}, "partners.tasks.webhook_deliver_task")["queue"].name == "webhooks"

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=["webhooks"]):
        events_relay()
        deliveries_dispatch()
        delivered = wait_for(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 5, timeout=30
        )

    assert delivered
    assert len(receiver.requests) == 5
    assert len({event_id for event_id, _ in receiver.requests}) == 5


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.partners.killable_worker",
            "worker",
            "-Q",
            "webhooks",
            "--pool",
            "solo",
            "--hostname",
            f"killable-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: kill -9 takes it all
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_delivery_delivers_after_restart_and_then_never_again(receiver, partner_org, make_endpoint):
    make_endpoint(partner_org, receiver.url)
    event = emit_committed("order.paid", {"order": "E-KILL"}, partner_org)
    events_relay()
    delivery = WebhookDelivery.objects.get(event=event)
    # The worker process uses this test's database (the environment's URL names the development one).
    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/encore")
    env = {
        **os.environ,
        "DATABASE_URL": base_url.rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"],
        "TEST_WEBHOOKS_TIMEOUT_SECONDS": "2",
        "TEST_VISIBILITY_TIMEOUT": "3",
    }
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST

    # 1. The receiver holds the first request; the worker is killed while it waits for the answer.
    receiver.hold.set()
    first = _worker(env)
    try:
        deliveries_dispatch()
        assert receiver.arrived.wait(30), "the first worker never sent the delivery"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    receiver.hold.clear()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING  # the attempt was never recorded
    assert len(receiver.requests) == 1

    # 2. A new worker gets the unacknowledged message back and, once the lease has run out, delivers.
    second = _worker(env)
    try:
        assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SUCCEEDED, 60)
        time.sleep(4)  # long enough for a stray second message to come back: none does
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(15)

    assert [event_id for event_id, _ in receiver.requests] == [event.pk, event.pk]
    attempts = list(WebhookDelivery.objects.get(pk=delivery.pk).attempts.order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, None), (2, 200)]
    assert attempts[0].error.startswith("interrupted")
