"""E-mails where a person expects them, sent by tasks after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.i18n import email_language
from marketplace.models import Market
from orders import notifications, tasks
from orders.services.fulfilment import seller_order_cancel
from orders.states import CancelledBy
from tests.factories import MembershipFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, imei, paid, ship
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


def test_paid_shipped_and_cancelled_emails(seller_org, shopper):
    owner = MembershipFactory(organisation=seller_org, role="owner").user
    listing = make_listing(seller=seller_org, stock=2)
    order = paid((listing, 1), buyer=shopper)

    assert notifications.order_paid_notify_task(order.pk) == 2
    confirmation, new_order = mail.outbox
    assert order.number in confirmation.subject
    assert confirmation.to == ["buyer@example.test"]
    assert f"/account/orders/{order.number}/" in confirmation.body
    assert new_order.to == [owner.email]
    assert "499,00\u00a0€" in new_order.body

    seller_order = order.seller_orders.get()
    ship(seller_order)
    assert notifications.seller_order_shipped_notify_task(seller_order.pk) == 1
    assert "6A123456789" in mail.outbox[-1].body

    other = paid((listing, 1), buyer=shopper).seller_orders.get()
    seller_order_cancel(seller_order=other, actor=SYSTEM, by=CancelledBy.SELLER)
    assert notifications.seller_order_cancelled_notify_task(other.pk) == 1
    assert "499,00\u00a0€" in mail.outbox[-1].body  # in the market's language (France: French)


def test_stale_notifications_send_nothing(shopper):
    order = paid((make_listing(stock=1), 1), buyer=shopper)
    seller_order = order.seller_orders.get()
    assert notifications.seller_order_shipped_notify_task(seller_order.pk) == 0  # not shipped
    assert notifications.seller_order_cancelled_notify_task(seller_order.pk) == 0


def test_the_periodic_tasks_run(shopper):
    assert tasks.orders_expire_unpaid_task() == 0
    assert tasks.seller_orders_auto_deliver_task() == 0
    assert tasks.seller_orders_complete_due_task() == 0
    assert tasks.payouts_run_task() == 0


def test_delivery_email_lists_each_units_warranty(shopper, django_capture_on_commit_callbacks):
    from tests.factories.orders import delivered

    order = paid((make_listing(stock=1), 1), buyer=shopper)
    seller_order = order.seller_orders.get()
    with django_capture_on_commit_callbacks() as callbacks:
        delivered(seller_order)
    assert len(callbacks) == 2  # shipped, delivered
    assert notifications.seller_order_delivered_notify_task(seller_order.pk) == 1
    body = mail.outbox[-1].body
    assert imei(1) in body
    assert "30" in body


@pytest.mark.parametrize(
    ("language", "written_in"),
    [("fr", "fr"), ("de", "de"), ("en", "en"), ("es", "es"), ("ja", "ja"), ("pt", "en"), (None, "en")],
)
def test_e_mails_are_in_the_markets_language_when_encore_ships_it(language, written_in):
    assert email_language(language) == written_in


@pytest.mark.parametrize(
    ("home_market", "subject"), [("de", "Neue Bestellung"), ("es", "Nuevo pedido"), ("us", "New order")]
)
def test_a_seller_reads_its_new_order_in_its_home_markets_language(shopper, home_market, subject):
    seller = SellerFactory(organisation__country=home_market, home_market=Market.objects.get(code=home_market))
    owner = MembershipFactory(organisation=seller.organisation, role="owner").user
    order = paid((make_listing(seller=seller.organisation, stock=1), 1), buyer=shopper)

    assert notifications.order_paid_notify_task(order.pk) == 2

    confirmation, new_order = mail.outbox
    assert confirmation.subject.startswith("Votre commande")  # the shopper's market: France
    assert new_order.to == [owner.email]
    assert new_order.subject.startswith(subject)
