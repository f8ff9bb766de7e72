"""The trade-in sweeps through a real Celery worker consuming from Redis: a quote expires after 14 days,
an accepted trade-in not received expires after 21, and a counter-offer left unanswered for 14 days
sends the device back (with its return label and the owner's e-mail). Time is passed through the
tasks (`now`, ISO 8601) to the services, the way beat's own runs reach them without it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from marketplace.celery import app
from tests.factories import UserFactory
from tests.factories.tradein import FAIR, accepted, inspected, quote
from tradein.models import CounterOffer, TradeIn
from tradein.states import CounterOfferOutcome, TradeInStatus
from tradein.tasks import counter_offers_lapse_task, tradeins_expire_quotes_task, tradeins_expire_unsent_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _status(tradein: TradeIn) -> str:
    return TradeIn.objects.values_list("status", flat=True).get(pk=tradein.pk)


def test_a_real_worker_runs_the_three_trade_in_sweeps_at_their_deadlines():
    owner = UserFactory(email="owner@example.test")
    quoted = quote()
    sent_late = accepted(owner=owner)
    countered = inspected(owner=owner, actual=FAIR)
    assert countered.status == TradeInStatus.COUNTER_OFFERED
    app.control.purge()  # the setup's e-mails (accepted, received, counter-offer) are not this test's
    mail.outbox.clear()
    now = timezone.now()
    results: dict[str, object] = {}

    def record(sender=None, task_id=None, retval=None, **kwargs):  # runs in the worker, after each task
        results[task_id] = retval

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # A day before each deadline, every sweep finds nothing to do.
            early = [
                tradeins_expire_quotes_task.delay(now=(now + timedelta(days=13)).isoformat()).id,
                tradeins_expire_unsent_task.delay(now=(now + timedelta(days=20)).isoformat()).id,
                counter_offers_lapse_task.delay(now=(now + timedelta(days=13)).isoformat()).id,
            ]
            assert _wait_for(lambda: all(task_id in results for task_id in early))
            assert [results[task_id] for task_id in early] == [0, 0, 0]
            assert (_status(quoted), _status(sent_late), _status(countered)) == (
                TradeInStatus.QUOTED,
                TradeInStatus.ACCEPTED,
                TradeInStatus.COUNTER_OFFERED,
            )
            # Past them, each moves its trade-in once; a second run (or a duplicate delivery) does nothing.
            past = {
                tradeins_expire_quotes_task: now + timedelta(days=14, minutes=1),
                tradeins_expire_unsent_task: now + timedelta(days=21, minutes=1),
                counter_offers_lapse_task: now + timedelta(days=14, minutes=1),
            }
            first = [task.delay(now=when.isoformat()).id for task, when in past.items()]
            assert _wait_for(lambda: all(task_id in results for task_id in first))
            second = [task.delay(now=when.isoformat()).id for task, when in past.items()]
            assert _wait_for(lambda: all(task_id in results for task_id in second))
            # The e-mails the sweeps queue after commit go through the same worker.
            assert _wait_for(lambda: len(mail.outbox) >= 2)
    finally:
        task_postrun.disconnect(record)

    assert [results[task_id] for task_id in first] == [1, 1, 1]
    assert [results[task_id] for task_id in second] == [0, 0, 0]
    assert (_status(quoted), _status(sent_late), _status(countered)) == (
        TradeInStatus.EXPIRED,
        TradeInStatus.EXPIRED,
        TradeInStatus.RETURNED,
    )
    offer = CounterOffer.objects.get(tradein=countered)
    assert offer.outcome == CounterOfferOutcome.LAPSED
    assert offer.answered_at is None
    assert offer.return_tracking_number  # sent back with its own prepaid label
    # One e-mail each to the sender: expired (not sent in time), sent back (the quote had no owner).
    assert len(mail.outbox) == 2
    assert all(message.to == ["chloe@example.test"] for message in mail.outbox)
    assert sorted(message.subject for message in mail.outbox) == sorted(
        [
            f"La reprise {sent_late.reference} a expiré",  # a French sender: in French
            f"Reprise {countered.reference} : votre appareil est en route vers vous",
        ]
    )


def test_the_trade_in_sweeps_are_in_the_beat_schedule():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    names = (
        "tradein-expire-quotes",
        "tradein-expire-unsent",
        "tradein-counter-offer-silence",
        "tradein-close-lots",
        "tradein-expire-batches",
        "tradein-wallet-reminders",
    )
    for name in names:
        assert schedule[name]["task"] in app.tasks


def test_a_sweep_time_without_its_offset_is_refused():
    with pytest.raises(ValueError, match="offset"):
        tradeins_expire_quotes_task(now="2026-01-31T10:00:00")
