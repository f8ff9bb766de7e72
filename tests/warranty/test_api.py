"""The after-sales API as sellers and partners use it: shapes, scopes, scoping (404), problems (400, 409 naming
the allowed moves, 422 naming the rule), idempotent POSTs, photos by multipart, labels as PDFs."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from marketplace.models import Event, OrganisationKind
from orders.models import Refund
from tests.factories import OrganisationFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, imei, place
from tests.factories.warranty import delivered_units, jpeg, open_claim
from warranty.models import Claim, ClaimPhoto, Return
from warranty.services.claims import claim_respond
from warranty.states import ClaimStatus, Resolution

pytestmark = pytest.mark.django_db
CLAIMS = ["claims:write"]


@pytest.fixture
def claim(warranty):
    return open_claim(warranty)


def test_the_seller_lists_its_claims_only_and_filters_them(key_client, claim, shopper):
    other = open_claim(delivered_units(shopper)[0])  # another seller's
    client = key_client(claim.seller, CLAIMS)

    body = client.get("/api/v1/seller/claims/").json()

    assert [c["id"] for c in body["results"]] == [claim.pk]
    assert body["next"] is None
    item = body["results"][0]
    assert (item["status"], item["unit"], item["order"]) == (
        "opened",
        claim.identifier,
        claim.line.seller_order.order.number,
    )
    assert item["messages"][0]["author"] == "shopper"
    assert client.get("/api/v1/seller/claims/?status=answered").json()["results"] == []
    assert client.get("/api/v1/seller/claims/?deadline=overdue").json()["results"] == []
    problem = client.get("/api/v1/seller/claims/?status=lost")
    assert problem.status_code == 400
    assert problem.json()["errors"][0]["field"] == "status"
    assert client.get(f"/api/v1/seller/claims/{other.pk}/").status_code == 404


def test_the_claims_list_query_count_does_not_grow(key_client, shopper):
    seller = None
    for _ in range(3):
        warranty = delivered_units(shopper, **({"seller": seller} if seller else {}))[0]
        seller = warranty.seller
        open_claim(warranty)
    client = key_client(seller, CLAIMS)
    client.get("/api/v1/seller/claims/")  # the key's first use records it (once a minute)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/seller/claims/").status_code == 200
    for _ in range(4):
        open_claim(delivered_units(shopper, seller=seller)[0])
    with CaptureQueriesContext(connection) as more:
        assert client.get("/api/v1/seller/claims/").status_code == 200
    # The key, the claims with their order, label and refund, their messages, the messages' photos.
    assert len(more) == len(few) == 4


def test_scopes_and_kinds(key_client, claim, partner_org, api_client):
    assert api_client.get("/api/v1/seller/claims/").status_code == 401
    assert key_client(claim.seller, ["orders:read"]).get("/api/v1/seller/claims/").status_code == 403
    assert key_client(partner_org, CLAIMS).get("/api/v1/seller/claims/").status_code == 403


def test_answer_with_the_rule_of_three_and_a_conflict_naming_the_allowed_moves(key_client, claim):
    client = key_client(claim.seller, CLAIMS)
    url = f"/api/v1/seller/claims/{claim.pk}/respond/"

    assert client.post(url, {"resolution": "mend"}, format="json").status_code == 400
    response = client.post(
        url, {"resolution": "repair", "message": "We repair it."}, format="json", HTTP_IDEMPOTENCY_KEY="answer-1"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "answered"
    replay = client.post(
        url, {"resolution": "repair", "message": "We repair it."}, format="json", HTTP_IDEMPOTENCY_KEY="answer-1"
    )
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == response.json()

    again = client.post(url, {"resolution": "refund", "message": "Or a refund."}, format="json")
    assert again.status_code == 409
    problem = again.json()
    assert problem["type"].endswith("/invalid-transition")
    assert problem["allowed"] == ["accepted", "escalated"]
    assert again["Content-Type"] == "application/problem+json"


def test_the_second_technical_claim_can_only_be_a_replacement(key_client, warranty):
    from warranty.services.claims import claim_accept, claim_resolve, claim_unit_received

    first = claim_respond(claim=open_claim(warranty), resolution=Resolution.REPAIR, message="Repair.", actor=SYSTEM)
    claim_resolve(claim=claim_unit_received(claim=claim_accept(claim=first, actor=SYSTEM), actor=SYSTEM), actor=SYSTEM)
    second = open_claim(warranty, category="battery", description="The battery is at 60 % already.")
    client = key_client(warranty.seller, CLAIMS)

    response = client.post(
        f"/api/v1/seller/claims/{second.pk}/respond/", {"resolution": "repair", "message": "Repair."}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["type"].endswith("/resolution-not-allowed")
    assert response.json()["allowed"] == ["replace"]


def test_messages_with_photos_by_multipart_and_refused_photos(key_client, claim, settings):
    client = key_client(claim.seller, CLAIMS)
    url = f"/api/v1/seller/claims/{claim.pk}/messages/"

    response = client.post(url, {"message": "Please send a photo of the charging port."}, format="json")
    assert response.status_code == 201
    assert response.json()["messages"][-1]["author"] == "seller"

    response = client.post(url, {"message": "Here is ours.", "photos": [jpeg()]}, format="multipart")
    assert response.status_code == 201
    assert response.json()["messages"][-1]["photos"][0]["content_type"] == "image/jpeg"

    fake = io.BytesIO(b"MZ\x90\x00 an executable")
    fake.name = "port.jpg"
    refused = client.post(url, {"message": "x", "photos": [fake]}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "photos", "message": "port.jpg: only JPEG, PNG or HEIC photos are accepted."}
    ]

    settings.FILE_UPLOAD_MAX_BYTES = 100  # the upload handler drops the file as it streams in
    dropped = client.post(url, {"message": "big", "photos": [jpeg("big.jpg", size=(64, 64))]}, format="multipart")
    assert dropped.status_code == 400
    assert dropped.json()["errors"][0] == {"field": "photos", "message": "big.jpg: the file is larger than 10 MB."}
    assert ClaimPhoto.objects.count() == 1
    assert claim.messages.count() == 3


def test_repair_through_the_api(key_client, claim):
    from warranty.services.claims import claim_accept

    client = key_client(claim.seller, CLAIMS)
    client.post(
        f"/api/v1/seller/claims/{claim.pk}/respond/", {"resolution": "replace", "message": "New unit."}, format="json"
    )
    claim_accept(claim=Claim.objects.get(pk=claim.pk), actor=SYSTEM)

    received = client.post(f"/api/v1/seller/claims/{claim.pk}/unit-received/")
    assert received.status_code == 200
    assert received.json()["repair_due_at"] is not None
    assert client.post(f"/api/v1/seller/claims/{claim.pk}/unit-received/").status_code == 409
    bad = client.post(f"/api/v1/seller/claims/{claim.pk}/resolve/", {"identifier": "123"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "identifier"
    done = client.post(f"/api/v1/seller/claims/{claim.pk}/resolve/", {"identifier": imei(700)}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["outcome"], done.json()["replacement_unit"]) == (
        "resolved",
        "replaced",
        imei(700),
    )


def test_the_claim_event_carries_the_claim_as_its_get_returns_it(key_client, claim):
    event = Event.objects.get(type="claim.opened")
    got = key_client(claim.seller, CLAIMS).get(f"/api/v1/seller/claims/{claim.pk}/").json()
    assert set(event.data) == set(got)
    assert event.data["id"] == got["id"]


# --- seller: returns ------------------------------------------------------------------------------------
def test_the_seller_receives_a_return_and_the_refund_is_paid(key_client, shopper):
    from warranty.services.claims import Claimant
    from warranty.services.returns import return_open

    warranties = delivered_units(shopper, quantity=2, price_amount=12000)
    ret = return_open(
        seller_order=warranties[0].line.seller_order,
        units=[warranties[0].unit],
        reason="defective",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )
    client = key_client(ret.seller, CLAIMS)

    listed = client.get("/api/v1/seller/returns/?status=opened").json()["results"]
    assert [(r["id"], r["reason"], r["amount"]) for r in listed] == [
        (ret.pk, "defective", {"amount": 12000, "currency": "EUR"})
    ]
    response = client.post(f"/api/v1/seller/returns/{ret.pk}/receive/", HTTP_IDEMPOTENCY_KEY="recv-1")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["refund"]["amount"]["amount"]) == ("refunded", 12000)
    assert client.post(f"/api/v1/seller/returns/{ret.pk}/receive/").status_code == 409
    assert Refund.objects.count() == 1
    assert key_client(OrganisationFactory(), CLAIMS).get(f"/api/v1/seller/returns/{ret.pk}/").status_code == 404


# --- partner ----------------------------------------------------------------------------------------------
@pytest.fixture
def partner_unit(partner_org):
    listing = make_listing(stock=2, price_amount=30000)
    order = place((listing, 2), partner=partner_org, partner_reference="PO-77")
    seller_order = order.seller_orders.get()
    delivered(seller_order)
    return order, seller_order.lines.get()


def test_a_partner_opens_and_follows_a_claim(key_client, partner_org, partner_unit):
    _order, line = partner_unit
    client = key_client(partner_org, CLAIMS)
    body = {
        "order_line": line.pk,
        "unit": imei(1),
        "category": "technical_defect",
        "description": "No sound from the speaker.",
    }

    created = client.post("/api/v1/claims/", body, format="json", HTTP_IDEMPOTENCY_KEY="claim-1")

    assert created.status_code == 201
    claim = created.json()
    assert (claim["status"], claim["unit"], claim["label_url"]) == ("opened", imei(1), None)
    again = client.post("/api/v1/claims/", body, format="json")
    assert again.status_code == 409
    assert again.json()["type"].endswith("/claim-already-open")
    assert client.get(f"/api/v1/claims/{claim['id']}/").json()["id"] == claim["id"]
    assert client.get("/api/v1/claims/").json()["results"][0]["id"] == claim["id"]

    stored = Claim.objects.get(pk=claim["id"])
    claim_respond(claim=stored, resolution=Resolution.REPAIR, message="Send it to us.", actor=SYSTEM)
    accepted = client.post(f"/api/v1/claims/{claim['id']}/accept/").json()
    assert accepted["status"] == "in_repair"
    assert accepted["label_url"].endswith(f"/api/v1/claims/{claim['id']}/label/")
    pdf = client.get(f"/api/v1/claims/{claim['id']}/label/")
    assert pdf["Content-Type"] == "application/pdf"
    assert accepted["label"]["tracking_number"] in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    message = client.post(f"/api/v1/claims/{claim['id']}/messages/", {"message": "Sent today."}, format="json")
    assert message.status_code == 201
    assert message.json()["messages"][-1]["author"] == "partner"


def test_a_partner_claim_refused_for_a_rule_or_another_partners_order(key_client, partner_org, partner_unit):
    _order, line = partner_unit
    other = key_client(OrganisationFactory(kind=OrganisationKind.PARTNER), CLAIMS)
    body = {"order_line": line.pk, "unit": imei(1), "category": "battery", "description": "It lasts an hour."}

    assert other.post("/api/v1/claims/", body, format="json").status_code == 404
    unknown = key_client(partner_org, CLAIMS).post("/api/v1/claims/", {**body, "unit": imei(55)}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "unit"
    warranty = line.warranties.get(identifier=imei(1))
    warranty.starts_on -= timedelta(days=400)
    warranty.ends_on = warranty.starts_on + timedelta(days=365)
    warranty.save(update_fields=["starts_on", "ends_on"])
    ended = key_client(partner_org, CLAIMS).post("/api/v1/claims/", body, format="json")
    assert ended.status_code == 422
    assert ended.json()["warranty_ended_on"] == warranty.ends_on.isoformat()
    assert key_client(partner_org, ["orders:write"]).post("/api/v1/claims/", body, format="json").status_code == 403
    assert Claim.objects.count() == 0


def test_a_partner_disputes_an_answer(key_client, partner_org, partner_unit):
    _order, line = partner_unit
    client = key_client(partner_org, CLAIMS)
    claim_id = client.post(
        "/api/v1/claims/",
        {
            "order_line": line.pk,
            "unit": imei(2),
            "category": "cosmetic",
            "description": "Deep scratches on the screen.",
        },
        format="json",
    ).json()["id"]
    claim_respond(claim=Claim.objects.get(pk=claim_id), resolution=Resolution.REPAIR, message="Polish.", actor=SYSTEM)

    assert client.post(f"/api/v1/claims/{claim_id}/dispute/", {}, format="json").status_code == 400
    disputed = client.post(f"/api/v1/claims/{claim_id}/dispute/", {"message": "Scratches go deep."}, format="json")

    assert disputed.status_code == 200
    assert (disputed.json()["status"], disputed.json()["escalation_reason"]) == ("escalated", "disputed")


def test_a_partner_returns_units_of_a_parcel_and_gets_its_label(key_client, partner_org, partner_unit):
    order, line = partner_unit
    client = key_client(partner_org, ["orders:write"])

    created = client.post(
        f"/api/v1/orders/{order.pk}/returns/",
        {"lines": [{"order_line": line.pk, "quantity": 1}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="ret-1",
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["reason"], body["lines"]) == (
        "opened",
        "changed_mind",
        [{"order_line": line.pk, "quantity": 1}],
    )
    assert body["label_url"].endswith(f"/api/v1/returns/{body['id']}/label/")
    label = client.get(body["label_url"].split("testserver")[-1])
    assert label.status_code == 200
    assert body["label"]["tracking_number"] in PdfReader(io.BytesIO(label.content)).pages[0].extract_text()
    assert key_client(partner_org, CLAIMS).get(f"/api/v1/returns/{body['id']}/").json()["id"] == body["id"]
    assert (
        key_client(OrganisationFactory(kind="partner"), CLAIMS).get(f"/api/v1/returns/{body['id']}/").status_code == 404
    )

    too_many = client.post(
        f"/api/v1/orders/{order.pk}/returns/", {"lines": [{"order_line": line.pk, "quantity": 2}]}, format="json"
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"] == [
        {"field": "lines[0].quantity", "message": "Only 1 unit(s) of this line can be returned."}
    ]
    assert client.post(f"/api/v1/orders/{order.pk}/returns/", {"lines": []}, format="json").status_code == 400
    assert (
        client.post(
            f"/api/v1/orders/{order.pk}/returns/",
            {"lines": [{"order_line": line.pk, "quantity": 1}], "reason": "bored"},
            format="json",
        ).status_code
        == 400
    )
    assert Return.objects.count() == 1


def test_a_partner_return_after_the_window_is_refused_with_its_end(key_client, partner_org, partner_unit):
    order, line = partner_unit
    seller_order = line.seller_order
    seller_order.delivered_at -= timedelta(days=31)
    seller_order.save(update_fields=["delivered_at"])

    response = key_client(partner_org, ["orders:write"]).post(
        f"/api/v1/orders/{order.pk}/returns/", {"lines": [{"order_line": line.pk, "quantity": 1}]}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["type"].endswith("/return-window-closed")
    assert response.json()["return_window_ended_at"] is not None


def test_another_partners_order_cannot_be_returned(key_client, partner_unit):
    order, line = partner_unit
    other = key_client(OrganisationFactory(kind="partner"), ["orders:write"])
    assert (
        other.post(
            f"/api/v1/orders/{order.pk}/returns/", {"lines": [{"order_line": line.pk, "quantity": 1}]}, format="json"
        ).status_code
        == 404
    )
    assert ClaimStatus.OPENED  # the module's states are importable for the schema
