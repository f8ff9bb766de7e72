"""The end-of-probation job through a real Celery worker consuming from Redis."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from catalog.models import Listing
from marketplace.celery import app
from sellers.models import Seller
from sellers.states import SellerStatus
from sellers.tasks import probation_end_due_task
from tests.factories.catalog import make_listing
from tests.factories.sellers import SellerFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_moves_an_expired_probation_to_review_once():
    seller = SellerFactory(in_probation=True)
    listing = make_listing(seller=seller.organisation)
    Seller.objects.filter(pk=seller.pk).update(probation_ends_at=timezone.now() - timedelta(minutes=1))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        probation_end_due_task.delay()
        probation_end_due_task.delay()  # a second run (or a duplicate delivery) changes nothing
        deadline = time.monotonic() + 30
        while Seller.objects.get(pk=seller.pk).status != SellerStatus.UNDER_REVIEW and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # let the second message be consumed too

    seller.refresh_from_db()
    listing.refresh_from_db()
    assert seller.status == SellerStatus.UNDER_REVIEW
    assert listing.status == "paused_by_platform"
    assert Listing.objects.filter(seller=seller.organisation, status="paused_by_platform").count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_scoring_job_on_its_queue_and_a_second_run_changes_nothing():
    from django.conf import settings

    from catalog.models import SellerStanding
    from marketplace.models import Event
    from sellers.models import PerformanceDay
    from sellers.tasks import sellers_score_task
    from tests.factories import UserFactory
    from tests.factories.warranty import delivered_units, open_claim

    seller = SellerFactory()
    warranties = delivered_units(UserFactory(), quantity=100, seller=seller.organisation)
    for warranty in warranties[:9]:
        open_claim(warranty)  # 9 % defects: suspended by the score
    live = make_listing(seller=seller.organisation, sku="LIVE")
    assert settings.CELERY_TASK_ROUTES["sellers.tasks.sellers_score_task"] == {"queue": "scoring"}

    # A worker consuming the scoring queue only: the job is routed there.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=["scoring"]):
        sellers_score_task.delay()
        deadline = time.monotonic() + 60
        while Seller.objects.get(pk=seller.pk).status != SellerStatus.SUSPENDED and time.monotonic() < deadline:
            time.sleep(0.2)
        first = list(PerformanceDay.objects.values_list("seller_id", "day", "score", "step"))
        events = Event.objects.filter(type="seller.score_changed").count()
        sellers_score_task.delay()  # a second run the same day (or a duplicate delivery)
        time.sleep(3)

    seller.refresh_from_db()
    live.refresh_from_db()
    assert (seller.status, seller.ladder_step, seller.score) == ("suspended", "suspended", 53)
    assert live.status == "paused_by_platform"
    assert SellerStanding.objects.get(organisation=seller.organisation).score == 53
    assert list(PerformanceDay.objects.values_list("seller_id", "day", "score", "step")) == first
    assert Event.objects.filter(type="seller.score_changed").count() == events == 1
