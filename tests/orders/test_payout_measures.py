"""Payout measures on the orders floor: a retainer holds a share of each sale for 60 days in the ledger and
releases it by itself; a deferral keeps the seller out of the payout run; both audited, both liftable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from orders.models import LedgerAccount, LedgerEntry, Payout, PayoutMeasure, RetainedSale, SellerPayoutAccount
from orders.services.fulfilment import seller_order_complete
from orders.services.measures import (
    payout_deferral_place,
    payout_measure_lift,
    payout_retainer_place,
    retained_balance,
    retained_sales_release_due,
)
from orders.services.payouts import payouts_run
from orders.tasks import retained_sales_release_due_task
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, paid
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
MANAGER = Actor.system("success manager (tests)")


def balance(seller, account: str) -> int:
    total = LedgerEntry.objects.filter(seller=seller, account=account).aggregate(t=Sum("amount"))["t"] or 0
    return -total


def test_a_retainer_holds_its_share_of_each_sale_for_60_days_then_releases_it():
    seller = SellerFactory().organisation
    payout_retainer_place(
        seller=seller, basis_points=2000, until=timezone.now() + timedelta(days=90), reason="Defects", actor=MANAGER
    )
    seller_order = paid((make_listing(seller=seller, price_amount=10000), 1)).seller_orders.get()  # net 9000

    share = RetainedSale.objects.get(seller_order=seller_order)
    assert (share.amount, (share.release_at - share.retained_at).days) == (1800, 60)
    assert (balance(seller, LedgerAccount.SELLER_PENDING), balance(seller, LedgerAccount.SELLER_RETAINED)) == (
        7200,
        1800,
    )
    assert retained_balance(seller=seller)[0].amount == 1800

    delivered(seller_order)
    seller_order_complete(seller_order=seller_order, actor=SYSTEM)  # the return window closes: 7200 payable
    assert balance(seller, LedgerAccount.SELLER_AVAILABLE) == 7200
    assert retained_sales_release_due_task() == 0  # not yet (the hourly sweep)
    assert retained_sales_release_due(now=timezone.now() + timedelta(days=60, minutes=1)) == 1
    assert retained_sales_release_due(now=timezone.now() + timedelta(days=61)) == 0  # once

    assert balance(seller, LedgerAccount.SELLER_RETAINED) == 0
    assert balance(seller, LedgerAccount.SELLER_AVAILABLE) == 9000
    for journal in LedgerEntry.objects.values("journal").annotate(total=Sum("amount")):
        assert journal["total"] == 0


def test_sales_outside_the_retainer_are_not_retained():
    seller = SellerFactory().organisation
    measure = payout_retainer_place(
        seller=seller, basis_points=1000, until=timezone.now() + timedelta(days=30), reason="Defects", actor=MANAGER
    )
    payout_measure_lift(measure=measure, reason="Reinstated for good", actor=MANAGER)

    paid((make_listing(seller=seller), 1))

    assert RetainedSale.objects.count() == 0


def test_a_deferral_keeps_the_seller_out_of_the_payout_run_until_its_day():
    seller = SellerFactory().organisation
    SellerPayoutAccount.objects.create(seller=seller, stripe_account_id="acct_test", payouts_enabled=True)
    seller_order = paid((make_listing(seller=seller, price_amount=10000), 1)).seller_orders.get()
    delivered(seller_order)
    seller_order_complete(seller_order=seller_order, actor=SYSTEM)
    today = timezone.localdate()
    payout_deferral_place(seller=seller, until=today + timedelta(days=10), reason="Under audit", actor=MANAGER)

    assert payouts_run(pay_date=today) == []
    assert payouts_run(pay_date=today + timedelta(days=10))[0].amount == 9000
    assert Payout.objects.count() == 1


def test_measures_are_validated_and_audited():
    from marketplace.models import AuditEvent

    seller = SellerFactory().organisation

    with pytest.raises(ApplicationError):
        payout_retainer_place(
            seller=seller, basis_points=0, until=timezone.now() + timedelta(days=1), reason="x", actor=MANAGER
        )
    with pytest.raises(ApplicationError):
        payout_deferral_place(seller=seller, until=date(2000, 1, 1), reason="x", actor=MANAGER)
    with pytest.raises(ApplicationError):
        payout_deferral_place(seller=seller, until=timezone.localdate() + timedelta(days=3), reason=" ", actor=MANAGER)
    first = payout_retainer_place(
        seller=seller, basis_points=500, until=timezone.now() + timedelta(days=5), reason="Defects", actor=MANAGER
    )
    payout_retainer_place(
        seller=seller, basis_points=1500, until=timezone.now() + timedelta(days=5), reason="Worse", actor=MANAGER
    )

    first.refresh_from_db()
    assert first.lifted_at is not None  # replaced
    assert PayoutMeasure.objects.filter(lifted_at__isnull=True).count() == 1
    assert list(AuditEvent.objects.filter(organisation=seller).values_list("to_status", flat=True).order_by("id")) == [
        "retainer 5 %",
        "lifted",
        "retainer 15 %",
    ]
