"""A real Celery worker consumes a task through Redis and writes through PostgreSQL."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from marketplace.celery import app
from marketplace.models import IdempotencyKey
from marketplace.tasks import purge_expired_idempotency_keys_task


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_a_task_sent_through_redis():
    assert app.conf.broker_url.startswith(("redis://", "redis+socket://"))
    IdempotencyKey.objects.create(
        owner="org:1", key="old", fingerprint="x", expires_at=timezone.now() - timedelta(hours=1)
    )
    IdempotencyKey.objects.create(
        owner="org:1", key="fresh", fingerprint="x", expires_at=timezone.now() + timedelta(hours=1)
    )

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        purge_expired_idempotency_keys_task.delay()
        deadline = time.monotonic() + 20
        while IdempotencyKey.objects.filter(key="old").exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.django_db
def test_the_purge_task_is_idempotent():
    IdempotencyKey.objects.create(
        owner="org:1", key="old", fingerprint="x", expires_at=timezone.now() - timedelta(hours=1)
    )

    assert purge_expired_idempotency_keys_task() == 1
    assert purge_expired_idempotency_keys_task() == 0


def test_every_periodic_job_is_in_the_one_beat_schedule():
    app.loader.import_default_modules()  # what a worker does at start: import every app's tasks
    schedule = app.conf.beat_schedule

    assert "purge-expired-idempotency-keys" in schedule
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_each_workload_has_its_queue_and_a_plain_worker_consumes_them_all():
    app.loader.import_default_modules()

    def queue_of(task_name: str) -> str:
        return app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("orders.notifications.order_paid_notify_task") == "emails"
    assert queue_of("sellers.notifications.notify_seller_status_task") == "emails"
    assert queue_of("sellers.tasks.probation_end_due_task") == "default"
    assert queue_of("orders.tasks.orders_expire_unpaid_task") == "default"
    # A worker without --queues (make run, the tests' workers) consumes every declared queue.
    assert sorted(app.amqp.queues) == ["default", "emails", "scoring", "webhooks"]
