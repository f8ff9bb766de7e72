"""The demo data: each demo refurbisher's board has units in every state (some overdue), Renew Labs a routed
trade-in and a customer's return; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from workshop import seed as workshop_seed
from workshop.models import Unit
from workshop.states import UnitSource, UnitStatus

pytestmark = pytest.mark.django_db


def test_the_demo_boards_have_units_in_every_state():
    call_command("seed_demo", "--quiet-logins", stdout=open("/dev/null", "w"))  # noqa: SIM115
    total = Unit.objects.count()

    for slug in ("renew-labs", "phoenix-refurb"):
        units = Unit.objects.filter(seller__slug=slug)
        statuses = set(units.values_list("status", flat=True))
        assert statuses == set(UnitStatus.values), (slug, statuses)
        assert units.filter(due_at__lt=timezone.now()).exists(), slug  # overdue ones, red on the board
        assert units.filter(status=UnitStatus.SOLD, order_unit__isnull=False).exists(), slug
        assert units.filter(technician__isnull=False).exists(), slug
    renew = Unit.objects.filter(seller__slug="renew-labs")
    assert renew.filter(source=UnitSource.TRADEIN, tradein__isnull=False).exists()
    assert renew.filter(source=UnitSource.RETURN, returned_unit__isnull=False).exists()

    workshop_seed.seed_after(scale="demo", log=lambda message: None)

    assert Unit.objects.count() == total
