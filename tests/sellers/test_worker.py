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
