"""Races with real threads and connections, released together and repeated: one open claim per unit (the
rule of three's count stays right), a return refunded twice at once pays once, one reply per review."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from marketplace.errors import ApplicationError, ErrorCode
from orders.models import LineHold, Payment, Refund
from tests.factories import UserFactory
from tests.factories.orders import SYSTEM
from tests.factories.warranty import delivered_units, open_claim
from warranty.models import Claim, Return, Review
from warranty.selectors import claim_position
from warranty.services.claims import Claimant
from warranty.services.returns import return_open, return_receive
from warranty.services.reviews import review_reply, review_submit

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROUNDS = 4


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released together by a barrier; results or exceptions."""
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


def test_two_claims_opened_at_once_on_one_unit_make_exactly_one(private_media):
    shopper = UserFactory()
    for round_ in range(ROUNDS):
        warranty = delivered_units(shopper)[0]
        results = race(
            4,
            lambda i, warranty=warranty, round_=round_: open_claim(
                warranty, description=f"Round {round_}: it switches itself off ({i})."
            ),
        )

        claims = [r for r in results if isinstance(r, Claim)]
        refused = [r for r in results if isinstance(r, ApplicationError)]
        assert len(claims) == 1, results
        assert Counter(r.code for r in refused) == {ErrorCode.CLAIM_ALREADY_OPEN: 3}
        assert Claim.objects.filter(warranty=warranty).count() == 1
        assert claim_position(claims[0]) == 1
        assert LineHold.objects.filter(source=f"claim-{claims[0].pk}").count() == 1


def test_a_return_refunded_twice_at_once_pays_once(private_media):
    shopper = UserFactory()
    for _ in range(ROUNDS):
        warranties = delivered_units(shopper, quantity=2, price_amount=20000)
        seller_order = warranties[0].line.seller_order
        ret = return_open(
            seller_order=seller_order,
            units=[w.unit for w in warranties],
            reason="changed_mind",
            buyer=Claimant(shopper=shopper),
            actor=SYSTEM,
        )

        results = race(4, lambda i, ret=ret: return_receive(ret=Return.objects.get(pk=ret.pk), actor=SYSTEM))

        assert sum(isinstance(r, Return) for r in results) == 1, results
        assert {r.code for r in results if isinstance(r, ApplicationError)} == {ErrorCode.INVALID_TRANSITION}
        refunds = Refund.objects.filter(idempotency_key=f"refund-return-{ret.pk}")
        assert refunds.count() == 1
        assert refunds.get().amount == 40000
        payment = Payment.objects.get(order_id=seller_order.order_id)
        assert payment.refunded_amount == 40000


def test_a_review_is_replied_to_once(private_media):
    shopper = UserFactory()
    warranty = delivered_units(shopper)[0]
    review = review_submit(
        line=warranty.line, shopper=shopper, seller_stars=4, unit_stars=5, text="Good phone.", actor=SYSTEM
    )

    results = race(
        3,
        lambda i: review_reply(review=review, seller=warranty.seller, text=f"Thank you! ({i})", actor=SYSTEM),
    )

    assert sum(isinstance(r, Review) for r in results) == 1
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {ErrorCode.REVIEW_ALREADY_REPLIED}
