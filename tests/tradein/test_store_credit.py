"""Store credit: granted once per trade-in, never below zero even when two checkouts spend it at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from marketplace.errors import ApplicationError
from marketplace.money import Money
from orders.models import LedgerEntry, StoreCreditAccount, StoreCreditEntry
from orders.services.wallet import store_credit_balance, store_credit_grant, store_credit_return, store_credit_spend
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import place
from tests.factories.tradein import SYSTEM


@pytest.mark.django_db
def test_a_trade_in_credits_once_whatever_the_retries():
    user = UserFactory()

    store_credit_grant(user=user, amount=Money(33000, "EUR"), reference="TAAAAAAAAA", actor=SYSTEM)
    store_credit_grant(user=user, amount=Money(33000, "EUR"), reference="TAAAAAAAAA", actor=SYSTEM)

    assert store_credit_balance(user=user, currency="EUR") == Money(33000, "EUR")
    assert StoreCreditEntry.objects.count() == 1
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0


@pytest.mark.django_db
def test_credit_given_back_never_exceeds_what_was_spent():
    user = UserFactory()
    store_credit_grant(user=user, amount=Money(10000, "EUR"), reference="TBBBBBBBBB", actor=SYSTEM)
    order = place((make_listing(stock=5, price_amount=20000), 1), buyer=user)
    store_credit_spend(user=user, order=order, amount=Money(8000, "EUR"), actor=SYSTEM)

    store_credit_return(order=order, amount=Money(5000, "EUR"), reference="refund-1", actor=SYSTEM)
    store_credit_return(order=order, amount=Money(5000, "EUR"), reference="refund-2", actor=SYSTEM)
    nothing = store_credit_return(order=order, amount=Money(5000, "EUR"), reference="refund-3", actor=SYSTEM)

    assert nothing is None
    assert store_credit_balance(user=user, currency="EUR") == Money(10000, "EUR")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_checkouts_spending_the_same_credit_at_once_end_with_one_refused():
    """Real threads and connections; a barrier lines both spends up; repeated rounds."""
    for round_number in range(5):
        user = UserFactory()
        store_credit_grant(user=user, amount=Money(10000, "EUR"), reference=f"TRACE{round_number:05d}", actor=SYSTEM)
        listing = make_listing(stock=10, price_amount=9000)
        orders = [place((listing, 1), buyer=user) for _ in range(2)]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def spend(order, outcomes=outcomes, barrier=barrier, user=user) -> None:
            try:
                barrier.wait(timeout=10)
                store_credit_spend(user=user, order=order, amount=Money(8000, "EUR"), actor=SYSTEM)
                outcomes.append("spent")
            except ApplicationError as error:
                outcomes.append(error.code.value)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=spend, args=(order,)) for order in orders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert sorted(outcomes) == ["spent", "store-credit-insufficient"]
        account = StoreCreditAccount.objects.get(user=user)
        assert account.balance_amount == 2000
        assert sum(account.entries.values_list("amount", flat=True)) == 2000
    assert connection.is_usable()


@pytest.mark.django_db
def test_checkout_with_part_credit_charges_the_rest_and_a_refund_gives_the_credit_back(
    django_capture_on_commit_callbacks,
):
    from marketplace.models import Market
    from orders.services.checkout import PlacementLine, order_place
    from orders.services.payment import test_payment_settle
    from orders.services.refunds import refund_issue
    from tests.factories.orders import contact

    user = UserFactory()
    store_credit_grant(user=user, amount=Money(10000, "EUR"), reference="TCCCCCCCCC", actor=SYSTEM)
    listing = make_listing(stock=2, price_amount=25000)
    order = order_place(
        actor=SYSTEM,
        market=Market.objects.get(code="fr"),
        lines=[PlacementLine(listing.pk, 1)],
        contact=contact("fr"),
        buyer=user,
        store_credit=store_credit_balance(user=user, currency="EUR"),
    )
    assert store_credit_balance(user=user, currency="EUR").amount == 0
    order = test_payment_settle(number=order.number, shopper=None, actor=SYSTEM, succeed=True)
    order.payment.refresh_from_db()
    assert order.payment.captured_amount == 25000
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0
    assert LedgerEntry.objects.filter(kind="store_credit_spent").exists()

    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_issue(
            payment=order.payment, amount=Money(25000, "EUR"), actor=SYSTEM, reason="test", idempotency_key="r-1"
        )

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert store_credit_balance(user=user, currency="EUR").amount == 10000
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0


@pytest.mark.django_db
def test_credit_covering_the_whole_order_pays_it_at_once_and_an_unpaid_order_gives_it_back():
    from marketplace.models import Market
    from orders.services.checkout import PlacementLine, order_place
    from orders.services.payment import order_expire
    from tests.factories.orders import contact

    user = UserFactory()
    store_credit_grant(user=user, amount=Money(60000, "EUR"), reference="TDDDDDDDDD", actor=SYSTEM)
    listing = make_listing(stock=3, price_amount=25000)
    market = Market.objects.get(code="fr")

    paid = order_place(
        actor=SYSTEM,
        market=market,
        lines=[PlacementLine(listing.pk, 1)],
        contact=contact("fr"),
        buyer=user,
        store_credit=Money(60000, "EUR"),
    )
    assert paid.status == "paid"
    assert store_credit_balance(user=user, currency="EUR").amount == 35000
    unpaid = order_place(
        actor=SYSTEM,
        market=market,
        lines=[PlacementLine(listing.pk, 1)],
        contact=contact("fr"),
        buyer=user,
        store_credit=Money(20000, "EUR"),
    )
    assert unpaid.status == "pending_payment"
    assert store_credit_balance(user=user, currency="EUR").amount == 15000
    order_expire(order=unpaid, actor=SYSTEM)
    assert store_credit_balance(user=user, currency="EUR").amount == 35000


def _paid_partly_with_credit(user, *, credit: int, price: int = 25000):
    from orders.services.payment import order_mark_paid

    store_credit_grant(user=user, amount=Money(credit, "EUR"), reference=f"T{credit:09d}", actor=SYSTEM)
    order = place((make_listing(stock=1, price_amount=price), 1), buyer=user, store_credit=Money(credit, "EUR"))
    return order_mark_paid(order=order, actor=SYSTEM, amount_received=Money(price - credit, "EUR"), reference="card")


def _refund_that_fails_for_good(order, *, key: str, capture, on_failure=None):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from marketplace.errors import ErrorCode
    from orders.services.refunds import REFUND_MAX_ATTEMPTS, refund_issue, refunds_retry_pending

    def refuse(self, **kwargs):
        raise ApplicationError(ErrorCode.PAYMENT_PROVIDER_ERROR, "card account closed")

    with mock.patch("orders.gateways.TestGateway.refund", refuse):
        with capture(execute=True):  # the first attempt runs after commit
            refund = refund_issue(
                payment=order.payment, amount=order.total, actor=SYSTEM, reason="cancelled", idempotency_key=key
            )
        if on_failure is not None:
            on_failure()
        later = timezone.now()
        for _ in range(REFUND_MAX_ATTEMPTS + 1):
            later += timedelta(minutes=5)
            refunds_retry_pending(now=later)
    refund.refresh_from_db()
    return refund


@pytest.mark.django_db
def test_a_refund_that_finally_fails_takes_back_the_store_credit_it_gave_back(django_capture_on_commit_callbacks):
    from django.db.models import Sum

    from orders.models import Payment, StoreCreditKind
    from orders.services.wallet import store_credit_spent_on
    from orders.states import RefundStatus

    user = UserFactory()
    order = _paid_partly_with_credit(user, credit=20000)  # 200 in credit, 50 by card
    assert store_credit_balance(user=user, currency="EUR").amount == 0

    refund = _refund_that_fails_for_good(
        order,
        key="refund-cancel-1",
        capture=django_capture_on_commit_callbacks,
        # The credit comes back at once, as credit, while the card part is still being tried.
        on_failure=lambda: (
            store_credit_balance(user=user, currency="EUR").amount == 20000 or pytest.fail("credit not given back")
        ),
    )

    assert refund.status == RefundStatus.FAILED
    assert Payment.objects.get(pk=order.payment.pk).refunded_amount == 0
    # The whole refund failed: the credit given back is taken back, nothing was created.
    assert store_credit_balance(user=user, currency="EUR").amount == 0
    assert store_credit_spent_on(order=order) == Money(20000, "EUR")
    kinds = list(StoreCreditEntry.objects.filter(order=order).order_by("id").values_list("kind", "amount", "reference"))
    assert kinds == [
        (StoreCreditKind.SPENT, -20000, order.number),
        (StoreCreditKind.RETURNED, 20000, "refund-cancel-1-credit"),
        (StoreCreditKind.TAKEN_BACK, -20000, "refund-cancel-1-credit"),
    ]
    account = StoreCreditAccount.objects.get(user=user)
    assert sum(account.entries.values_list("amount", flat=True)) == account.balance_amount == 0
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0
    assert LedgerEntry.objects.filter(account="store_credit").aggregate(t=Sum("amount"))["t"] == 0

    # A later refund of the same order gives the credit back again (it was spent, and is again).
    from orders.services.refunds import refund_issue

    with django_capture_on_commit_callbacks(execute=True):
        retried = refund_issue(
            payment=order.payment,
            amount=order.total,
            actor=SYSTEM,
            reason="cancelled",
            idempotency_key="refund-cancel-2",
        )
    retried.refresh_from_db()
    assert retried.status == RefundStatus.SUCCEEDED
    assert store_credit_balance(user=user, currency="EUR").amount == 20000


@pytest.mark.django_db
def test_credit_spent_before_the_refund_failed_is_taken_back_as_far_as_the_balance_goes(
    django_capture_on_commit_callbacks,
):
    from marketplace.models import AuditEvent
    from orders.services.wallet import store_credit_spend

    user = UserFactory()
    order = _paid_partly_with_credit(user, credit=20000)
    other = place((make_listing(stock=1, price_amount=30000), 1), buyer=user)

    def spend_the_returned_credit():
        store_credit_spend(user=user, order=other, amount=Money(15000, "EUR"), actor=SYSTEM)

    _refund_that_fails_for_good(
        order,
        key="refund-cancel-3",
        capture=django_capture_on_commit_callbacks,
        on_failure=spend_the_returned_credit,
    )

    # 50 were left: taken back; the 150 already spent cannot be, and the audit trail says so.
    assert store_credit_balance(user=user, currency="EUR").amount == 0
    taken = StoreCreditEntry.objects.get(kind="taken_back")
    assert taken.amount == -5000
    reason = AuditEvent.objects.filter(to_status="credit taken back").values_list("reason", flat=True).get()
    assert "€150.00 already spent, not taken back" in reason
