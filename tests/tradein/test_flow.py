"""The trade-in loop through the services and the database: every state and every path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Event
from orders.models import BlockedDevice, LedgerEntry, StoreCreditAccount
from orders.services.wallet import store_credit_balance
from tests.factories.orders import imei
from tests.factories.tradein import (
    BROKEN,
    FAIR,
    GOOD,
    IBAN_FR,
    LIKE_NEW,
    SYSTEM,
    accepted,
    inspected,
    quote,
    received,
    wiped,
)
from tradein.models import TradeIn
from tradein.services.counter_offers import counter_offer_accept, counter_offer_decline, counter_offers_lapse
from tradein.services.quotes import tradeins_expire_quotes, tradeins_expire_unsent
from tradein.services.warehouse import InspectionInput, tradein_inspect
from tradein.states import TradeInStatus

pytestmark = pytest.mark.django_db


def test_a_quote_prices_the_declared_condition_from_the_grid_for_14_days():
    tradein = quote(answers=GOOD)

    assert tradein.status == TradeInStatus.QUOTED
    assert tradein.declared_condition == "good"
    assert tradein.offer.as_dict() == {"amount": 25000, "currency": "EUR"}
    assert tradein.price_source == "grid"
    assert abs((tradein.expires_at - timezone.now()) - timedelta(days=14)) < timedelta(seconds=5)


def test_as_declared_with_store_credit_pays_the_price_plus_10_percent_at_once(
    shopper, django_capture_on_commit_callbacks
):
    tradein = inspected(owner=shopper)

    assert tradein.status == TradeInStatus.PAID
    assert tradein.final_amount == 30000
    assert store_credit_balance(user=shopper, currency="EUR").amount == 33000
    assert list(
        Event.objects.filter(type__startswith="tradein.").order_by("created_at").values_list("type", flat=True)
    ) == [
        "tradein.accepted",
        "tradein.received",
        "tradein.inspected",
        "tradein.paid",
    ]
    journal = LedgerEntry.objects.filter(kind="tradein_purchase")
    assert sorted(journal.values_list("account", "amount")) == [("store_credit", -33000), ("tradein_stock", 33000)]


def test_worse_than_declared_gets_a_counter_offer_with_its_reason_then_accepted_pays_it(shopper):
    tradein = inspected(owner=shopper, actual=FAIR)

    assert tradein.status == TradeInStatus.COUNTER_OFFERED
    assert tradein.counter_offer.amount == 18000
    assert tradein.counter_offer.reason == "screen_damage"

    tradein = counter_offer_accept(tradein=tradein, actor=SYSTEM)

    assert tradein.status == TradeInStatus.PAID
    assert store_credit_balance(user=shopper, currency="EUR").amount == 19800


def test_a_counter_offer_answered_twice_is_refused_the_second_time(shopper):
    tradein = inspected(owner=shopper, actual=FAIR)
    counter_offer_decline(tradein=tradein, actor=SYSTEM)

    with pytest.raises(ApplicationError) as error:
        counter_offer_accept(tradein=TradeIn.objects.get(pk=tradein.pk), actor=SYSTEM)

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert error.value.extra == {"status": "returned", "allowed": []}
    assert not StoreCreditAccount.objects.filter(user=shopper).exists()
    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.RETURNED
    assert tradein.counter_offer.outcome == "declined"
    assert tradein.counter_offer.return_tracking_number


def test_a_silent_counter_offer_sends_the_device_back_after_14_days(shopper):
    tradein = inspected(owner=shopper, actual=BROKEN)

    assert counter_offers_lapse(now=timezone.now() + timedelta(days=13)) == 0
    assert counter_offers_lapse(now=timezone.now() + timedelta(days=14, minutes=1)) == 1
    assert counter_offers_lapse(now=timezone.now() + timedelta(days=15)) == 0

    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.RETURNED
    assert tradein.counter_offer.outcome == "lapsed"


def test_a_blocklisted_device_is_held_and_never_paid(shopper, django_capture_on_commit_callbacks):
    BlockedDevice.objects.create(identifier=imei(77))
    tradein = received(owner=shopper)

    with django_capture_on_commit_callbacks() as callbacks:
        tradein = tradein_inspect(
            tradein=tradein,
            actor=SYSTEM,
            data=InspectionInput(answers=LIKE_NEW, identifier=imei(77), activation_lock=False),
        )

    assert tradein.status == TradeInStatus.HELD
    assert "blocklist" in tradein.held_reason
    assert len(callbacks) == 1
    assert not StoreCreditAccount.objects.filter(user=shopper).exists()
    assert not hasattr(TradeIn.objects.get(pk=tradein.pk), "payout")


def test_inspecting_a_trade_in_not_received_is_a_409_and_saves_nothing(shopper):
    tradein = accepted(owner=shopper)

    with pytest.raises(ApplicationError) as error:
        tradein_inspect(
            tradein=tradein,
            actor=SYSTEM,
            data=InspectionInput(answers=LIKE_NEW, identifier=imei(5), activation_lock=False),
        )

    assert error.value.status == 409
    assert error.value.extra["status"] == "accepted"
    assert not hasattr(TradeIn.objects.get(pk=tradein.pk), "inspection")


def test_an_activation_lock_makes_the_device_broken_whatever_was_ticked(shopper):
    tradein = received(owner=shopper)

    tradein = tradein_inspect(
        tradein=tradein, actor=SYSTEM, data=InspectionInput(answers=LIKE_NEW, identifier=imei(6), activation_lock=True)
    )

    assert tradein.status == TradeInStatus.COUNTER_OFFERED
    assert tradein.counter_offer.reason == "activation_lock"
    assert tradein.counter_offer.amount == 5000


def test_quotes_expire_after_14_days_and_unsent_trade_ins_after_21(shopper):
    stale = quote()
    unsent = accepted(owner=shopper)

    assert tradeins_expire_quotes(now=timezone.now() + timedelta(days=14, seconds=1)) == 1
    assert tradeins_expire_unsent(now=timezone.now() + timedelta(days=20)) == 0
    assert tradeins_expire_unsent(now=timezone.now() + timedelta(days=21, seconds=1)) == 1
    assert tradeins_expire_quotes(now=timezone.now() + timedelta(days=30)) == 0

    assert TradeIn.objects.get(pk=stale.pk).status == TradeInStatus.EXPIRED
    assert TradeIn.objects.get(pk=unsent.pk).status == TradeInStatus.EXPIRED


def test_bank_transfers_wait_for_their_sepa_file_then_are_paid(shopper, finance):
    from marketplace.actors import Actor
    from tradein.services.payouts import sepa_batch_create, sepa_batch_mark_sent

    tradein = inspected(owner=shopper, method="bank_transfer", iban=IBAN_FR)
    assert tradein.status == TradeInStatus.INSPECTED
    assert tradein.payout.status == "pending"

    batch = sepa_batch_create(actor=Actor.for_user(finance))
    assert batch is not None
    assert (batch.count, batch.total_amount) == (1, 30000)
    assert sepa_batch_create(actor=Actor.for_user(finance)) is None
    sepa_batch_mark_sent(batch=batch, actor=Actor.for_user(finance))

    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.PAID
    with pytest.raises(ApplicationError):
        sepa_batch_mark_sent(batch=batch, actor=Actor.for_user(finance))


def test_the_certificate_needs_a_final_price_and_is_issued_once(shopper, operator):
    tradein = wiped(inspected(owner=shopper), operator)

    assert tradein.certificate.number.startswith("EC-")
    assert tradein.certificate.operator_name == "Omar Operator"
    with pytest.raises(ApplicationError):
        wiped(tradein, operator)
    countered = inspected(owner=shopper, actual=FAIR, n=2)
    with pytest.raises(ApplicationError) as error:
        wiped(countered, operator)
    assert error.value.status == 409
