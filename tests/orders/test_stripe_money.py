"""Stripe's money events beyond paid and failed, through the signed webhook: refunds made in Stripe's
dashboard, card disputes (opened, won, lost) and Connect accounts' state; the seller's payouts page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.models import AuditEvent
from marketplace.money import Money
from orders import notifications
from orders.models import (
    Dispute,
    DisputeStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    Payment,
    Payout,
    Refund,
    RefundStatus,
    SellerOrder,
    SellerPayoutAccount,
)
from orders.selectors import seller_balances, seller_payout_statement
from orders.services.fulfilment import seller_orders_complete_due
from orders.services.payouts import next_pay_date, payouts_run
from orders.services.refunds import refund_issue
from orders.states import SellerOrderStatus
from tests.factories import MembershipFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, paid
from tests.orders.conftest import account_enabled, sign, stripe_event

pytestmark = pytest.mark.django_db
WEBHOOK = "/payments/stripe/webhook/"


def deliver(event_type: str, data: dict, event_id: str | None = None) -> int:
    payload = stripe_event(event_type, data, event_id=event_id)
    return (
        Client()
        .post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload))
        .status_code
    )


def delivered_order(shopper, *, price: int = 40000):
    listing = make_listing(stock=2, price_amount=price)
    order = paid((listing, 1), buyer=shopper)
    seller_order = delivered(order.seller_orders.get(), delivered_at=timezone.now())
    return order, seller_order, listing.seller


def charge(payment: Payment, refunds: list[dict] | None) -> dict:
    data = {"id": f"ch_{uuid.uuid4().hex[:12]}", "object": "charge", "payment_intent": payment.reference}
    if refunds is not None:
        data["refunds"] = {"object": "list", "data": refunds}
    return data


def dashboard_refund(amount: int, refund_id: str | None = None) -> dict:
    return {
        "id": refund_id or f"re_{uuid.uuid4().hex[:12]}",
        "object": "refund",
        "amount": amount,
        "currency": "eur",
        "status": "succeeded",
        "metadata": {},
    }


# --- charge.refunded ---------------------------------------------------------------------------------
def test_a_refund_made_in_stripes_dashboard_is_recorded_once_and_debits_the_seller(stripe_fake, shopper):
    order, seller_order, seller = delivered_order(shopper)
    payment = order.payment
    net = seller_order.subtotal_amount - seller_order.commission_amount
    assert seller_balances(seller=seller)[0].pending.amount == net
    first = dashboard_refund(10000, "re_dash_1")
    event_id = "evt_refund_1"

    assert deliver("charge.refunded", charge(payment, [first]), event_id=event_id) == 200
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.reference, refund.seller_order_id) == (
        10000,
        RefundStatus.SUCCEEDED,
        "re_dash_1",
        seller_order.pk,
    )
    payment.refresh_from_db()
    assert payment.refunded_amount == 10000
    journal = LedgerEntry.objects.filter(refund=refund, kind=LedgerKind.REFUND)
    assert sum(entry.amount for entry in journal) == 0
    commission = round(10000 * seller_order.commission_amount / seller_order.subtotal_amount)
    assert seller_balances(seller=seller)[0].pending.amount == net - (10000 - commission)
    assert AuditEvent.objects.filter(content_type__model="refund", object_id=str(refund.pk)).exists()

    # The same event again, then Stripe's next charge.refunded listing the first refund with a second one.
    assert deliver("charge.refunded", charge(payment, [first]), event_id=event_id) == 200
    assert deliver("charge.refunded", charge(payment, [first, dashboard_refund(5000, "re_dash_2")])) == 200
    assert sorted(Refund.objects.values_list("reference", "amount")) == [("re_dash_1", 10000), ("re_dash_2", 5000)]
    payment.refresh_from_db()
    assert payment.refunded_amount == 15000


def test_a_refund_encore_made_is_not_recorded_again_when_stripe_reports_it(
    stripe_fake, shopper, django_capture_on_commit_callbacks
):
    order, seller_order, seller = delivered_order(shopper)
    payment = order.payment
    with django_capture_on_commit_callbacks(execute=True):
        refund_issue(
            payment=payment,
            amount=Money(8000, "EUR"),
            actor=SYSTEM,
            reason="return",
            idempotency_key="refund-return-1",
            seller_order=seller_order,
        )
    balance = seller_balances(seller=seller)[0]
    # The event leaves the refunds out (recent API versions): Encore asks Stripe for them.
    assert deliver("charge.refunded", charge(payment, None)) == 200
    assert Refund.objects.count() == 1
    assert seller_balances(seller=seller)[0] == balance
    payment.refresh_from_db()
    assert payment.refunded_amount == 8000


def test_a_charge_refunded_whose_refunds_cannot_be_read_is_answered_503_and_kept_for_the_retry(stripe_fake, shopper):
    order, _, _ = delivered_order(shopper)
    stripe_fake.fail_paths.add("/v1/refunds")
    payload = stripe_event("charge.refunded", charge(order.payment, None), event_id="evt_retry")
    post = lambda: Client().post(  # noqa: E731
        WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
    )
    assert post().status_code == 503
    stripe_fake.fail_paths.clear()
    stripe_fake.refunds["re_x"] = {**dashboard_refund(3000, "re_x"), "payment_intent": order.payment.reference}
    assert post().status_code == 200
    assert Refund.objects.get().reference == "re_x"


# --- disputes ----------------------------------------------------------------------------------------
def dispute(payment: Payment, amount: int, status: str = "needs_response", dispute_id: str = "dp_1") -> dict:
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "currency": "eur",
        "payment_intent": payment.reference,
        "charge": "ch_1",
        "reason": "fraudulent",
        "status": status,
    }


@pytest.fixture
def success_manager(db):
    manager = UserFactory(is_staff=True, email="manager@encore.test")
    manager.groups.add(Group.objects.get_or_create(name="success managers")[0])
    return manager


def test_a_dispute_holds_the_sellers_share_tells_them_and_shows_on_the_order_and_payouts_pages(
    stripe_fake, shopper, success_manager, django_capture_on_commit_callbacks, monkeypatch
):
    order, seller_order, seller = delivered_order(shopper)
    owner = MembershipFactory(organisation=seller, role="owner").user
    net = seller_order.subtotal_amount - seller_order.commission_amount
    queued: list[list[int]] = []
    monkeypatch.setattr(notifications.dispute_opened_notify_task, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver("charge.dispute.created", dispute(order.payment, seller_order.subtotal_amount)) == 200
        assert deliver("charge.dispute.created", dispute(order.payment, seller_order.subtotal_amount)) == 200
    row = Dispute.objects.get()
    assert (row.amount, row.held_amount, row.status, row.seller_id) == (
        seller_order.subtotal_amount,
        net,
        DisputeStatus.OPEN,
        seller.pk,
    )
    balance = seller_balances(seller=seller)[0]
    assert (balance.pending.amount, balance.held.amount) == (0, net)
    assert AuditEvent.objects.filter(content_type__model="dispute", to_status="open", organisation=seller).count() == 1
    assert queued == [[row.pk]]
    assert notifications.dispute_opened_notify_task(queued[0]) == 2
    assert {tuple(message.to) for message in mail.outbox} == {(owner.email,), ("manager@encore.test",)}
    assert order.number in mail.outbox[0].subject

    client = Client()
    client.force_login(owner)
    page = client.get(f"/seller/orders/{seller_order.pk}/").content.decode()
    assert 'data-testid="dispute"' in page
    assert "fraudulent" in page
    page = client.get("/seller/orders/payouts/").content.decode()
    assert 'data-kind="held_dispute"' in page
    assert 'data-testid="disputes"' in page


def test_a_dispute_won_releases_the_hold_and_tells_the_seller_and_the_managers(
    stripe_fake, shopper, success_manager, django_capture_on_commit_callbacks, monkeypatch
):
    order, seller_order, seller = delivered_order(shopper)
    owner = MembershipFactory(organisation=seller, role="owner").user
    net = seller_order.subtotal_amount - seller_order.commission_amount
    queued: list[list[int]] = []
    monkeypatch.setattr(notifications.dispute_closed_notify_task, "delay", queued.append)
    deliver("charge.dispute.created", dispute(order.payment, seller_order.subtotal_amount))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver("charge.dispute.closed", dispute(order.payment, seller_order.subtotal_amount, "won")) == 200
        assert deliver("charge.dispute.closed", dispute(order.payment, seller_order.subtotal_amount, "won")) == 200
    row = Dispute.objects.get()
    assert row.status == DisputeStatus.WON
    balance = seller_balances(seller=seller)[0]
    assert (balance.pending.amount, balance.held.amount) == (net, 0)
    assert LedgerEntry.objects.filter(kind=LedgerKind.DISPUTE_RELEASE).count() == 2
    assert queued == [[row.pk]]  # once: the repeated event closes nothing more

    mail.outbox.clear()
    assert notifications.dispute_closed_notify_task(queued[0]) == 2
    assert {tuple(message.to) for message in mail.outbox} == {(owner.email,), ("manager@encore.test",)}
    (to_manager,) = [message for message in mail.outbox if message.to == ["manager@encore.test"]]
    assert to_manager.subject == f"Card dispute on order {order.number} won: the hold is released"
    assert f"in favour of {seller.name}" in to_manager.body
    assert f"/seller/orders/{seller_order.pk}/" in to_manager.body


def test_a_dispute_lost_books_the_amount_as_lost_and_debits_the_sellers_share(stripe_fake, shopper, success_manager):
    order, seller_order, seller = delivered_order(shopper)
    payment = order.payment
    deliver("charge.dispute.created", dispute(payment, 30000, dispute_id="dp_lost"))
    held = Dispute.objects.get().held_amount
    net = seller_order.subtotal_amount - seller_order.commission_amount
    assert deliver("charge.dispute.closed", dispute(payment, 30000, "lost", dispute_id="dp_lost")) == 200
    row = Dispute.objects.get()
    assert row.status == DisputeStatus.LOST
    assert row.closed_at is not None
    balance = seller_balances(seller=seller)[0]
    assert (balance.pending.amount, balance.held.amount) == (net - held, 0)
    lost = LedgerEntry.objects.filter(kind=LedgerKind.DISPUTE_LOST)
    assert sum(entry.amount for entry in lost) == 0
    assert lost.get(account=LedgerAccount.CASH).amount == -30000
    payment.refresh_from_db()
    assert payment.refunded_amount == 30000  # what the cardholder got back cannot be refunded again
    assert AuditEvent.objects.filter(content_type__model="dispute", to_status="lost").count() == 1

    mail.outbox.clear()
    assert notifications.dispute_closed_notify_task([row.pk]) == 1  # the seller has no owner here: the manager
    (to_manager,) = mail.outbox
    held_text = f"€{held // 100}.{held % 100:02d}"
    assert to_manager.subject == f"Card dispute on order {order.number} lost: {held_text} debited"
    assert "in favour of the cardholder: €300.00 went back to them" in to_manager.body


# --- Connect onboarding ------------------------------------------------------------------------------
def test_the_owner_connects_the_payout_account_through_stripe_and_account_updated_enables_payouts(
    stripe_fake, seller_org, seller_owner
):
    client = Client()
    client.force_login(seller_owner)
    page = client.get("/seller/orders/payouts/").content.decode()
    assert 'data-state="none"' in page
    assert "Connect your payout account" in page

    response = client.post("/seller/orders/payouts/connect/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://connect.stripe.test/setup/e/acct_")
    (created,) = stripe_fake.calls("/v1/accounts")
    assert (created["type"], created["country"], created["capabilities[transfers][requested]"]) == (
        "express",
        seller_org.country.upper(),
        "true",
    )
    assert stripe_fake.keys("/v1/accounts") == [f"connect-account-{seller_org.pk}"]
    account = SellerPayoutAccount.objects.get(seller=seller_org)
    (link,) = stripe_fake.calls("/v1/account_links")
    assert link["account"] == account.stripe_account_id
    assert link["return_url"].endswith("/seller/orders/payouts/connect/return/")
    assert link["refresh_url"].endswith("/seller/orders/payouts/connect/refresh/")

    # The link expired: the refresh URL makes a new one for the same account (no second account).
    response = client.get("/seller/orders/payouts/connect/refresh/")
    assert response["Location"].startswith(f"https://connect.stripe.test/setup/e/{account.stripe_account_id}/")
    assert len(stripe_fake.calls("/v1/accounts")) == 1
    # Back from Stripe with details still due: the page says what Stripe needs.
    response = client.get("/seller/orders/payouts/connect/return/", follow=True)
    page = response.content.decode()
    assert 'data-state="onboarding"' in page
    assert "external_account" in page

    stripe_account = stripe_fake.accounts[account.stripe_account_id]
    assert deliver("account.updated", account_enabled(stripe_account)) == 200
    account.refresh_from_db()
    assert (account.details_submitted, account.payouts_enabled, account.requirements_due) == (True, True, [])
    assert AuditEvent.objects.filter(content_type__model="sellerpayoutaccount", to_status="ready").exists()
    assert 'data-state="ready"' in client.get("/seller/orders/payouts/").content.decode()


def test_connect_events_signed_with_the_connect_endpoints_own_secret_are_accepted(
    stripe_fake, seller_org, seller_owner, settings
):
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_connect_secret"
    client = Client()
    client.force_login(seller_owner)
    client.post("/seller/orders/payouts/connect/")
    account = SellerPayoutAccount.objects.get(seller=seller_org)
    payload = stripe_event("account.updated", account_enabled(stripe_fake.accounts[account.stripe_account_id]))

    def post(signature: str) -> int:
        return (
            Client()
            .post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
            .status_code
        )

    assert post(sign(payload, secret="whsec_someone_else")) == 400  # neither secret: refused, nothing changes
    account.refresh_from_db()
    assert account.payouts_enabled is False
    assert post(sign(payload, secret="whsec_connect_secret")) == 200
    account.refresh_from_db()
    assert account.payouts_enabled is True
    # The account endpoint's secret still verifies the platform's own events.
    assert deliver("account.updated", account_enabled(stripe_fake.accounts[account.stripe_account_id])) == 200


def test_only_an_owner_connects_and_the_admin_cannot_type_an_account(stripe_fake, seller_org, admin_client):
    member = MembershipFactory(organisation=seller_org, role="staff").user
    client = Client()
    client.force_login(member)
    assert client.post("/seller/orders/payouts/connect/").status_code == 403
    assert stripe_fake.calls("/v1/accounts") == []
    assert admin_client.get("/admin/orders/sellerpayoutaccount/add/").status_code == 403


def test_on_the_test_provider_connecting_makes_a_labelled_test_account(seller_org, seller_owner, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    client = Client()
    client.force_login(seller_owner)
    response = client.post("/seller/orders/payouts/connect/", follow=True)
    account = SellerPayoutAccount.objects.get(seller=seller_org)
    assert account.is_test
    assert account.payouts_enabled
    assert "Test account: no money moves" in response.content.decode()


def test_payouts_go_only_to_accounts_whose_payouts_stripe_enabled(stripe_fake, shopper):
    ready = make_listing(stock=1, price_amount=20000)
    waiting = make_listing(stock=1, price_amount=20000)
    for listing in (ready, waiting):
        seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
        delivered(seller_order, delivered_at=timezone.now())
    SellerPayoutAccount.objects.create(seller=ready.seller, stripe_account_id="acct_ready", payouts_enabled=True)
    SellerPayoutAccount.objects.create(seller=waiting.seller, stripe_account_id="acct_waiting")
    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))
    payouts_run()
    assert list(Payout.objects.values_list("seller_id", flat=True)) == [ready.seller_id]
    assert [call["destination"] for call in stripe_fake.calls("/v1/transfers")] == ["acct_ready"]


# --- the payouts page says why -----------------------------------------------------------------------
def test_the_payouts_statement_says_why_each_amount_is_or_is_not_paid(stripe_fake, shopper):
    listing = make_listing(stock=3, price_amount=30000)
    seller = listing.seller
    in_window = delivered(paid((listing, 1), buyer=shopper).seller_orders.get(), delivered_at=timezone.now())
    not_delivered = paid((listing, 1), buyer=shopper).seller_orders.get()
    statement = seller_payout_statement(seller=seller)
    assert statement.account_state == "none"
    assert not statement.paid_next
    kinds = {line.kind: line for line in statement.lines}
    assert kinds["return_window"].until == in_window.return_window_ends_at
    assert kinds["return_window"].amount.amount == in_window.subtotal_amount - in_window.commission_amount
    assert kinds["not_delivered"].seller_order == not_delivered

    seller_orders_complete_due(now=timezone.now() + timedelta(days=31))
    SellerPayoutAccount.objects.create(seller=seller, stripe_account_id="acct_s", payouts_enabled=True)
    statement = seller_payout_statement(seller=seller)
    assert statement.paid_next
    assert statement.next_pay_date.day in (6, 16, 26)
    assert [line.kind for line in statement.lines if line.kind == "payable"] == ["payable"]


def test_next_pay_date_is_todays_until_the_run_and_not_before_a_deferral():
    from datetime import UTC, date, datetime

    assert next_pay_date(now=datetime(2026, 3, 6, 4, 0, tzinfo=UTC)) == date(2026, 3, 6)
    assert next_pay_date(now=datetime(2026, 3, 6, 6, 0, tzinfo=UTC)) == date(2026, 3, 16)
    assert next_pay_date(now=datetime(2026, 3, 27, 6, 0, tzinfo=UTC)) == date(2026, 4, 6)
    assert next_pay_date(now=datetime(2026, 3, 1, tzinfo=UTC), not_before=date(2026, 3, 20)) == date(2026, 3, 26)


# --- delivered_at cannot buy an early payout ------------------------------------------------------------
def test_the_completion_job_counts_the_window_from_shipping_too_whatever_delivered_at_says(stripe_fake, shopper):
    listing = make_listing(stock=1, price_amount=20000)
    seller_order = delivered(paid((listing, 1), buyer=shopper).seller_orders.get())
    # A delivery time written around the services (the admin's shell, a bad import): 40 days before shipping.
    SellerOrder.objects.filter(pk=seller_order.pk).update(delivered_at=timezone.now() - timedelta(days=40))
    assert seller_orders_complete_due(now=timezone.now()) == 0
    assert SellerOrder.objects.get(pk=seller_order.pk).status == SellerOrderStatus.DELIVERED
    assert seller_orders_complete_due(now=timezone.now() + timedelta(days=31)) == 1


def test_a_seller_cannot_deliver_before_shipping_or_in_the_future(stripe_fake, shopper):
    from marketplace.errors import ApplicationError, ErrorCode
    from orders.services.fulfilment import seller_order_mark_delivered
    from tests.factories.orders import ship

    listing = make_listing(stock=1, price_amount=20000)
    owner = MembershipFactory(organisation=listing.seller, role="owner").user
    seller_order = ship(paid((listing, 1), buyer=shopper).seller_orders.get())
    for when in (seller_order.shipped_at - timedelta(minutes=1), timezone.now() + timedelta(hours=1)):
        with pytest.raises(ApplicationError) as error:
            seller_order_mark_delivered(seller_order=seller_order, actor=Actor.for_user(owner), delivered_at=when)
        assert error.value.code == ErrorCode.DELIVERY_TIME_OUT_OF_BOUNDS
    assert SellerOrder.objects.get(pk=seller_order.pk).delivered_at is None
