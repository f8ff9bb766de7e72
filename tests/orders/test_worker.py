"""A real Celery worker sends the e-mails a payment schedules after commit."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from marketplace.celery import app
from tests.factories import MembershipFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, place


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_order_emails_after_commit(seller_org):
    from orders.services.payment import test_payment_settle

    owner = MembershipFactory(organisation=seller_org, role="owner").user
    order = place((make_listing(seller=seller_org, stock=1), 1))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # Commits: the task is sent to Redis.
        test_payment_settle(number=order.number, shopper=None, actor=SYSTEM, succeed=True)
        deadline = time.monotonic() + 20
        while len(mail.outbox) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(mail.outbox) == 2
    assert all(order.number in message.subject for message in mail.outbox)
    assert {tuple(message.to) for message in mail.outbox} == {("buyer@example.test",), (owner.email,)}


def test_the_order_jobs_are_in_the_beat_schedule():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    schedule = app.conf.beat_schedule
    for name in (
        "orders-expire-unpaid",
        "orders-auto-deliver",
        "orders-complete-after-return-window",
        "orders-payouts",
    ):
        assert schedule[name]["task"] in app.tasks
    assert schedule["orders-payouts"]["schedule"].day_of_month == {6, 16, 26}
