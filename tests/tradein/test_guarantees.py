"""Forward trade-in: a guaranteed buy-back redeemed (the price of the month, the unit bought in good
condition), refused when a condition fails, claimed once, checked again at inspection, and given back
when its trade-in falls through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.errors import ApplicationError, ErrorCode
from orders.buyback import add_months, buyback_schedule
from orders.models import BuybackGuarantee, BuybackGuaranteeStatus
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, paid
from tests.factories.tradein import FAIR, LIKE_NEW, SYSTEM, contact, grid
from tradein.models import PriceSource, TradeIn
from tradein.services.counter_offers import counter_offer_decline
from tradein.services.guarantees import guarantee_conditions_failed, guarantee_for_owner, guarantee_redeem
from tradein.services.quotes import PayoutChoice, tradein_quote_accept, tradeins_expire_quotes
from tradein.services.warehouse import InspectionInput, tradein_inspect, tradein_receive
from tradein.states import TradeInStatus

pytestmark = pytest.mark.django_db
CRACKED = {**LIKE_NEW, "screen": "cracked"}


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def guarantee(shopper):
    """A phone bought for 400.00 with its guaranteed buy-back, delivered (its unit's IMEI recorded)."""
    listing = make_listing(stock=1, price_amount=40000)
    grid(listing.variant)  # the grid's prices: like new 300, good 250, fair 180, broken 50
    order = paid((listing, 1), buyer=shopper)
    from orders.services.buyback import buyback_guarantees_take

    buyback_guarantees_take(order=order, lines=list(order.seller_orders.get().lines.all()))
    delivered(order.seller_orders.get())
    return BuybackGuarantee.objects.get()


def test_the_conditions_are_one_pure_rule():
    assert guarantee_conditions_failed(FAIR, liquid_damage=False) == []
    assert guarantee_conditions_failed({**CRACKED, "powers_on": "no"}, liquid_damage=True) == [
        "it switches on",
        "its screen is intact",
        "it has had no liquid damage",
    ]


def test_redeeming_starts_a_trade_in_at_this_months_guaranteed_price(shopper, guarantee):
    seven_months = add_months(guarantee.starts_at, 7) + timedelta(days=1)

    tradein = guarantee_redeem(
        guarantee=guarantee, owner=shopper, actor=SYSTEM, answers=FAIR, liquid_damage=False, now=seven_months
    )

    expected = buyback_schedule(guarantee.price_paid, "smartphones")[7]
    assert (tradein.status, tradein.offer, tradein.price_source) == (
        TradeInStatus.QUOTED,
        expected,
        PriceSource.GUARANTEE,
    )
    assert tradein.offer.amount > 18000  # fair on the grid pays 180: the guarantee pays more
    assert tradein.declared_identifier == guarantee.line.units.get().identifier
    guarantee.refresh_from_db()
    assert (guarantee.status, guarantee.redemption_reference) == (BuybackGuaranteeStatus.REDEEMED, tradein.reference)


def test_a_device_that_fails_a_condition_is_refused_by_name_and_nothing_is_claimed(shopper, guarantee):
    with pytest.raises(ApplicationError) as error:
        guarantee_redeem(guarantee=guarantee, owner=shopper, actor=SYSTEM, answers=CRACKED, liquid_damage=True)

    assert error.value.errors == [
        {"field": "condition", "message": "Required: its screen is intact."},
        {"field": "condition", "message": "Required: it has had no liquid damage."},
    ]
    assert TradeIn.objects.count() == 0
    guarantee.refresh_from_db()
    assert guarantee.status == BuybackGuaranteeStatus.ACTIVE


def test_a_guarantee_is_redeemed_once_and_only_by_its_buyer(shopper, guarantee):
    with pytest.raises(ApplicationError) as stranger:
        guarantee_for_owner(owner=UserFactory(), guarantee_id=guarantee.pk)
    tradein = guarantee_redeem(guarantee=guarantee, owner=shopper, actor=SYSTEM, answers=LIKE_NEW, liquid_damage=False)
    with pytest.raises(ApplicationError) as twice:
        guarantee_redeem(guarantee=guarantee, owner=shopper, actor=SYSTEM, answers=LIKE_NEW, liquid_damage=False)
    with pytest.raises(ApplicationError) as other_account:
        tradein_quote_accept(
            tradein=tradein,
            actor=SYSTEM,
            contact=contact(),
            payout=PayoutChoice(method="store_credit"),
            owner=UserFactory(),
        )

    assert stranger.value.code == ErrorCode.NOT_FOUND
    assert twice.value.code == ErrorCode.INVALID_TRANSITION
    assert other_account.value.code == ErrorCode.NOT_FOUND
    assert TradeIn.objects.count() == 1


def test_after_24_months_it_is_over(shopper, guarantee):
    with pytest.raises(ApplicationError) as error:
        guarantee_redeem(
            guarantee=guarantee,
            owner=shopper,
            actor=SYSTEM,
            answers=LIKE_NEW,
            liquid_damage=False,
            now=add_months(guarantee.starts_at, 24),
        )
    assert error.value.code == ErrorCode.QUOTE_EXPIRED


def _accepted_redemption(shopper, guarantee, answers=FAIR):
    tradein = guarantee_redeem(guarantee=guarantee, owner=shopper, actor=SYSTEM, answers=answers, liquid_damage=False)
    tradein = tradein_quote_accept(
        tradein=tradein, actor=SYSTEM, contact=contact(), payout=PayoutChoice(method="store_credit"), owner=shopper
    )
    return tradein_receive(tradein=tradein, actor=SYSTEM)


def test_at_inspection_scratches_do_not_lower_a_guaranteed_price(shopper, guarantee):
    tradein = _accepted_redemption(shopper, guarantee, answers=LIKE_NEW)
    unit = guarantee.line.units.get().identifier

    result = tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(answers=FAIR, identifier=unit, activation_lock=False, battery_health=85),
    )

    assert result.status == TradeInStatus.PAID
    assert result.final_amount == tradein.offer_amount


def test_at_inspection_a_cracked_screen_or_another_unit_gets_a_counter_offer(shopper, guarantee):
    tradein = _accepted_redemption(shopper, guarantee)

    result = tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(answers=FAIR, identifier="SN-NOT-THE-ONE", activation_lock=False),
    )

    assert result.status == TradeInStatus.COUNTER_OFFERED
    assert result.counter_offer.amount == 18000  # the grid's fair price
    assert result.counter_offer.note == "This is not the unit the guarantee covers (its IMEI or serial differs)."


def test_liquid_damage_found_is_a_counter_offer_with_its_reason(shopper, guarantee):
    tradein = _accepted_redemption(shopper, guarantee)
    unit = guarantee.line.units.get().identifier

    result = tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(answers=FAIR, identifier=unit, activation_lock=False, liquid_damage=True),
    )

    assert result.status == TradeInStatus.COUNTER_OFFERED
    assert (result.counter_offer.reason, result.counter_offer.amount) == ("liquid_damage", 5000)  # broken: 50
    assert result.inspection.liquid_damage is True


def test_a_trade_in_that_falls_through_gives_the_guarantee_back(shopper, guarantee):
    tradein = guarantee_redeem(guarantee=guarantee, owner=shopper, actor=SYSTEM, answers=FAIR, liquid_damage=False)
    assert tradeins_expire_quotes(now=timezone.now() + timedelta(days=15)) == 1
    guarantee.refresh_from_db()
    assert guarantee.status == BuybackGuaranteeStatus.ACTIVE

    tradein = _accepted_redemption(shopper, guarantee)
    tradein = tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(answers=CRACKED, identifier=guarantee.line.units.get().identifier, activation_lock=False),
    )
    counter_offer_decline(tradein=tradein, actor=SYSTEM)
    guarantee.refresh_from_db()
    assert guarantee.status == BuybackGuaranteeStatus.ACTIVE


def test_the_redeem_page_names_the_failed_conditions_and_offers_an_ordinary_quote(client, shopper, guarantee):
    client.force_login(shopper)
    url = reverse("tradein:guarantee_redeem", args=[guarantee.pk])

    refused = client.post(url, {**CRACKED, "liquid_damage": "no"})
    accepted = client.post(url, {**FAIR, "liquid_damage": "no"})

    assert refused.status_code == 400
    assert "It needs:" in refused.content.decode()
    assert "<li>its screen is intact</li>" in refused.content.decode()
    assert accepted.status_code == 302
    tradein = TradeIn.objects.get()
    assert accepted["Location"] == reverse("tradein:quote", args=[tradein.reference])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
