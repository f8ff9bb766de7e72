"""The board's transition table: every move the seller may make, the three with their own door, and the
409 that names the allowed moves."""

from __future__ import annotations

import pytest

from marketplace.errors import ApplicationError, ErrorCode
from tests.factories.workshop import SYSTEM, listed_unit, ready_unit, received_unit
from workshop.models import Unit
from workshop.services.units import unit_transition
from workshop.states import ACTIVE, FINAL, SELLER_MOVES, TRANSITIONS, UnitStatus

S = UnitStatus

EXPECTED = {
    S.RECEIVED: {S.DIAGNOSED, S.PARTS, S.RECYCLED},
    S.DIAGNOSED: {S.IN_REPAIR, S.QUALITY_CHECK, S.PARTS, S.RECYCLED},
    S.IN_REPAIR: {S.QUALITY_CHECK, S.PARTS, S.RECYCLED},
    S.QUALITY_CHECK: {S.IN_REPAIR, S.READY, S.PARTS, S.RECYCLED},
    S.READY: {S.LISTED, S.IN_REPAIR, S.PARTS, S.RECYCLED},
    S.LISTED: {S.SOLD, S.READY},
    S.SOLD: set(),
    S.PARTS: set(),
    S.RECYCLED: set(),
}


def test_the_table_is_the_documented_one():
    assert {status: set(moves) for status, moves in TRANSITIONS.items()} == EXPECTED
    assert set(TRANSITIONS) == set(UnitStatus.values)


def test_the_seller_moves_are_the_table_but_the_three_with_their_own_door():
    own_door = {(S.QUALITY_CHECK, S.READY), (S.READY, S.LISTED), (S.LISTED, S.SOLD)}

    for status, moves in TRANSITIONS.items():
        assert SELLER_MOVES[status] == frozenset(to for to in moves if (status, to) not in own_door)


def test_final_statuses_go_nowhere_and_active_ones_somewhere():
    assert all(not TRANSITIONS[status] for status in FINAL)
    assert all(TRANSITIONS[status] for status in ACTIVE)
    assert set(UnitStatus.values) == ACTIVE | FINAL


pytestmark = pytest.mark.django_db


def test_a_move_the_table_does_not_allow_is_a_409_naming_the_allowed_ones(seller_org):
    unit = received_unit(seller_org)

    with pytest.raises(ApplicationError) as refused:
        unit_transition(unit=unit, actor=SYSTEM, to=S.READY)

    assert refused.value.code == ErrorCode.INVALID_TRANSITION
    assert refused.value.status == 409
    assert refused.value.extra["allowed"] == ["diagnosed", "parts", "recycled"]
    # The message names them too, in words (the board's and the API's detail).
    assert refused.value.message == (
        "A unit in Received cannot move to Ready to list. It can move to: Diagnosed, Parts, Recycled."
    )
    assert Unit.objects.get(pk=unit.pk).status == S.RECEIVED


def test_a_unit_in_quality_check_becomes_ready_only_through_a_passed_check(seller_org):
    unit = received_unit(seller_org)
    for to in (S.DIAGNOSED, S.QUALITY_CHECK):
        unit = unit_transition(unit=unit, actor=SYSTEM, to=to)

    with pytest.raises(ApplicationError) as refused:
        unit_transition(unit=unit, actor=SYSTEM, to=S.READY)

    assert refused.value.extra["allowed"] == ["in_repair", "parts", "recycled"]
    assert refused.value.message.endswith(
        "It can move to: In repair, Parts, Recycled. A unit becomes ready to list through a passed quality check."
    )


def test_a_ready_unit_is_listed_only_through_the_listing_step(seller_org):
    unit = ready_unit(seller_org)

    with pytest.raises(ApplicationError) as refused:
        unit_transition(unit=unit, actor=SYSTEM, to=S.LISTED)

    assert refused.value.extra["allowed"] == ["in_repair", "parts", "recycled"]
    assert refused.value.message.endswith("A ready unit is listed through the listing step.")


def test_a_final_unit_moves_no_further(seller_org):
    unit = unit_transition(unit=received_unit(seller_org), actor=SYSTEM, to=S.RECYCLED)

    with pytest.raises(ApplicationError) as refused:
        unit_transition(unit=unit, actor=SYSTEM, to=S.DIAGNOSED)

    assert refused.value.extra["allowed"] == []
    assert (
        refused.value.message
        == "A unit in Recycled cannot move to Diagnosed. It has left the workshop: it moves no further."
    )


def test_every_move_is_audited_with_its_note(seller_org):
    from django.contrib.contenttypes.models import ContentType

    from marketplace.models import AuditEvent

    unit = received_unit(seller_org)
    unit_transition(unit=unit, actor=SYSTEM, to=S.RECYCLED, note="liquid damage")

    rows = list(
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Unit), object_id=str(unit.pk))
        .order_by("pk")
        .values_list("from_status", "to_status", "reason", "organisation_id")
    )
    assert rows[0][:2] == ("", "received")
    assert rows[-1] == ("received", "recycled", "liquid damage", seller_org.pk)
    assert Unit.objects.get(pk=unit.pk).due_at is None


def test_taking_a_listed_unit_off_its_listing_lowers_the_stock_by_one(seller_org):
    unit, listing = listed_unit(seller_org)

    unit_transition(unit=unit, actor=SYSTEM, to=S.READY)

    listing.refresh_from_db()
    unit.refresh_from_db()
    assert (unit.status, unit.listing_id, listing.stock) == ("ready", None, 0)


def test_a_listed_unit_whose_listing_stock_is_all_sold_cannot_be_taken_off(seller_org):
    from tests.factories.orders import paid

    unit, listing = listed_unit(seller_org)
    paid((listing, 1))

    with pytest.raises(ApplicationError) as refused:
        unit_transition(unit=unit, actor=SYSTEM, to=S.READY)

    assert refused.value.code == ErrorCode.INVALID_TRANSITION
    assert Unit.objects.get(pk=unit.pk).status == "listed"
