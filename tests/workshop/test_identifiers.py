"""Bad input at intake: Luhn, a duplicate of the seller's own, the blocklist (reported), another seller's
identifier (accepted, flagged to success managers, never revealed to the seller)."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.errors import ApplicationError, ErrorCode
from orders.models import BlockedDevice
from tests.factories.catalog import VariantFactory
from tests.factories.orders import imei
from tests.factories.workshop import SYSTEM, received_unit
from workshop import notifications
from workshop.models import IdentifierFlag, Unit
from workshop.services.units import unit_create, unit_transition, unit_update

pytestmark = pytest.mark.django_db


def _create(seller, identifier):
    return unit_create(seller=seller, actor=SYSTEM, identifier=identifier, variant=VariantFactory())


@pytest.fixture
def managers(db):
    from django.conf import settings
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    manager = UserFactory(is_staff=True, email="manager@encore.test")
    manager.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    return manager


@pytest.mark.parametrize(
    "identifier",
    ["356938035643808", "35693803564380", "3569380356438091", "AB", "ab cd!", "=SUM(A1)"],
)
def test_an_invalid_identifier_is_refused_naming_the_field(seller_org, identifier):
    with pytest.raises(ApplicationError) as refused:
        _create(seller_org, identifier)

    assert refused.value.code == ErrorCode.INVALID_DEVICE_IDENTIFIER
    assert refused.value.errors[0]["field"] == "identifier"
    assert not Unit.objects.exists()


def test_a_serial_and_an_imei_with_spaces_are_accepted(seller_org):
    assert _create(seller_org, "c02xk1abjg5h").identifier == "C02XK1ABJG5H"
    spaced = imei(7)
    assert _create(seller_org, f"{spaced[:5]} {spaced[5:]}").identifier == spaced


def test_an_identifier_the_seller_already_holds_is_refused_until_that_unit_leaves(seller_org):
    first = received_unit(seller_org, n=1)

    with pytest.raises(ApplicationError) as refused:
        _create(seller_org, first.identifier)
    assert refused.value.code == ErrorCode.UNIT_ALREADY_HELD
    assert first.reference in refused.value.message

    unit_transition(unit=first, actor=SYSTEM, to="recycled")
    assert _create(seller_org, first.identifier).identifier == first.identifier


def test_a_blocklisted_identifier_is_refused_and_reported(seller_org, managers, django_capture_on_commit_callbacks):
    BlockedDevice.objects.create(identifier=imei(66))

    with django_capture_on_commit_callbacks() as queued, pytest.raises(ApplicationError) as refused:
        _create(seller_org, imei(66))

    assert refused.value.code == ErrorCode.DEVICE_BLOCKLISTED
    assert refused.value.status == 422
    assert not Unit.objects.exists()
    flag = IdentifierFlag.objects.get()
    assert (flag.seller, flag.identifier, flag.reason, flag.unit) == (seller_org, imei(66), "blocklisted", None)
    assert len(queued) == 1
    assert notifications.identifier_flag_notify_task(flag.pk) == 1
    assert [m.to for m in mail.outbox] == [["manager@encore.test"]]
    assert imei(66) in mail.outbox[0].subject


def test_a_second_try_of_the_same_blocklisted_device_keeps_one_open_flag(seller_org):
    BlockedDevice.objects.create(identifier=imei(66))
    for _ in range(2):
        with pytest.raises(ApplicationError):
            _create(seller_org, imei(66))

    assert IdentifierFlag.objects.count() == 1


def test_another_sellers_identifier_is_accepted_flagged_and_never_revealed(
    seller_org, other_seller_org, managers, django_capture_on_commit_callbacks
):
    theirs = received_unit(other_seller_org, n=1)

    with django_capture_on_commit_callbacks() as queued:
        mine = _create(seller_org, theirs.identifier)

    assert mine.status == "received"
    flag = IdentifierFlag.objects.get()
    assert (flag.seller, flag.other_seller, flag.unit, flag.reason) == (
        seller_org,
        other_seller_org,
        mine,
        "held_elsewhere",
    )
    assert len(queued) == 1
    assert notifications.identifier_flag_notify_task(flag.pk) == 1
    assert other_seller_org.name in mail.outbox[0].body
    # A flag resolved meanwhile: the e-mail task sends nothing.
    from workshop.services.flags import flag_resolve

    flag_resolve(flag=flag, actor=SYSTEM, note="bought from them, invoice seen")
    assert notifications.identifier_flag_notify_task(flag.pk) == 0


def test_correcting_an_identifier_checks_it_again(seller_org):
    first, second = received_unit(seller_org, n=1), received_unit(seller_org, n=2)

    with pytest.raises(ApplicationError) as refused:
        unit_update(unit=second, actor=SYSTEM, identifier=first.identifier)
    assert refused.value.code == ErrorCode.UNIT_ALREADY_HELD

    updated = unit_update(unit=second, actor=SYSTEM, identifier=imei(5999))
    assert updated.identifier == imei(5999)


def test_the_database_refuses_two_active_units_with_one_identifier(seller_org):
    from django.db import IntegrityError, transaction

    unit = received_unit(seller_org)

    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(
            seller=seller_org,
            identifier=unit.identifier,
            identifier_kind="imei",
            variant=unit.variant,
            source="purchase",
            currency="EUR",
        )
