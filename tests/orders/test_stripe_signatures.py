"""Stripe's webhook signature: a valid signature with a stale timestamp is a replay, refused."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from orders.models import ProcessedStripeEvent
from orders.states import OrderStatus
from tests.factories.catalog import make_listing
from tests.factories.orders import place
from tests.orders.conftest import sign, stripe_event, succeeded_intent

pytestmark = pytest.mark.django_db


def test_a_correctly_signed_event_with_a_stale_timestamp_is_refused_and_changes_nothing(stripe_fake, shopper):
    order = place((make_listing(price_amount=30000), 1), buyer=shopper)
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000))

    def deliver(timestamp: int) -> int:
        return (
            Client()
            .post(
                "/payments/stripe/webhook/",
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(payload, timestamp=timestamp),
            )
            .status_code
        )

    # Signed with the right secret, but 10 minutes old (Stripe's tolerance is 5): a captured request replayed.
    assert deliver(int(time.time()) - 600) == 400
    # Or from the future.
    assert deliver(int(time.time()) + 600) == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert ProcessedStripeEvent.objects.count() == 0

    assert deliver(int(time.time())) == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
