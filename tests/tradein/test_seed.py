"""The demo data: trade-ins in every state, a price grid, a lot; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tradein.models import Lot, PriceGridRow, TradeIn
from tradein.states import TradeInStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_every_trade_in_state_once():
    call_command("seed_demo", "--quiet-logins", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = {status: TradeIn.objects.filter(status=status).count() for status in TradeInStatus.values}
    grid = PriceGridRow.objects.count()
    lots = Lot.objects.count()  # trade-in's own, and the one workshop's demo routes to a refurbisher
    call_command("seed_demo", "--quiet-logins", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert all(count >= 1 for count in counts.values()), counts
    assert TradeIn.objects.count() == sum(counts.values())
    assert PriceGridRow.objects.count() == grid > 0
    assert Lot.objects.count() == lots >= 1
