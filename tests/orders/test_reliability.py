"""Races with real threads and real PostgreSQL connections (each thread its own connection).

Each test widens the window on purpose (a barrier releases every thread at once) and repeats rounds.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Event
from marketplace.money import Money
from orders.models import LedgerEntry, Order, Payment, ProcessedStripeEvent, Refund
from orders.services.refunds import refund_issue
from orders.states import OrderStatus
from tests.factories import OrganisationFactory, api_key_for
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, paid, place
from tests.orders.conftest import sign, stripe_event, succeeded_intent

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


def test_twenty_buyers_race_for_the_last_unit_fifty_rounds():
    listing = make_listing(stock=1)
    for round_number in range(50):
        Listing.objects.filter(pk=listing.pk).update(stock=1)
        results = race(20, lambda i: place((listing, 1)))
        orders = [r for r in results if isinstance(r, Order)]
        refusals = [r for r in results if isinstance(r, ApplicationError)]
        others = [r for r in results if not isinstance(r, Order | ApplicationError)]
        assert others == [], f"round {round_number}: unexpected {others!r}"
        assert len(orders) == 1, f"round {round_number}: {len(orders)} orders"
        assert {r.code for r in refusals} == {ErrorCode.OUT_OF_STOCK}
        assert Listing.objects.get(pk=listing.pk).stock == 0
    assert Order.objects.count() == 50


def test_carts_with_the_same_listings_in_opposite_order_do_not_deadlock():
    first, second = make_listing(stock=1000), make_listing(stock=1000)
    for _ in range(10):
        results = race(10, lambda i: place(*(((first, 1), (second, 1)) if i % 2 else ((second, 1), (first, 1)))))
        assert all(isinstance(r, Order) for r in results), [r for r in results if not isinstance(r, Order)]
    assert Listing.objects.get(pk=first.pk).stock == 900
    assert Listing.objects.get(pk=second.pk).stock == 900


def _deliver(payload: bytes) -> int:
    return (
        Client()
        .post(
            "/payments/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
        )
        .status_code
    )


@pytest.mark.parametrize("concurrent", [False, True], ids=["sequential", "concurrent"])
def test_the_same_stripe_event_ten_times_changes_state_once(stripe_fake, concurrent):
    listing = make_listing(stock=1, price_amount=30000)
    order = place((listing, 1))
    payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000))
    statuses = race(10, lambda i: _deliver(payload)) if concurrent else [_deliver(payload) for _ in range(10)]
    assert statuses == [200] * 10
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert (
        AuditEvent.objects.filter(content_type__model="order", object_id=str(order.pk), to_status="paid").count() == 1
    )
    assert LedgerEntry.objects.filter(kind="sale").values("journal").distinct().count() == 1
    assert Event.objects.filter(type="order.paid").count() == 1
    assert ProcessedStripeEvent.objects.count() == 1


def test_the_same_partner_order_posted_ten_times_at_once_makes_one_order():
    listing = make_listing(stock=5)
    partner = OrganisationFactory(kind="partner")
    _, raw_key = api_key_for(partner, ["orders:read", "orders:write"])
    body = {
        "market": "fr",
        "lines": [{"listing": listing.pk, "quantity": 1}],
        "customer": {
            "full_name": "A B",
            "email": "a@example.test",
            "address_line": "1 rue",
            "postal_code": "75001",
            "city": "Paris",
            "country": "fr",
        },
    }

    def post(i: int) -> tuple[int, Any]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        response = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json()

    results = race(10, post)
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    created = {body_["number"] for status, body_ in results if status == 201}
    assert len(created) == 1
    assert Order.objects.count() == 1
    assert Listing.objects.get(pk=listing.pk).stock == 4
    # After the race, a retry replays the first response.
    assert post(0)[1]["number"] in created


def test_concurrent_refunds_adding_up_to_150_percent_refund_at_most_100(stripe_fake):
    listing = make_listing(stock=1, price_amount=30000)
    order = paid((listing, 1))
    payment = Payment.objects.get(order=order)

    def refund(i: int) -> Any:
        return refund_issue(
            payment=Payment.objects.get(pk=payment.pk),
            amount=Money(7500, "EUR"),
            actor=SYSTEM,
            reason="race",
            idempotency_key=f"refund-race-{i}",
        )

    results = race(6, refund)  # 6 x 75.00 = 450.00 = 150 % of 300.00
    done = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(done) == 4
    assert {r.code for r in refused} == {ErrorCode.REFUND_EXCEEDS_CAPTURE}
    payment.refresh_from_db()
    assert payment.refunded_amount == 30000 == Refund.objects.aggregate(t=Sum("amount"))["t"]
    assert len(stripe_fake.calls("/v1/refunds")) == 4


def test_payment_and_expiry_at_the_same_time_never_keep_money_for_released_stock(stripe_fake):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services.payment import orders_expire_unpaid

    listing = make_listing(stock=1, price_amount=30000)
    for _ in range(10):
        Listing.objects.filter(pk=listing.pk).update(stock=1)
        order = place((listing, 1))
        payload = stripe_event("payment_intent.succeeded", succeeded_intent(order.payment.reference, 30000))
        later = timezone.now() + timedelta(minutes=31)
        race(2, lambda i, payload=payload, later=later: _deliver(payload) if i else orders_expire_unpaid(now=later))
        order.refresh_from_db()
        payment = Payment.objects.get(order=order)
        if order.status == OrderStatus.PAID:
            assert payment.refunded_amount == 0
            assert Listing.objects.get(pk=listing.pk).stock == 0
        else:
            assert order.status == OrderStatus.EXPIRED
            assert payment.refunded_amount == payment.captured_amount == 30000
            assert Listing.objects.get(pk=listing.pk).stock == 1


def test_a_refund_requested_twice_at_once_pays_once(stripe_fake):
    for round_ in range(5):
        listing = make_listing(stock=1, price_amount=30000)
        order = paid((listing, 1))
        payment = Payment.objects.get(order=order)

        def refund(i: int, payment_id: int = payment.pk, key: str = f"refund-return-{round_}") -> Any:
            return refund_issue(
                payment=Payment.objects.get(pk=payment_id),
                amount=Money(30000, "EUR"),
                actor=SYSTEM,
                reason="return received",
                idempotency_key=key,
            )

        results = race(4, refund)

        assert all(isinstance(r, Refund) for r in results), results
        assert len({r.pk for r in results}) == 1
        payment.refresh_from_db()
        assert payment.refunded_amount == 30000
        assert Refund.objects.filter(payment=payment).count() == 1
        assert stripe_fake.keys("/v1/refunds").count(f"refund-return-{round_}") == 1
