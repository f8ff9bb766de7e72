"""Warranty claims through the services and the database: the transition table, opening (and every
refusal, nothing saved), deadlines in business days per market, the rule of three, the conversation,
escalation and the success managers' decisions, the sweeps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Event
from marketplace.transitions import transition
from orders.models import BlockedDevice, LedgerEntry, LineHold, Refund
from orders.selectors import seller_balances
from tests.factories import UserFactory
from tests.factories.orders import SYSTEM, imei
from tests.factories.warranty import delivered_units, heic, jpeg, open_claim, png
from warranty.models import Claim, ClaimMessage, ClaimPhoto, Label, Warranty
from warranty.selectors import claim_allowed_resolutions, claim_position, claim_timeline
from warranty.services.claims import (
    claim_accept,
    claim_decide,
    claim_dispute,
    claim_message_post,
    claim_resolve,
    claim_respond,
    claim_unit_received,
    claims_accept_silent,
    claims_close_resolved,
    claims_escalate_overdue,
)
from warranty.states import CLAIM_TRANSITIONS, ClaimStatus, MessageAuthor, Resolution, allowed_resolutions

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


# --- the transition table --------------------------------------------------------------------------
ALLOWED = {
    ("opened", "answered"),
    ("opened", "escalated"),
    ("answered", "accepted"),
    ("answered", "escalated"),
    ("accepted", "in_repair"),
    ("accepted", "resolved"),
    ("escalated", "in_repair"),
    ("escalated", "resolved"),
    ("in_repair", "resolved"),
    ("in_repair", "escalated"),
    ("resolved", "closed"),
}


@pytest.mark.parametrize("source", ClaimStatus.values)
@pytest.mark.parametrize("target", ClaimStatus.values)
def test_the_claim_transition_table(source, target):
    assert (target in CLAIM_TRANSITIONS[source]) == ((source, target) in ALLOWED)


def test_a_move_outside_the_table_is_refused_naming_the_allowed_moves(warranty):
    claim = open_claim(warranty)

    with pytest.raises(ApplicationError) as error:
        transition(claim, to=ClaimStatus.RESOLVED, actor=SYSTEM, transitions=CLAIM_TRANSITIONS)

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert error.value.status == 409
    assert error.value.extra["allowed"] == ["answered", "escalated"]


# --- opening ----------------------------------------------------------------------------------------------
def test_a_claim_opens_with_its_deadline_a_payout_hold_an_event_and_photos(
    warranty, django_capture_on_commit_callbacks
):
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

    with django_capture_on_commit_callbacks() as callbacks:
        claim = open_claim(warranty, now=friday, photos=[jpeg(), png(), heic()])

    assert claim.status == ClaimStatus.OPENED
    # Opened on a Friday in France: answer by the end of Tuesday (2 business days), Paris time.
    assert claim.answer_due_at == datetime(2026, 11, 24, 23, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Paris"))
    (message,) = claim.messages.all()
    assert message.author_role == MessageAuthor.SHOPPER
    assert sorted(p.content_type for p in message.photos.all()) == ["image/heic", "image/jpeg", "image/png"]
    assert all(p.file.name.startswith(f"claim-photos/{claim.pk}/") for p in message.photos.all())
    hold = LineHold.objects.get(source=f"claim-{claim.pk}")
    assert (hold.units, hold.amount) == (1, 36000)  # 400.00 less 10 % commission
    (event,) = Event.objects.filter(type="claim.opened")
    assert (event.organisation_id, event.data["id"], event.data["status"]) == (claim.seller_id, claim.pk, "opened")
    assert AuditEvent.objects.filter(object_id=str(claim.pk), to_status="opened").exists()
    assert len(callbacks) >= 1  # the seller's e-mail


@pytest.mark.parametrize(
    ("market", "opened", "due"),
    [
        # Thursday 2 April 2026: Good Friday is a holiday in Germany and the UK, not in France;
        # Easter Monday in all three.
        ("fr", datetime(2026, 4, 2, 10, 0, tzinfo=UTC), date(2026, 4, 7)),
        ("de", datetime(2026, 4, 2, 10, 0, tzinfo=UTC), date(2026, 4, 8)),
        ("gb", datetime(2026, 4, 2, 10, 0, tzinfo=UTC), date(2026, 4, 8)),
        # Japan: Friday 20 Nov 23:30 UTC is already Saturday in Tokyo; Monday 23 Nov is Labour Thanksgiving Day.
        ("jp", datetime(2026, 11, 20, 23, 30, tzinfo=UTC), date(2026, 11, 25)),
        # US: Thanksgiving Thursday 26 Nov.
        ("us", datetime(2026, 11, 25, 15, 0, tzinfo=UTC), date(2026, 11, 30)),
    ],
)
def test_the_answer_deadline_is_two_business_days_of_the_market(shopper, market, opened, due):
    warranty = delivered_units(shopper, market=market)[0]
    claim = open_claim(warranty, now=opened)
    zone = ZoneInfo(claim.market.time_zone)
    assert claim.answer_due_at.astimezone(zone).date() == due
    assert claim.answer_due_at.astimezone(zone).time().hour == 23


def test_a_claim_after_the_warranty_ended_is_refused_with_the_end_date(warranty):
    after = datetime.combine(warranty.ends_on + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=12
    )

    with pytest.raises(ApplicationError) as error:
        open_claim(warranty, now=after)

    assert error.value.code == ErrorCode.WARRANTY_ENDED
    assert error.value.status == 422
    assert error.value.extra["warranty_ended_on"] == warranty.ends_on.isoformat()
    assert str(warranty.ends_on.year) in error.value.message
    assert Claim.objects.count() == 0


def test_the_last_day_of_the_warranty_is_still_covered(warranty):
    last = datetime.combine(warranty.ends_on, datetime.min.time(), tzinfo=ZoneInfo("Europe/Paris")) + timedelta(
        hours=20
    )
    assert open_claim(warranty, now=last).status == ClaimStatus.OPENED


def test_a_unit_not_delivered_is_refused(shopper):
    from tests.factories.catalog import make_listing
    from tests.factories.orders import paid, ship
    from warranty.services.claims import Claimant, claim_open

    seller_order = paid((make_listing(stock=1), 1), buyer=shopper).seller_orders.get()
    ship(seller_order)
    line = seller_order.lines.get()

    with pytest.raises(ApplicationError) as error:
        claim_open(
            line=line,
            identifier=imei(1),
            claimant=Claimant(shopper=shopper),
            category="battery",
            description="It will not hold a charge at all.",
            actor=SYSTEM,
        )

    assert error.value.code == ErrorCode.UNIT_NOT_DELIVERED
    assert Claim.objects.count() == 0


def test_an_unknown_unit_or_a_bad_shape_is_a_field_error(warranty):
    from warranty.services.claims import Claimant, claim_open

    line = warranty.line
    cases = [
        ({"identifier": imei(99)}, "unit"),
        ({"identifier": "not an imei!"}, "unit"),
        ({"category": "broken"}, "category"),
        ({"description": "short"}, "description"),
        ({"description": ""}, "description"),
    ]
    for overrides, field in cases:
        values = {
            "identifier": warranty.identifier,
            "category": "technical_defect",
            "description": "It reboots all the time.",
        }
        values.update(overrides)
        with pytest.raises(ApplicationError) as error:
            claim_open(line=line, claimant=Claimant(shopper=warranty.shopper), actor=SYSTEM, **values)
        assert error.value.status == 400, overrides
        assert field in [e["field"] for e in error.value.errors], overrides
    assert Claim.objects.count() == 0


def test_photos_of_the_wrong_type_or_too_large_are_field_errors_and_nothing_is_saved(warranty, settings, private_media):
    settings.CLAIM_PHOTO_MAX_BYTES = 1024
    renamed_pdf = SimpleUploadedFile("holiday.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")
    big = jpeg("big.jpg", size=(400, 400))
    fake_png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, content_type="image/png")

    for photos, expected in (
        ([renamed_pdf], "holiday.jpg: only JPEG, PNG or HEIC photos are accepted."),
        ([big], "big.jpg: the file is larger than 0 MB."),
        ([fake_png], "x.png: only JPEG, PNG or HEIC photos are accepted."),
        ([jpeg(f"{n}.jpg") for n in range(6)], "At most 5 photos at a time."),
    ):
        with pytest.raises(ApplicationError) as error:
            open_claim(warranty, photos=photos)
        assert error.value.code == ErrorCode.VALIDATION
        assert {"field": "photos", "message": expected} in error.value.errors

    assert (Claim.objects.count(), ClaimPhoto.objects.count(), LineHold.objects.count()) == (0, 0, 0)
    assert not any(private_media.rglob("*.jpg")) if private_media.exists() else True


def test_one_open_claim_per_unit(warranty):
    first = open_claim(warranty)

    with pytest.raises(ApplicationError) as error:
        open_claim(warranty, category="cosmetic", description="A scratch on the back as well.")

    assert error.value.code == ErrorCode.CLAIM_ALREADY_OPEN
    assert error.value.status == 409
    assert error.value.extra["claim"] == first.pk
    assert Claim.objects.count() == 1


# --- the rule of three, through a whole purchase ---------------------------------------------------------
def _repair(claim, *, resolution=Resolution.REPAIR, identifier=""):
    claim = claim_respond(claim=claim, resolution=resolution, message="We will take care of it.", actor=SYSTEM)
    claim = claim_accept(claim=claim, actor=SYSTEM)
    assert claim.status == ClaimStatus.IN_REPAIR
    claim = claim_unit_received(claim=claim, actor=SYSTEM)
    return claim_resolve(claim=claim, actor=SYSTEM, identifier=identifier)


def test_the_rule_of_three_repair_then_only_replacement_then_only_refund(warranty):
    first = open_claim(warranty)
    assert claim_allowed_resolutions(first) == frozenset(Resolution)
    first = _repair(first)
    assert (first.status, first.outcome) == (ClaimStatus.RESOLVED, "repaired")

    second = open_claim(warranty, category="battery", description="The battery drains in two hours.")
    assert claim_position(second) == 2
    with pytest.raises(ApplicationError) as error:
        claim_respond(claim=second, resolution=Resolution.REPAIR, message="We can repair it.", actor=SYSTEM)
    assert error.value.code == ErrorCode.RESOLUTION_NOT_ALLOWED
    assert error.value.status == 422
    assert error.value.extra["allowed"] == ["replace"]
    assert "replacement" in error.value.message
    second = _repair(second, resolution=Resolution.REPLACE, identifier=imei(501))
    assert (second.status, second.outcome, second.replacement_identifier) == (
        ClaimStatus.RESOLVED,
        "replaced",
        imei(501),
    )

    # The replacement carries the rest of the original warranty; claims on it name its own identifier.
    replacement = Warranty.objects.get(identifier=imei(501))
    assert (replacement.original_id, replacement.ends_on) == (warranty.pk, warranty.ends_on)
    with pytest.raises(ApplicationError) as error:
        open_claim(warranty)
    assert error.value.code == ErrorCode.UNIT_REPLACED
    assert imei(501) in error.value.message

    third = open_claim(replacement)
    assert third.purchase_id == warranty.pk
    assert claim_allowed_resolutions(third) == frozenset({Resolution.REFUND})
    for refused in (Resolution.REPAIR, Resolution.REPLACE):
        with pytest.raises(ApplicationError) as error:
            claim_respond(claim=third, resolution=refused, message="No.", actor=SYSTEM)
        assert error.value.extra["allowed"] == ["refund"]
    third = claim_respond(claim=third, resolution=Resolution.REFUND, message="We refund you.", actor=SYSTEM)
    third = claim_accept(claim=third, actor=SYSTEM)

    assert (third.status, third.outcome) == (ClaimStatus.RESOLVED, "refunded")
    refund = Refund.objects.get(idempotency_key=f"refund-claim-{third.pk}")
    assert refund.amount == 40000
    # The purchase is refunded: its warranty has ended.
    replacement.refresh_from_db()
    assert replacement.refunded_at is not None
    with pytest.raises(ApplicationError) as error:
        open_claim(replacement)
    assert error.value.code == ErrorCode.WARRANTY_ENDED
    # Every hold was released, the ledger balances.
    assert LineHold.objects.filter(released_at__isnull=True).count() == 0
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0


def test_rejected_and_non_technical_claims_do_not_count(warranty):
    cosmetic = open_claim(warranty, category="cosmetic", description="Scratches not matching the grade.")
    assert claim_position(cosmetic) == 0
    claim_respond(claim=cosmetic, resolution=Resolution.REPAIR, message="We polish it.", actor=SYSTEM)
    cosmetic = claim_dispute(claim=Claim.objects.get(pk=cosmetic.pk), actor=SYSTEM, message="I want a refund.")
    claim_decide(claim=cosmetic, decision="repair", reason="A polish brings it to grade.", actor=SYSTEM)
    claim_resolve(claim=Claim.objects.get(pk=cosmetic.pk), actor=SYSTEM)

    dropped = open_claim(warranty)
    claims_escalate_overdue(now=dropped.answer_due_at + timedelta(seconds=1))
    claim_decide(
        claim=Claim.objects.get(pk=dropped.pk), decision="reject", reason="Liquid damage: not covered.", actor=SYSTEM
    )

    again = open_claim(warranty)
    assert claim_position(again) == 1
    assert claim_allowed_resolutions(again) == frozenset(Resolution)


@pytest.mark.parametrize(
    ("technical", "position", "allowed"),
    [
        (True, 1, {"repair", "replace", "refund"}),
        (True, 2, {"replace"}),
        (True, 3, {"refund"}),
        (True, 7, {"refund"}),
        (False, 0, {"repair", "replace", "refund"}),
        (False, 5, {"repair", "replace", "refund"}),
    ],
)
def test_allowed_resolutions(technical, position, allowed):
    assert allowed_resolutions(technical=technical, position=position) == allowed


# --- answers, disputes, decisions --------------------------------------------------------------------------
def test_the_shoppers_silence_accepts_after_seven_days(warranty):
    claim = open_claim(warranty)
    claim = claim_respond(claim=claim, resolution=Resolution.REFUND, message="Refund.", actor=SYSTEM)

    assert claims_accept_silent(now=claim.accept_by - timedelta(minutes=1)) == 0
    assert claims_accept_silent(now=claim.accept_by + timedelta(minutes=1)) == 1
    assert claims_accept_silent(now=claim.accept_by + timedelta(minutes=2)) == 0  # idempotent

    claim.refresh_from_db()
    assert (claim.status, claim.outcome, claim.accepted_silently) == (ClaimStatus.RESOLVED, "refunded", True)
    assert claim.messages.filter(note="accepted_silently").exists()


def test_a_dispute_escalates_and_a_manager_decides_with_a_reason(warranty):
    claim = open_claim(warranty)
    claim = claim_respond(claim=claim, resolution=Resolution.REPAIR, message="Send it in.", actor=SYSTEM)
    with pytest.raises(ApplicationError) as error:
        claim_dispute(claim=claim, actor=SYSTEM, message="  ")
    assert error.value.errors == [{"field": "message", "message": "Required."}]

    claim = claim_dispute(claim=claim, actor=SYSTEM, message="Third time it breaks, I want my money back.")
    assert (claim.status, claim.escalation_reason) == (ClaimStatus.ESCALATED, "disputed")
    assert Event.objects.filter(type="claim.escalated").count() == 1
    with pytest.raises(ApplicationError) as error:
        claim_decide(claim=claim, decision="refund", reason="", actor=SYSTEM)
    assert error.value.errors[0]["field"] == "reason"

    claim = claim_decide(claim=claim, decision="refund", reason="The unit failed twice in a month.", actor=SYSTEM)

    assert (claim.status, claim.outcome) == (ClaimStatus.RESOLVED, "refunded")
    assert claim.decision_reason == "The unit failed twice in a month."
    assert claim.messages.filter(author_role=MessageAuthor.MANAGER).exists()
    assert AuditEvent.objects.filter(object_id=str(claim.pk), to_status="resolved").get().reason == (
        "The unit failed twice in a month."
    )


def test_only_escalated_claims_are_decided_by_managers(warranty):
    claim = open_claim(warranty)
    with pytest.raises(ApplicationError) as error:
        claim_decide(claim=claim, decision="reject", reason="no", actor=SYSTEM)
    assert error.value.code == ErrorCode.INVALID_TRANSITION


def test_a_replacement_identifier_is_checked_like_at_shipping(warranty):
    BlockedDevice.objects.create(identifier=imei(666))
    claim = open_claim(warranty)
    claim = claim_respond(claim=claim, resolution=Resolution.REPLACE, message="New unit.", actor=SYSTEM)
    claim = claim_accept(claim=claim, actor=SYSTEM)

    for identifier, code in (
        ("", ErrorCode.VALIDATION),
        ("490154203237519", ErrorCode.INVALID_DEVICE_IDENTIFIER),  # bad Luhn digit
        (warranty.identifier, ErrorCode.VALIDATION),
        (imei(666), ErrorCode.DEVICE_BLOCKLISTED),
    ):
        with pytest.raises(ApplicationError) as error:
            claim_resolve(claim=claim, actor=SYSTEM, identifier=identifier)
        assert error.value.code == code, identifier
        assert error.value.errors[0]["field"] == "identifier"
    assert Warranty.objects.count() == 1


def test_the_repair_clock_starts_when_the_unit_is_received(warranty):
    claim = open_claim(warranty)
    claim = claim_respond(claim=claim, resolution=Resolution.REPAIR, message="Repair.", actor=SYSTEM)
    claim = claim_accept(claim=claim, actor=SYSTEM)
    assert Label.objects.get(claim=claim).tracking_number.startswith("ENC")
    monday = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)

    claim = claim_unit_received(claim=claim, actor=SYSTEM, now=monday)

    # 5 business days in France from Monday 21 Dec: 22, 23, 24, (25 Christmas), 28, 29.
    assert claim.repair_due_at.astimezone(ZoneInfo("Europe/Paris")).date() == date(2026, 12, 29)
    with pytest.raises(ApplicationError) as error:
        claim_unit_received(claim=claim, actor=SYSTEM)
    assert error.value.code == ErrorCode.INVALID_TRANSITION
    note = claim.messages.get(note="unit_received")
    assert "29" in note.text


# --- escalation and closing sweeps ------------------------------------------------------------------------
def test_missed_deadlines_escalate_by_themselves_and_count_against_the_seller(warranty, shopper):
    late = open_claim(warranty)
    other = open_claim(delivered_units(shopper)[0])
    in_time = claim_respond(claim=other, resolution=Resolution.REPAIR, message="Repair.", actor=SYSTEM)

    moved = claims_escalate_overdue(now=late.answer_due_at + timedelta(seconds=1))

    assert moved == 1
    late.refresh_from_db()
    assert (late.status, late.escalation_reason, late.deadline_missed) == (
        ClaimStatus.ESCALATED,
        "answer_overdue",
        True,
    )
    in_time.refresh_from_db()
    assert in_time.status == ClaimStatus.ANSWERED
    assert claims_escalate_overdue(now=late.answer_due_at + timedelta(hours=1)) == 0
    (event,) = Event.objects.filter(type="claim.escalated")
    assert event.data["escalation_reason"] == "answer_overdue"
    assert late.messages.filter(note="answer_overdue").count() == 1
    assert (
        AuditEvent.objects.filter(object_id=str(late.pk), to_status="escalated").get().organisation_id == late.seller_id
    )


def test_an_overdue_repair_escalates(warranty):
    claim = open_claim(warranty)
    claim = claim_respond(claim=claim, resolution=Resolution.REPAIR, message="Repair.", actor=SYSTEM)
    claim = claim_unit_received(claim=claim_accept(claim=claim, actor=SYSTEM), actor=SYSTEM)

    assert claims_escalate_overdue(now=claim.repair_due_at + timedelta(seconds=1)) == 1

    claim.refresh_from_db()
    assert (claim.status, claim.escalation_reason) == (ClaimStatus.ESCALATED, "repair_overdue")
    claim = claim_decide(claim=claim, decision="refund", reason="Too long a wait for the customer.", actor=SYSTEM)
    assert claim.outcome == "refunded"


def test_resolved_claims_close_after_fourteen_days(warranty):
    claim = _repair(open_claim(warranty))

    assert claims_close_resolved(now=claim.resolved_at + timedelta(days=13)) == 0
    assert claims_close_resolved(now=claim.resolved_at + timedelta(days=15)) == 1

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLOSED
    with pytest.raises(ApplicationError) as error:
        claim_message_post(claim=claim, role=MessageAuthor.SHOPPER, actor=SYSTEM, body="Thanks!")
    assert error.value.code == ErrorCode.INVALID_TRANSITION


# --- the conversation, holds, timeline -----------------------------------------------------------------------
def test_the_conversation_takes_messages_and_photos_from_both_sides(warranty):
    claim = open_claim(warranty)

    claim_message_post(claim=claim, role=MessageAuthor.SELLER, actor=SYSTEM, body="Could you send a photo of the back?")
    claim_message_post(claim=claim, role=MessageAuthor.SHOPPER, actor=SYSTEM, body="", photos=[jpeg("back.jpg")])
    with pytest.raises(ApplicationError) as error:
        claim_message_post(claim=claim, role=MessageAuthor.SHOPPER, actor=SYSTEM, body="   ")
    assert error.value.errors == [{"field": "message", "message": "Required."}]

    roles = list(ClaimMessage.objects.filter(claim=claim).values_list("author_role", flat=True))
    assert roles == ["shopper", "seller", "shopper"]
    assert ClaimPhoto.objects.filter(claim=claim).count() == 1


def test_the_units_money_is_held_while_the_claim_is_open(warranty):
    seller = warranty.seller
    before = seller_balances(seller=seller)[0]

    claim = open_claim(warranty)
    during = seller_balances(seller=seller)[0]
    _repair(claim)
    after = seller_balances(seller=seller)[0]

    assert during.held.amount == 36000
    assert during.pending.amount == before.pending.amount - 36000
    assert (after.held.amount, after.pending.amount) == (0, before.pending.amount)


def test_the_timeline_shows_done_steps_and_deadlines(warranty):
    opened = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    claim = open_claim(warranty, now=opened)

    steps = claim_timeline(claim, now=opened + timedelta(hours=1))

    assert [str(step.label) for step in steps] == ["Claim opened", "The seller answers"]
    assert steps[1].due == claim.answer_due_at
    assert not steps[1].overdue
    assert claim_timeline(claim, now=claim.answer_due_at + timedelta(seconds=1))[1].overdue


def test_another_shopper_cannot_see_the_claim(warranty):
    from django.http import Http404

    from warranty.selectors import claim_get_for_shopper

    claim = open_claim(warranty)
    with pytest.raises(Http404):
        claim_get_for_shopper(shopper=UserFactory(), id=claim.pk)
    assert claim_get_for_shopper(shopper=warranty.shopper, id=claim.pk).pk == claim.pk


def test_the_escalation_sweep_respects_its_bound(shopper):
    claims = [open_claim(w) for w in delivered_units(shopper, quantity=3)]
    later = max(c.answer_due_at for c in claims) + timedelta(seconds=1)

    assert claims_escalate_overdue(now=later, batch=2) == 2
    assert claims_escalate_overdue(now=later, batch=2) == 1
    assert Claim.objects.filter(status=ClaimStatus.ESCALATED).count() == 3


def test_claims_do_not_leave_the_ledger_unbalanced(warranty):
    _repair(open_claim(warranty))
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0
    assert timezone.now()
