"""Seller lifecycle: apply, approve, the scheduled end of probation, decisions; audited, e-mailed, evented."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from catalog.models import Listing
from catalog.services.listings import listing_pause
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Event, Membership
from sellers.models import Seller
from sellers.notifications import notify_seller_status_task
from sellers.services.applications import Application, seller_apply
from sellers.services.lifecycle import (
    probation_end_due,
    seller_activate,
    seller_approve,
    seller_decide,
    seller_extend_probation,
    seller_reinstate,
    seller_start_review,
    seller_suspend,
    seller_terminate,
)
from sellers.states import SellerStatus
from sellers.tasks import probation_end_due_task
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.sellers import SellerFactory
from tests.sellers.conftest import PNG, pdf

pytestmark = pytest.mark.django_db


def application(**overrides):
    values = {
        "company_name": "Atelier Reboot",
        "legal_form": "limited_company",
        "vat_id": "FR 40 303265045",
        "home_market": "fr",
        "address_line": "3 rue Oberkampf",
        "postal_code": "75011",
        "city": "Paris",
        "contact_name": "Inès Durand",
        "contact_email": "ines@reboot.test",
        "contact_phone": "+33 6 00 00 00 00",
        "monthly_capacity": 300,
        "capacity_description": "4 technicians, 40-point test protocol.",
        "charter_accepted": True,
    }
    values.update(overrides)
    return Application(**values)


def manager_actor():
    return Actor.for_user(UserFactory(is_staff=True))


def test_apply_creates_the_seller_its_owner_and_documents(private_media, django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        seller = seller_apply(user=user, application=application(), documents=[pdf()])

    assert seller.status == SellerStatus.APPLIED
    assert seller.vat_id == "FR40303265045"
    assert seller.charter_version == "2026-09"
    assert seller.charter_accepted_at is not None
    assert Membership.objects.get(organisation=seller.organisation).user == user
    document = seller.documents.get()
    assert (document.content_type, document.original_name) == ("application/pdf", "workshop.pdf")
    assert (private_media / document.file.name).exists()
    assert Event.objects.get().data["to"] == "applied"
    assert len(callbacks) == 2  # applicant e-mail, success managers e-mail


@pytest.mark.parametrize(
    ("overrides", "documents", "field", "message_part"),
    [
        ({"vat_id": "DE123"}, None, "vat_id", "not a valid VAT id"),
        ({"charter_accepted": False}, None, "charter_accepted", "quality charter"),
        ({}, [], "documents", "at least one"),
        ({}, [pdf("fake.pdf", b"MZ\x90\x00 this is an exe")], "documents", "checked by content"),
        ({}, [pdf("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))], "documents", "larger than 10 MB"),
        ({"home_market": "zz"}, None, "home_market", "Choose the country"),
    ],
)
def test_an_invalid_application_saves_nothing_and_names_the_field(
    private_media, overrides, documents, field, message_part
):
    with pytest.raises(ApplicationError) as error:
        seller_apply(
            user=UserFactory(),
            application=application(**overrides),
            documents=[pdf()] if documents is None else documents,
        )

    assert error.value.code == ErrorCode.VALIDATION
    assert any(e["field"] == field and message_part in e["message"] for e in error.value.errors), error.value.errors
    assert Seller.objects.count() == 0
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_a_png_is_accepted_whatever_its_name(private_media):
    upload = pdf("scan.pdf", PNG)

    seller = seller_apply(user=UserFactory(), application=application(), documents=[upload])

    assert seller.documents.get().content_type == "image/png"


def test_the_same_vat_id_cannot_apply_twice(private_media):
    seller_apply(user=UserFactory(), application=application(), documents=[pdf()])

    with pytest.raises(ApplicationError) as error:
        seller_apply(user=UserFactory(), application=application(company_name="Other"), documents=[pdf()])

    assert error.value.errors == [{"field": "vat_id", "message": "A seller with this VAT id has already applied."}]


def test_approval_starts_a_40_day_probation_audited_and_evented(django_capture_on_commit_callbacks):
    seller = SellerFactory(applied=True)
    actor = manager_actor()

    with django_capture_on_commit_callbacks() as callbacks:
        seller_approve(seller=seller, actor=actor, reason="Documents check out")

    assert seller.status == SellerStatus.PROBATION
    assert seller.probation_ends_at - seller.probation_started_at == timedelta(days=40)
    audit = AuditEvent.objects.get(content_type=ContentType.objects.get_for_model(Seller))
    assert (audit.from_status, audit.to_status, audit.reason, audit.actor_user) == (
        "applied",
        "probation",
        "Documents check out",
        actor.user,
    )
    event = Event.objects.get(type="seller.status_changed")
    assert (event.data["from"], event.data["to"]) == ("applied", "probation")
    assert len(callbacks) == 1


def test_a_decision_by_a_person_needs_a_reason():
    seller = SellerFactory(applied=True)

    with pytest.raises(ApplicationError) as error:
        seller_approve(seller=seller, actor=manager_actor(), reason="  ")

    assert error.value.errors[0]["field"] == "reason"
    seller.refresh_from_db()
    assert seller.status == SellerStatus.APPLIED


def test_a_move_outside_the_lifecycle_is_refused():
    seller = SellerFactory()  # active

    with pytest.raises(ApplicationError) as error:
        seller_approve(seller=seller, actor=manager_actor(), reason="again")

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert AuditEvent.objects.count() == 0


def test_the_status_email_goes_to_the_owner_and_contact_in_the_sellers_language():
    english = SellerFactory(in_probation=True, contact_email="ops@reboot.test", home_market_id="gb")
    french = SellerFactory(in_probation=True, contact_email="ops@atelier.test", home_market_id="fr")

    assert notify_seller_status_task(english.pk, "probation", "Welcome") == 1
    assert notify_seller_status_task(french.pk, "probation", "Bienvenue") == 1

    assert mail.outbox[0].to == ["ops@reboot.test"]
    assert mail.outbox[0].subject == "Encore: welcome, your probation starts now"
    assert "Welcome" in mail.outbox[0].body
    assert mail.outbox[1].subject == "Encore : bienvenue, votre période d\u2019essai commence"


def test_a_stale_status_email_is_not_sent():
    seller = SellerFactory()  # active

    assert notify_seller_status_task(seller.pk, "suspended", "") == 0
    assert mail.outbox == []


def _listings(seller, statuses):
    listings = []
    for status in statuses:
        listing = make_listing(seller=seller.organisation)
        if status == "paused":
            listing_pause(listing=listing, actor=Actor.system("tests"))
        listings.append(listing)
    return listings


def test_end_of_probation_pauses_only_active_listings_and_activation_resumes_exactly_them():
    seller = SellerFactory()
    active, own_pause = _listings(seller, ["active", "paused"])
    Seller.objects.filter(pk=seller.pk).update(
        status=SellerStatus.PROBATION,
        probation_started_at=timezone.now() - timedelta(days=41),
        probation_ends_at=timezone.now() - timedelta(days=1),
    )

    assert probation_end_due() == 1

    seller.refresh_from_db()
    assert seller.status == SellerStatus.UNDER_REVIEW
    statuses = dict(Listing.objects.values_list("pk", "status"))
    assert statuses == {active.pk: ListingStatus.PAUSED_BY_PLATFORM, own_pause.pk: ListingStatus.PAUSED}
    assert Event.objects.filter(type="listing.paused", data__listing=active.pk).count() == 1

    seller_activate(seller=seller, actor=manager_actor(), reason="Great first 40 days")

    statuses = dict(Listing.objects.values_list("pk", "status"))
    assert statuses == {active.pk: ListingStatus.ACTIVE, own_pause.pk: ListingStatus.PAUSED}


def test_the_scheduled_task_is_idempotent():
    seller = SellerFactory(in_probation=True)
    _listings(seller, ["active"])
    Seller.objects.filter(pk=seller.pk).update(probation_ends_at=timezone.now() - timedelta(minutes=1))

    assert probation_end_due_task() == 1
    assert probation_end_due_task() == 0
    assert AuditEvent.objects.filter(to_status="under_review").count() == 1
    assert AuditEvent.objects.filter(to_status="paused_by_platform").count() == 1


def test_sellers_still_inside_their_probation_are_left_alone():
    SellerFactory(in_probation=True)

    assert probation_end_due() == 0


def test_extension_starts_a_new_period_and_resumes_platform_paused_listings():
    seller = SellerFactory(in_probation=True)
    (listing,) = _listings(seller, ["active"])
    seller_start_review(seller=seller, actor=Actor.system())

    seller_extend_probation(seller=seller, actor=manager_actor(), reason="Needs more data")

    assert seller.status == SellerStatus.PROBATION
    assert seller.probation_ends_at > timezone.now() + timedelta(days=39)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ACTIVE


def test_termination_deactivates_every_listing_for_good():
    seller = SellerFactory(in_probation=True)
    _listings(seller, ["active", "paused"])
    seller_start_review(seller=seller, actor=Actor.system())

    seller_terminate(seller=seller, actor=manager_actor(), reason="Identifiers not as shipped", ground="fraud")

    assert set(Listing.objects.values_list("status", flat=True)) == {ListingStatus.DEACTIVATED}


def test_suspension_and_reinstatement():
    seller = SellerFactory()
    (listing,) = _listings(seller, ["active"])

    seller_suspend(seller=seller, actor=manager_actor(), reason="Defect rate")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PAUSED_BY_PLATFORM

    seller_reinstate(seller=seller, actor=manager_actor(), reason="Fixed")
    listing.refresh_from_db()
    assert (seller.status, listing.status) == (SellerStatus.ACTIVE, ListingStatus.ACTIVE)


def test_decisions_offered_depend_on_the_status():
    seller = SellerFactory(applied=True)

    with pytest.raises(ApplicationError):
        seller_decide(seller=seller, decision="terminate", actor=manager_actor(), reason="no")
    seller_decide(seller=seller, decision="reject", actor=manager_actor(), reason="Not a refurbisher")

    assert seller.status == SellerStatus.REJECTED
