"""After-sales pages through the browser's client: the shopper's claims, returns and reviews; the seller's
inboxes; the success console; the signed carrier-events endpoint. Bad input loses nothing and says why."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from marketplace.signatures import signature_header
from orders.models import Refund
from tests.factories import MembershipFactory, UserFactory
from tests.factories.orders import SYSTEM, imei
from tests.factories.warranty import delivered_units, jpeg, open_claim
from warranty.models import CarrierScan, Claim, ClaimPhoto, Return, Review, ReviewReport
from warranty.services.claims import claim_accept, claim_respond, claims_escalate_overdue
from warranty.services.reviews import review_report, review_submit
from warranty.states import ClaimStatus, ReturnStatus, ReviewStatus

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def seller_owner_of(db):
    def make(organisation):
        return MembershipFactory(organisation=organisation, role="owner").user

    return make


@pytest.fixture
def manager(db, settings):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    return user


# --- the shopper ---------------------------------------------------------------------------------------
def test_a_shopper_opens_a_claim_from_the_warranties_page(shopper, warranty):
    client = login(shopper)
    page = client.get("/account/warranties/").content.decode()
    assert f"/account/warranties/{warranty.pk}/claim/" in page

    response = client.post(
        f"/account/warranties/{warranty.pk}/claim/",
        {
            "category": "battery",
            "description": "The battery dies after an hour.",
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
        },
    )

    claim = Claim.objects.get()
    assert response["Location"] == f"/account/claims/{claim.pk}/"
    assert claim.photos.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "answers by" in page
    assert claim.reference in page
    assert page.count(f"/account/claims/{claim.pk}/photos/") == 4  # each photo: its link and its thumbnail


def test_the_deadline_is_shown_in_the_markets_time_zone_and_language(shopper):
    warranty = delivered_units(shopper, market="fr")[0]
    friday = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 23:30 on Friday in Paris
    claim = open_claim(warranty, now=friday)
    client = login(shopper)

    english = client.get(f"/account/claims/{claim.pk}/").content.decode()
    client.cookies["django_language"] = "fr"
    french = client.get(f"/account/claims/{claim.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    # Friday 23:30 in Paris: 2 business days -> Tuesday 24 November.
    assert "by Tue 24 Nov" in english
    assert "mar 24 Nov" in french  # Django's French day and month abbreviations


def test_a_claim_with_a_bad_photo_shows_the_error_next_to_the_field_and_saves_nothing(shopper, warranty, settings):
    client = login(shopper)
    fake = io.BytesIO(b"%PDF-1.7 invoice")
    fake.name = "screen.png"

    response = client.post(
        f"/account/warranties/{warranty.pk}/claim/",
        {"category": "technical_defect", "description": "The screen flickers.", "photos": [fake]},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "screen.png: only JPEG, PNG or HEIC photos are accepted." in page
    assert "The screen flickers." in page  # what was typed is kept
    settings.FILE_UPLOAD_MAX_BYTES = 50
    response = client.post(
        f"/account/warranties/{warranty.pk}/claim/",
        {"category": "technical_defect", "description": "The screen flickers.", "photos": [jpeg("huge.jpg")]},
    )
    assert response.status_code == 400
    assert "huge.jpg: the file is larger than" in response.content.decode()
    assert (Claim.objects.count(), ClaimPhoto.objects.count()) == (0, 0)


def test_a_claim_after_the_warranty_says_when_it_ended(shopper, warranty):
    warranty.starts_on -= timedelta(days=400)
    warranty.ends_on = warranty.starts_on + timedelta(days=365)
    warranty.save(update_fields=["starts_on", "ends_on"])

    response = login(shopper).post(
        f"/account/warranties/{warranty.pk}/claim/", {"category": "battery", "description": "Battery is weak now."}
    )

    assert response.status_code == 400
    assert "The warranty of this unit ended on" in response.content.decode()
    assert Claim.objects.count() == 0


def test_another_shoppers_warranty_claim_photo_and_label_are_404(shopper, warranty):
    claim = open_claim(warranty, photos=[jpeg()])
    photo = claim.photos.get()
    stranger = login(UserFactory())

    for url in (
        f"/account/warranties/{warranty.pk}/claim/",
        f"/account/claims/{claim.pk}/",
        f"/account/claims/{claim.pk}/photos/{photo.pk}/",
        f"/account/claims/{claim.pk}/label.pdf",
    ):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/account/claims/{claim.pk}/accept/").status_code == 404
    assert Client().get(f"/account/claims/{claim.pk}/").status_code == 302
    served = login(shopper).get(f"/account/claims/{claim.pk}/photos/{photo.pk}/")
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in served["Content-Disposition"]


def test_the_shopper_accepts_a_repair_and_prints_the_label(shopper, warranty):
    claim = claim_respond(claim=open_claim(warranty), resolution="repair", message="Send it, we fix it.", actor=SYSTEM)
    client = login(shopper)
    assert "Send it, we fix it." in client.get(f"/account/claims/{claim.pk}/").content.decode()

    client.post(f"/account/claims/{claim.pk}/accept/")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REPAIR
    pdf = client.get(f"/account/claims/{claim.pk}/label.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert claim.label.tracking_number in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_the_shopper_disputes_with_a_reason(shopper, warranty):
    claim = claim_respond(claim=open_claim(warranty), resolution="repair", message="Repair.", actor=SYSTEM)
    client = login(shopper)

    empty = client.post(f"/account/claims/{claim.pk}/dispute/", {"message": ""})
    assert empty.status_code == 400
    client.post(f"/account/claims/{claim.pk}/dispute/", {"message": "Third failure: I want a refund."})

    claim.refresh_from_db()
    assert (claim.status, claim.escalation_reason) == (ClaimStatus.ESCALATED, "disputed")


def test_a_return_from_the_order_page_label_at_once_and_refund_shown(shopper):
    warranties = delivered_units(shopper, quantity=2, price_amount=25000)
    seller_order = warranties[0].line.seller_order
    client = login(shopper)
    order_page = client.get(f"/account/orders/{seller_order.order.number}/").content.decode()
    url = f"/account/orders/{seller_order.order.number}/returns/{seller_order.pk}/"
    assert url in order_page
    assert "free returns until" in order_page

    assert client.post(url, {"reason": "changed_mind"}).status_code == 400  # no unit chosen
    response = client.post(url, {"units": [warranties[0].unit_id], "reason": "changed_mind"})

    ret = Return.objects.get()
    assert response["Location"] == f"/account/returns/{ret.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert ret.label.tracking_number in page
    assert client.get(f"/account/returns/{ret.pk}/label.pdf")["Content-Type"] == "application/pdf"
    from warranty.services.returns import return_receive

    return_receive(ret=ret, actor=SYSTEM)
    page = client.get(f"/account/returns/{ret.pk}/").content.decode()
    assert "€250.00 refunded on" in page
    assert login(UserFactory()).get(f"/account/returns/{ret.pk}/").status_code == 404


def test_after_thirty_days_the_return_page_says_when_the_window_ended(shopper):
    warranty = delivered_units(shopper)[0]
    seller_order = warranty.line.seller_order
    seller_order.delivered_at = timezone.now() - timedelta(days=31)
    seller_order.save(update_fields=["delivered_at"])

    page = (
        login(shopper).get(f"/account/orders/{seller_order.order.number}/returns/{seller_order.pk}/").content.decode()
    )

    assert "return window of this parcel ended on" in page
    assert 'name="units"' not in page


def test_the_shopper_reviews_and_edits_and_sees_the_reply(shopper, warranty):
    client = login(shopper)
    url = f"/account/reviews/{warranty.line_id}/"
    assert client.post(url, {"seller_stars": "9", "unit_stars": "5"}).status_code == 400

    client.post(url, {"seller_stars": "4", "unit_stars": "5", "text": "Works like new."})
    client.post(url, {"seller_stars": "5", "unit_stars": "5", "text": "Works like new, great seller."})

    review = Review.objects.get()
    assert (review.seller_stars, review.text) == (5, "Works like new, great seller.")
    from warranty.services.reviews import review_reply

    review_reply(review=review, seller=warranty.seller, text="Thanks a lot!", actor=SYSTEM)
    assert "Thanks a lot!" in client.get(url).content.decode()
    public = Client().get(f"/sellers/{warranty.seller.slug}/reviews/").content.decode()
    assert "Works like new, great seller." in public
    assert "Thanks a lot!" in public
    assert login(UserFactory()).get(url).status_code == 404


def test_anyone_logged_in_may_report_a_review(warranty, shopper):
    review = review_submit(
        line=warranty.line, shopper=shopper, seller_stars=1, unit_stars=1, text="Scam!!", actor=SYSTEM
    )
    reporter = login(UserFactory())

    reporter.post(f"/reviews/{review.pk}/report/", {"reason": "offensive", "details": "Insults."})

    assert ReviewReport.objects.get().reason == "offensive"
    assert Client().post(f"/reviews/{review.pk}/report/", {"reason": "spam"}).status_code == 302  # to log in
    assert ReviewReport.objects.count() == 1


# --- the seller ---------------------------------------------------------------------------------------
def test_the_seller_answers_with_only_what_the_rule_of_three_allows(warranty, seller_owner_of):
    from warranty.services.claims import claim_resolve, claim_unit_received

    first = claim_respond(claim=open_claim(warranty), resolution="repair", message="Repair.", actor=SYSTEM)
    claim_resolve(claim=claim_unit_received(claim=claim_accept(claim=first, actor=SYSTEM), actor=SYSTEM), actor=SYSTEM)
    second = open_claim(warranty, category="battery", description="Battery lasts two hours.")
    client = login(seller_owner_of(warranty.seller))

    page = client.get(f"/seller/claims/{second.pk}/").content.decode()
    assert 'value="replace"' in page
    assert 'value="repair"' not in page
    assert "technical claim number 2" in page

    refused = client.post(f"/seller/claims/{second.pk}/respond/", {"resolution": "refund", "message": "Refund."})
    assert refused.status_code == 400
    client.post(f"/seller/claims/{second.pk}/respond/", {"resolution": "replace", "message": "New unit."})
    second.refresh_from_db()
    assert (second.status, second.resolution) == (ClaimStatus.ANSWERED, "replace")


def test_the_seller_receives_the_unit_and_ships_a_replacement(warranty, seller_owner_of):
    claim = claim_accept(
        claim=claim_respond(claim=open_claim(warranty), resolution="replace", message="New one.", actor=SYSTEM),
        actor=SYSTEM,
    )
    client = login(seller_owner_of(warranty.seller))

    client.post(f"/seller/claims/{claim.pk}/unit-received/")
    bad = client.post(f"/seller/claims/{claim.pk}/resolve/", {"identifier": "12345"})
    assert bad.status_code == 400
    assert "not a valid IMEI" in bad.content.decode()
    client.post(f"/seller/claims/{claim.pk}/resolve/", {"identifier": imei(321)})

    claim.refresh_from_db()
    assert (claim.status, claim.outcome, claim.replacement_identifier) == (ClaimStatus.RESOLVED, "replaced", imei(321))


def test_the_seller_filters_claims_by_deadline(shopper, seller_owner_of):
    late = open_claim(delivered_units(shopper)[0])
    client = login(seller_owner_of(late.seller))
    assert late.reference in client.get("/seller/claims/?status=opened").content.decode()
    assert late.reference not in client.get("/seller/claims/?deadline=overdue").content.decode()
    Claim.objects.filter(pk=late.pk).update(answer_due_at=timezone.now() - timedelta(hours=1))
    assert late.reference in client.get("/seller/claims/?deadline=overdue").content.decode()


def test_the_seller_marks_a_return_received_and_the_customer_is_refunded(shopper, seller_owner_of):
    from warranty.services.claims import Claimant
    from warranty.services.returns import return_open

    warranty = delivered_units(shopper)[0]
    ret = return_open(
        seller_order=warranty.line.seller_order,
        units=[warranty.unit],
        reason="not_as_described",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )
    client = login(seller_owner_of(warranty.seller))
    assert ret.reference in client.get("/seller/returns/").content.decode()

    client.post(f"/seller/returns/{ret.pk}/receive/")

    ret.refresh_from_db()
    assert ret.status == ReturnStatus.REFUNDED
    assert Refund.objects.filter(idempotency_key=f"refund-return-{ret.pk}").exists()


def test_the_seller_replies_once_and_reports(warranty, shopper, seller_owner_of):
    review = review_submit(
        line=warranty.line, shopper=shopper, seller_stars=2, unit_stars=3, text="Slow.", actor=SYSTEM
    )
    client = login(seller_owner_of(warranty.seller))

    client.post(f"/seller/reviews/{review.pk}/reply/", {"text": "Sorry, the carrier was late."})
    client.post(f"/seller/reviews/{review.pk}/reply/", {"text": "Second try."})
    client.post(f"/seller/reviews/{review.pk}/report/", {"reason": "not_about_purchase"})

    review.refresh_from_db()
    assert review.reply_text == "Sorry, the carrier was late."
    assert ReviewReport.objects.get().reason == "not_about_purchase"
    page = client.get("/seller/reviews/").content.decode()
    assert "Sorry, the carrier was late." in page
    assert 'name="text"' not in page  # replied: no second form


# --- the console ------------------------------------------------------------------------------------------
def test_managers_decide_escalated_claims_with_a_reason(warranty, manager):
    claim = open_claim(warranty, photos=[jpeg()])
    claims_escalate_overdue(now=claim.answer_due_at + timedelta(seconds=1))
    client = login(manager)

    queue = client.get("/console/after-sales/claims/").content.decode()
    assert claim.reference in queue
    page = client.get(f"/console/after-sales/claims/{claim.pk}/").content.decode()
    assert claim.identifier in page
    assert "The unit&#x27;s history" in page or "The unit's history" in page
    photo = claim.photos.get()
    assert client.get(f"/console/after-sales/claims/{claim.pk}/photos/{photo.pk}/").status_code == 200

    no_reason = client.post(f"/console/after-sales/claims/{claim.pk}/decide/", {"decision": "reject", "reason": ""})
    assert no_reason.status_code == 400
    client.post(f"/console/after-sales/claims/{claim.pk}/decide/", {"decision": "reject", "reason": "Liquid damage."})

    claim.refresh_from_db()
    assert (claim.status, claim.outcome, claim.decision_reason) == (ClaimStatus.RESOLVED, "rejected", "Liquid damage.")
    assert login(UserFactory()).get(f"/console/after-sales/claims/{claim.pk}/").status_code == 403


def test_managers_moderate_reported_reviews(warranty, shopper, manager):
    review = review_submit(
        line=warranty.line, shopper=shopper, seller_stars=1, unit_stars=1, text="Idiots.", actor=SYSTEM
    )
    review_report(review=review, reporter=UserFactory(), reason="offensive", details="", actor=SYSTEM)
    client = login(manager)
    assert "Idiots." in client.get("/console/after-sales/reviews/").content.decode()

    client.post(f"/console/after-sales/reviews/{review.pk}/moderate/", {"decision": "hide", "reason": ""})
    review.refresh_from_db()
    assert review.status == ReviewStatus.VISIBLE  # a reason is required to hide
    client.post(f"/console/after-sales/reviews/{review.pk}/moderate/", {"decision": "hide", "reason": "Insults."})

    review.refresh_from_db()
    assert (review.status, review.hidden_reason) == (ReviewStatus.HIDDEN, "Insults.")
    assert "Idiots." not in Client().get(f"/sellers/{warranty.seller.slug}/reviews/").content.decode()


def test_a_scan_recorded_by_hand(shopper, manager):
    from warranty.services.claims import Claimant
    from warranty.services.returns import return_open

    warranty = delivered_units(shopper)[0]
    ret = return_open(
        seller_order=warranty.line.seller_order,
        units=[warranty.unit],
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )

    login(manager).post(
        "/console/after-sales/scans/", {"tracking_number": ret.label.tracking_number, "status": "delivered"}
    )

    ret.refresh_from_db()
    assert ret.refund_due_at is not None
    assert CarrierScan.objects.get().source == "manual"


def test_the_seller_review_page_shows_customer_feedback(warranty, shopper, manager):
    from sellers.models import Seller

    open_claim(warranty)
    review_submit(line=warranty.line, shopper=shopper, seller_stars=4, unit_stars=5, text="Good.", actor=SYSTEM)
    seller = Seller.objects.get(organisation=warranty.seller)

    page = login(manager).get(f"/console/sellers/{seller.pk}/").content.decode()

    assert "will show here once" not in page
    assert "4.0 / 5 from 1 review" in page
    assert "1 to answer" in page


# --- the carrier's endpoint ----------------------------------------------------------------------------
def _scan_body(tracking: str, event_id: str = "evt-1", status: str = "delivered") -> bytes:
    return json.dumps(
        {"id": event_id, "tracking_number": tracking, "status": status, "occurred_at": timezone.now().isoformat()}
    ).encode()


def test_signed_carrier_events_are_recorded_once_and_bad_ones_refused(shopper, settings):
    from warranty.services.claims import Claimant
    from warranty.services.returns import return_open

    settings.CARRIER_WEBHOOK_SECRETS = ["carrier-secret"]
    warranty = delivered_units(shopper)[0]
    ret = return_open(
        seller_order=warranty.line.seller_order,
        units=[warranty.unit],
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )
    client = Client()
    body = _scan_body(ret.label.tracking_number)

    def post(payload: bytes, header: str):
        return client.post(
            "/carrier/events/", payload, content_type="application/json", HTTP_ENCORE_CARRIER_SIGNATURE=header
        )

    good = signature_header(secrets=["carrier-secret"], body=body)
    assert post(body, good).json() == {"received": 1, "recorded": 1}
    assert post(body, good).json() == {"received": 1, "recorded": 0}  # a replay changes nothing
    assert post(body, signature_header(secrets=["wrong"], body=body)).status_code == 400
    stale = signature_header(secrets=["carrier-secret"], body=body, timestamp=int(time.time()) - 3600)
    assert post(body, stale).status_code == 400
    tampered = body.replace(b"delivered", b"in_transit")
    assert post(tampered, good).status_code == 400
    garbage = b'{"id": 1}'
    assert post(garbage, signature_header(secrets=["carrier-secret"], body=garbage)).status_code == 400
    naive = json.dumps(
        {"id": "e2", "tracking_number": "X", "status": "delivered", "occurred_at": "2026-11-20T10:00:00"}
    ).encode()
    assert post(naive, signature_header(secrets=["carrier-secret"], body=naive)).status_code == 400
    assert CarrierScan.objects.count() == 1
    ret.refresh_from_db()
    assert ret.refund_due_at is not None
    assert Client().get("/carrier/events/").status_code == 405


def test_without_a_secret_the_carrier_endpoint_refuses_everything(settings):
    settings.CARRIER_WEBHOOK_SECRETS = []
    body = _scan_body("ENCANY")
    response = Client().post(
        "/carrier/events/",
        body,
        content_type="application/json",
        HTTP_ENCORE_CARRIER_SIGNATURE=signature_header(secrets=[""], body=body),
    )
    assert response.status_code == 400
    assert CarrierScan.objects.count() == 0
