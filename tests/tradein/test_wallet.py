"""The device wallet: what a shopper bought and traded in, with warranty, trade-in value and guaranteed
buy-back, in a fixed number of queries; its reminders sent once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from orders.models import BuybackGuarantee
from orders.services.buyback import buyback_guarantees_take
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, paid
from tests.factories.tradein import grid, inspected
from tradein.models import WalletReminder
from tradein.notifications import wallet_reminder_notify_task
from tradein.services.wallet import wallet_reminders_send
from warranty.models import Warranty

pytestmark = pytest.mark.django_db


def _bought(shopper, *, price=40000, guarantee=False, deliver=True):
    listing = make_listing(stock=1, price_amount=price)
    grid(listing.variant)
    order = paid((listing, 1), buyer=shopper)
    if guarantee:
        buyback_guarantees_take(order=order, lines=list(order.seller_orders.get().lines.all()))
    if deliver:
        delivered(order.seller_orders.get())
    return order


def test_the_wallet_lists_every_device_with_its_warranty_value_and_guarantee(client):
    shopper = UserFactory()
    order = _bought(shopper, guarantee=True)
    _bought(shopper, deliver=False)
    traded = inspected(owner=shopper)
    client.force_login(shopper)

    page = client.get(reverse("tradein:account_devices")).content.decode()

    warranty = Warranty.objects.get(line__seller_order__order=order)
    guarantee = BuybackGuarantee.objects.get()
    assert "Covered until" in page
    assert "About €250.00 in good condition" in page  # the grid's good price
    assert "€240.00 this month" in page  # 60 % of 400.00
    assert reverse("tradein:guarantee_redeem", args=[guarantee.pk]) in page
    assert "on its way" in page
    assert traded.product.name in page
    assert f"…{warranty.identifier[-4:]}" in page
    assert "kg CO₂e" in page and "kg of e-waste" in page  # noqa: PT018


def test_the_wallet_costs_the_same_queries_for_one_or_three_purchases(client):
    shopper, other = UserFactory(), UserFactory()
    _bought(shopper, guarantee=True)
    for _ in range(3):
        _bought(other, guarantee=True)

    def queries(user) -> int:
        client.force_login(user)
        client.get(reverse("tradein:account_devices"))  # warm the shared caches (categories, markets)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("tradein:account_devices")).status_code == 200
        return len(captured)

    assert queries(shopper) == queries(other) == 7


def test_trade_it_in_opens_the_questionnaire_of_the_variant_bought(client):
    shopper = UserFactory()
    order = _bought(shopper)
    line = order.seller_orders.get().lines.get()
    client.force_login(shopper)

    page = client.get(reverse("tradein:account_devices")).content.decode()
    link = f"{reverse('tradein:sell_device', args=[line.product_slug])}?variant={line.listing.variant_id}"

    assert link in page
    sell = client.get(link).content.decode()
    assert (
        f'value="{line.listing.variant_id}" checked' in sell
        or f'name="variant" value="{line.listing.variant_id}"' in sell
    )


def test_reminders_go_once_before_a_warranty_ends_and_before_a_guarantee_expires(django_capture_on_commit_callbacks):
    shopper = UserFactory(email="owner@example.test")
    _bought(shopper, guarantee=True)
    warranty = Warranty.objects.get()
    guarantee = BuybackGuarantee.objects.get()
    early = timezone.now()
    late_warranty = timezone.make_aware(
        timezone.datetime.combine(warranty.ends_on - timedelta(days=20), timezone.datetime.min.time())
    )

    assert wallet_reminders_send(now=early) == 0
    with django_capture_on_commit_callbacks() as first:
        assert wallet_reminders_send(now=late_warranty) == 1
    assert wallet_reminders_send(now=late_warranty) == 0
    with django_capture_on_commit_callbacks() as second:
        assert wallet_reminders_send(now=guarantee.ends_at - timedelta(days=10)) == 1
    assert wallet_reminders_send(now=guarantee.ends_at - timedelta(days=5)) == 0
    assert (len(first), len(second)) == (1, 1)  # each e-mail queued after its commit
    for reminder in WalletReminder.objects.all():
        wallet_reminder_notify_task(reminder.pk)  # what the worker runs

    assert sorted(WalletReminder.objects.values_list("kind", flat=True)) == ["guarantee_ending", "warranty_ending"]
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2
    assert all(message.to == ["owner@example.test"] for message in mail.outbox)
    # Written in the language of the market the device was bought in (French here).
    language = guarantee.line.seller_order.order.market.language
    device = guarantee.line.product_name
    with translation.override(language):
        expected = sorted(
            [
                gettext("The warranty of your %(device)s ends soon") % {"device": device},
                gettext("Your guaranteed buy-back of the %(device)s ends soon") % {"device": device},
            ]
        )
    assert subjects == expected
