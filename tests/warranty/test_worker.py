"""A real Celery worker runs the after-sales sweeps and e-mails; every sweep is in the beat schedule."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from marketplace.celery import app
from tests.factories import MembershipFactory, UserFactory
from tests.factories.warranty import delivered_units, open_claim
from warranty.models import Claim
from warranty.states import ClaimStatus


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_claim_email_and_runs_the_escalation_sweep(tmp_path, settings):
    from warranty.tasks import claims_escalate_overdue_task

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    shopper = UserFactory()
    warranty = delivered_units(shopper)[0]
    owner = MembershipFactory(organisation=warranty.seller, role="owner").user
    app.control.purge()  # tasks other tests left in this worker's queue would be run first
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        claim = open_claim(warranty)  # commits: the seller's e-mail is queued to Redis
        deadline = time.monotonic() + 45
        while not any(m.to == [owner.email] for m in mail.outbox) and time.monotonic() < deadline:
            time.sleep(0.1)
        Claim.objects.filter(pk=claim.pk).update(answer_due_at=claim.opened_at)  # its deadline has passed
        claims_escalate_overdue_task.delay()
        deadline = time.monotonic() + 45
        while Claim.objects.get(pk=claim.pk).status != ClaimStatus.ESCALATED and time.monotonic() < deadline:
            time.sleep(0.1)
    subjects = [m.subject for m in mail.outbox if m.to == [owner.email]]
    assert f"Nouvelle réclamation sous garantie {claim.reference} : merci de répondre" in subjects  # a French seller
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ESCALATED


def test_the_after_sales_jobs_are_in_the_beat_schedule():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    for name in (
        "warranty-escalate-overdue-claims",
        "warranty-accept-silent-answers",
        "warranty-close-resolved-claims",
        "warranty-refund-due-returns",
        "warranty-review-invitations",
        "orders-retry-pending-refunds",
    ):
        assert schedule[name]["task"] in app.tasks, name
