"""Business trade-in: a company's batch quoted from a CSV or JSON file (all or nothing, every error by row
and column), accepted with one payout (parcels and their labels), received by parcel, its counter-offers
answered in one step, its documents read back, its sweeps, and its isolation."""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from marketplace.errors import ApplicationError
from marketplace.models import Event
from orders.models import BlockedDevice
from tests.factories import MembershipFactory, OrganisationFactory
from tests.factories.catalog import VariantFactory
from tests.factories.orders import imei
from tests.factories.tradein import (
    FAIR,
    IBAN_FR,
    SYSTEM,
    batch_accepted,
    batch_csv,
    batch_quoted,
    business,
    priced_variant,
    quote,
    wiped,
)
from tradein.batch_files import parse_csv
from tradein.models import Batch, BatchParcel, TradeIn
from tradein.services.batches import (
    batch_accept,
    batches_expire_due,
    parcel_receive,
)
from tradein.services.quotes import PayoutChoice, tradeins_expire_quotes
from tradein.services.warehouse import InspectionInput, tradein_inspect
from tradein.states import BatchStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/tradein/batches/"
ANSWERS = "powers_on,screen,body,functions,battery,accounts_signed_out"


@pytest.fixture
def variant():
    return priced_variant(storage_gb=128)


@pytest.fixture
def partner():
    return business()


@pytest.fixture
def api(partner, key_client):
    return key_client(partner, ["tradein:write"])


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# --- the quote -----------------------------------------------------------------------------------------
def test_a_csv_batch_is_priced_device_by_device_into_one_quote(api, variant):
    body = (
        f"product,variant,identifier,{ANSWERS}\n"
        f"{variant.product.slug},{variant.pk},{imei(1)},yes,flawless,flawless,all_working,healthy,yes\n"
        f"{variant.product.slug},{variant.pk},{imei(2)},yes,deep_scratches,flawless,all_working,healthy,yes\n"
    )

    response = api.post(URL, data=body, content_type="text/csv")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "quoted"
    assert data["device_count"] == 2
    assert data["offer_total"] == {"amount": 30000 + 18000, "currency": "EUR"}
    assert [device["declared_condition"] for device in data["devices"]] == ["like_new", "fair"]
    assert [device["identifier"] for device in data["devices"]] == [imei(1), imei(2)]
    assert data["labels_url"] is None
    batch = Batch.objects.get()
    assert batch.expires_at == batch.created_at + timedelta(days=14)
    assert TradeIn.objects.filter(batch=batch, status="quoted").count() == 2


def test_a_json_batch_with_answers_or_a_condition(api, variant):
    rows = [
        {"product": variant.product.slug, "variant": variant.pk, "identifier": imei(3), "condition": "good"},
        {
            "product": variant.product.slug,
            "variant": variant.pk,
            "identifier": f"{imei(4)[:5]} {imei(4)[5:]}",  # spaces as printed on a box
            "answers": {
                **dict.fromkeys(ANSWERS.split(","), "yes"),
                "screen": "flawless",
                "body": "flawless",
                "functions": "all_working",
                "battery": "healthy",
            },
        },
    ]

    response = api.post(URL, data=rows, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["offer_total"]["amount"] == 25000 + 30000
    assert response.json()["devices"][1]["identifier"] == imei(4)


def _malformed_cases(
    variant_slug: str, variant_id: int, other_variant_id: int
) -> list[tuple[str, object, str, int, str]]:
    """(name, body, content type, status, the field or message expected)."""
    good = f"{variant_slug},{variant_id}"
    header = "product,variant,identifier,condition\n"
    return [
        ("latin-1, not UTF-8", (header + f"{good},{imei(10)},gôod\n").encode("latin-1"), "text/csv", 400, "not UTF-8"),
        ("binary data", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/csv", 400, "binary data"),
        ("a NUL byte", (header + f"{good},{imei(10)},good\x00\n").encode(), "text/csv", 400, "binary data"),
        ("empty", b"", "text/csv", 400, "empty"),
        ("a header and no rows", header.encode(), "text/csv", 400, "no devices"),
        ("a missing column", b"product,identifier,condition\nx,1,good\n", "text/csv", 400, "missing columns: variant"),
        ("an unknown column", (header[:-1] + ",colour\n").encode(), "text/csv", 400, "unknown columns: colour"),
        ("a column twice", b"product,variant,variant,identifier,condition\n", "text/csv", 400, "named twice"),
        ("condition and answers", (header[:-1] + ",screen\n").encode(), "text/csv", 400, "not both"),
        ("no condition nor answers", b"product,variant,identifier\n", "text/csv", 400, "a condition column"),
        (
            "the same device twice",
            (header + f"{good},{imei(11)},good\n{good},{imei(11)},fair\n").encode(),
            "text/csv",
            400,
            "row 3.identifier",
        ),
        (
            "an unknown model",
            (header + f"no-such-phone,{variant_id},{imei(12)},good\n").encode(),
            "text/csv",
            400,
            "row 2.product",
        ),
        (
            "another model's variant",
            (header + f"{variant_slug},{other_variant_id},{imei(12)},good\n").encode(),
            "text/csv",
            400,
            "row 2.variant",
        ),
        (
            "a variant that is not a number",
            (header + f"{variant_slug},big,{imei(12)},good\n").encode(),
            "text/csv",
            400,
            "row 2.variant",
        ),
        (
            "an IMEI with a wrong check digit",
            (header + f"{good},{imei(13)[:-1]}0,good\n").encode(),
            "text/csv",
            400,
            "row 2.identifier",
        ),
        ("an unknown condition", (header + f"{good},{imei(14)},mint\n").encode(), "text/csv", 400, "row 2.condition"),
        ("a formula", (header + f"{good},=HYPERLINK(1),good\n").encode(), "text/csv", 400, "formula"),
        ("a huge cell", (header + f"{good},{'X' * 5000},good\n").encode(), "text/csv", 400, "longer than"),
        (
            "more cells than columns",
            (header + f"{good},{imei(15)},good,extra\n").encode(),
            "text/csv",
            400,
            "more cells",
        ),
        (
            "too many rows",
            (header + "".join(f"{good},{imei(20000 + n)},good\n" for n in range(5001))).encode(),
            "text/csv",
            400,
            "at most 5000",
        ),
        (
            "too large",
            (header + f"{good},{imei(16)},good\n").encode() + b"#" * (2 * 1024 * 1024 + 1),
            "text/csv",
            413,
            "larger than",
        ),
        ("JSON that is not a list", {"product": variant_slug}, "application/json", 400, "JSON array"),
        ("a JSON row without its fields", [{"product": variant_slug}], "application/json", 400, "row 1.variant"),
        (
            "a JSON row with both",
            [
                {
                    "product": variant_slug,
                    "variant": variant_id,
                    "identifier": imei(17),
                    "condition": "good",
                    "answers": {},
                }
            ],
            "application/json",
            400,
            "row 1.answers",
        ),
        (
            "a JSON answer outside the set",
            [
                {
                    "product": variant_slug,
                    "variant": variant_id,
                    "identifier": imei(18),
                    "answers": {"screen": "shattered"},
                }
            ],
            "application/json",
            400,
            "row 1.answers.screen",
        ),
        ("malformed JSON", b'[{"product": ', "application/json", 400, "JSON parse error"),
    ]


def test_malformed_files_are_refused_by_row_and_column_and_nothing_is_saved(api, variant):
    other = VariantFactory()
    cases = _malformed_cases(variant.product.slug, variant.pk, other.pk)
    assert len(cases) >= 15

    for name, body, content_type, status, expected in cases:
        if isinstance(body, bytes):
            response = api.generic("POST", URL, data=body, content_type=content_type)
        else:
            response = api.post(URL, data=body, format="json")
        assert response.status_code == status, (name, response.content[:300])
        problem = response.json()
        assert response["Content-Type"] == "application/problem+json", name
        text = json.dumps(problem).lower()
        assert expected.lower() in text, (name, problem)
    assert Batch.objects.count() == 0
    assert TradeIn.objects.count() == 0


def test_utf16_with_its_bom_is_read(api, variant):
    body = "product,variant,identifier,condition\n" + f"{variant.product.slug},{variant.pk},{imei(21)},good\n"

    response = api.generic("POST", URL, data=codecs.BOM_UTF16_LE + body.encode("utf-16-le"), content_type="text/csv")

    assert response.status_code == 201, response.content


def test_a_reported_device_a_device_already_traded_in_and_an_unpriceable_model_name_their_rows(api, variant, partner):
    BlockedDevice.objects.create(identifier=imei(30), reason="stolen")
    batch_quoted(partner, variant, count=1, first=31)
    unpriced = VariantFactory()
    body = (
        "product,variant,identifier,condition\n"
        f"{variant.product.slug},{variant.pk},{imei(30)},good\n"
        f"{variant.product.slug},{variant.pk},{imei(31)},good\n"
        f"{unpriced.product.slug},{unpriced.pk},{imei(32)},good\n"
        f"{variant.product.slug},{variant.pk},{imei(33)},good\n"
    )

    response = api.post(URL, data=body, content_type="text/csv")

    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert set(errors) == {"row 2.identifier", "row 3.identifier", "row 4.product"}
    assert "reported lost or stolen" in errors["row 2.identifier"]
    assert "already in trade-in" in errors["row 3.identifier"]
    assert "cannot price" in errors["row 4.product"]
    assert Batch.objects.count() == 1  # only the earlier one


# --- acceptance, parcels, labels -----------------------------------------------------------------------
def test_accepting_a_batch_accepts_every_device_in_parcels_of_40_with_their_labels(api, variant, partner):
    batch = batch_quoted(partner, variant, count=45)

    response = api.post(
        f"{URL}{batch.pk}/accept/", data={"payout": {"method": "bank_transfer", "iban": IBAN_FR}}, format="json"
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "accepted"
    assert data["progress"] == {"accepted": 45}
    assert [(p["number"], p["devices"]) for p in data["parcels"]] == [(1, 40), (2, 5)]
    assert Event.objects.filter(type="tradein.accepted", organisation=partner).count() == 45
    device = TradeIn.objects.filter(batch=batch).first()
    assert (device.full_name, device.city, device.iban) == ("Acme Telecom (Bea Buyer)", "Paris", IBAN_FR)
    labels = api.get(data["labels_url"])
    assert labels.status_code == 200
    reader = PdfReader(io.BytesIO(labels.content))
    assert len(reader.pages) == 2
    parcels = list(BatchParcel.objects.filter(batch=batch).order_by("number"))
    assert reader.metadata.subject == f"ENCORE-PARCEL:{parcels[0].reference}"
    text = _text(labels.content)
    assert all(parcel.tracking_number in text for parcel in parcels)
    # Written in the company's language (French here): the parcel's line whatever its words.
    assert re.search(r"2\D+2\D+5\b", text), text


def test_a_batch_is_not_paid_in_store_credit_and_needs_a_sender(api, variant):
    bare = OrganisationFactory(kind="partner")
    batch = batch_quoted(bare, variant, count=1)

    with pytest.raises(ApplicationError) as store_credit:
        batch_accept(batch=batch, actor=SYSTEM, payout=PayoutChoice(method="store_credit"))
    with pytest.raises(ApplicationError) as no_sender:
        batch_accept(batch=batch, actor=SYSTEM, payout=PayoutChoice(method="partner_credit"))

    assert store_credit.value.code.value == "payout-method-unavailable"
    assert no_sender.value.errors == [{"field": "sender", "message": "Required: no business details on file."}]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUOTED
    assert TradeIn.objects.filter(batch=batch, status="quoted").count() == 1


def test_an_expired_batch_quote_is_refused_and_an_accepted_one_twice_too(api, variant, partner):
    old = batch_quoted(partner, variant, count=1)
    Batch.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    accepted = batch_accepted(partner, variant, count=1, first=6000)
    body = {"payout": {"method": "partner_credit"}}

    expired = api.post(f"{URL}{old.pk}/accept/", data=body, format="json")
    twice = api.post(f"{URL}{accepted.pk}/accept/", data=body, format="json")

    assert expired.status_code == 409
    assert expired.json()["type"].endswith("quote-expired")
    assert twice.status_code == 409
    assert TradeIn.objects.filter(batch=old, status="quoted").count() == 1


# --- intake, counter-offers, documents -----------------------------------------------------------------
def test_scanning_a_parcel_at_intake_receives_its_devices_once(client, variant, partner):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory
    from tests.tradein.conftest import operator as _operator  # noqa: F401 - the fixture's shape

    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="warehouse operators"))
    client.force_login(staff)
    batch = batch_accepted(partner, variant, count=3)
    parcel = batch.parcels.get()

    first = client.post(reverse("tradein_console:intake"), {"code": parcel.qr_payload})
    again = client.post(reverse("tradein_console:intake"), {"code": parcel.reference.lower()})

    assert first.status_code == 302
    assert TradeIn.objects.filter(batch=batch, status="received").count() == 3
    assert again.status_code == 400
    assert "was received on" in again.content.decode()


def test_a_carrier_delivery_scan_of_a_parcel_receives_its_devices(variant, partner):
    from warranty.services.labels import carrier_scan_record

    batch = batch_accepted(partner, variant, count=2)
    parcel = batch.parcels.get()

    carrier_scan_record(
        tracking_number=parcel.tracking_number,
        status="delivered",
        occurred_at=timezone.now() - timedelta(hours=1),
        event_id="evt-parcel-1",
        source="carrier",
        actor=SYSTEM,
    )

    assert TradeIn.objects.filter(batch=batch, status="received").count() == 2


def _inspect(device: TradeIn, answers: dict[str, str], n: int) -> TradeIn:
    return tradein_inspect(
        tradein=device,
        actor=SYSTEM,
        data=InspectionInput(answers=answers, identifier=device.declared_identifier, activation_lock=False),
    )


def test_the_batch_counter_offers_are_answered_in_one_step_all_or_nothing(api, variant, partner):
    from tests.factories.tradein import LIKE_NEW

    batch = batch_accepted(partner, variant, count=3)
    parcel_receive(parcel=batch.parcels.get(), actor=SYSTEM)
    first, second, third = TradeIn.objects.filter(batch=batch).order_by("pk")
    _inspect(first, FAIR, 1)
    _inspect(second, FAIR, 2)
    _inspect(third, LIKE_NEW, 3)
    url = f"{URL}{batch.pk}/counter-offers/"

    wrong = api.post(
        url,
        data={"decisions": [{"tradein": first.pk, "answer": "accept"}, {"tradein": third.pk, "answer": "accept"}]},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == [
        {"field": f"decisions.{third.pk}", "message": "No open counter-offer for this device in the batch."}
    ]
    assert TradeIn.objects.filter(batch=batch, status="counter_offered").count() == 2

    right = api.post(
        url,
        data={"decisions": [{"tradein": first.pk, "answer": "accept"}, {"tradein": second.pk, "answer": "decline"}]},
        format="json",
    )

    assert right.status_code == 200, right.content
    statuses = dict(TradeIn.objects.filter(batch=batch).values_list("pk", "status"))
    assert statuses == {first.pk: "paid", second.pk: "returned", third.pk: "paid"}
    assert right.json()["credit_note_url"] is not None


def test_the_report_credit_note_and_certificates_read_back(key_client):
    from tests.factories.tradein import LIKE_NEW

    # A British company: its documents are in English (a French one's in French, once translated).
    variant = priced_variant(market="gb", storage_gb=256)
    partner = business("Acme UK", country="gb")
    api = key_client(partner, ["tradein:write"])
    batch = batch_accepted(partner, variant, count=2)
    parcel_receive(parcel=batch.parcels.get(), actor=SYSTEM)
    devices = list(TradeIn.objects.filter(batch=batch).order_by("pk"))
    for n, device in enumerate(devices):
        wiped(_inspect(device, LIKE_NEW, n))
    data = api.get(f"{URL}{batch.pk}/").json()

    report = _text(api.get(data["report_url"]).content)
    credit_note = _text(api.get(data["credit_note_url"]).content)
    certificates = zipfile.ZipFile(io.BytesIO(b"".join(api.get(data["certificates_url"]).streaming_content)))

    assert "Business trade-in report" in report
    assert "Devices kept in use" in report
    assert "49.2" in report  # 2 smartphones x 24.6 kg CO2e (one year of use each)
    assert "Scope 1, 2 and 3 inventory" in report
    assert "GHG Protocol" in report
    assert all(device.reference in report for device in devices)
    assert f"CN-{batch.reference}" in credit_note
    assert "600.00" in credit_note  # 2 x 300.00
    assert "Total (GBP)" in credit_note
    assert sorted(certificates.namelist()) == sorted(
        f"erasure-certificate-{device.certificate.number}.pdf" for device in devices
    )


# --- sweeps --------------------------------------------------------------------------------------------
def test_batch_quotes_and_unsent_parcels_expire_with_their_devices(variant, partner):
    quoted = batch_quoted(partner, variant, count=2)
    accepted = batch_accepted(partner, variant, count=2, first=7000)
    later = timezone.now() + timedelta(days=14, minutes=1)

    assert tradeins_expire_quotes(now=later) == 0  # batch devices expire with their batch
    assert batches_expire_due(now=later) == 2
    assert batches_expire_due(now=later) == 0
    quoted.refresh_from_db()
    assert quoted.status == BatchStatus.EXPIRED
    assert TradeIn.objects.filter(batch=quoted, status="expired").count() == 2
    assert batches_expire_due(now=timezone.now() + timedelta(days=21, minutes=1)) == 2
    assert TradeIn.objects.filter(batch=accepted, status="expired").count() == 2


# --- isolation -------------------------------------------------------------------------------------------
def test_another_company_never_sees_a_batch(key_client, variant, partner):
    batch = batch_accepted(partner, variant, count=1)
    other = key_client(business("Other Co"), ["tradein:write"])
    seller = key_client(OrganisationFactory(kind="seller"), ["tradein:write"])

    for suffix in ("", "labels/", "report/", "certificates/", "credit-note/"):
        assert other.get(f"{URL}{batch.pk}/{suffix}").status_code == 404, suffix
    assert (
        other.post(f"{URL}{batch.pk}/accept/", data={"payout": {"method": "partner_credit"}}, format="json").status_code
        == 404
    )
    assert other.post(f"{URL}{batch.pk}/counter-offers/", data={"decisions": []}, format="json").status_code in (
        400,
        404,
    )
    assert other.get(URL).json()["results"] == []
    assert seller.get(URL).status_code == 403


def test_the_partner_pages_are_scoped_too(client, variant, partner):
    batch = batch_quoted(partner, variant, count=1)
    stranger = MembershipFactory(organisation=business("Other Co"), role="owner").user
    client.force_login(stranger)

    for name in ("batch", "batch_report", "batch_devices_csv"):
        assert client.get(reverse(f"tradein_partner:{name}", args=[batch.pk])).status_code == 404, name
    assert (
        client.post(
            reverse("tradein_partner:batch_accept", args=[batch.pk]), {"payout_method": "partner_credit"}
        ).status_code
        == 404
    )


def test_a_single_quote_of_another_market_is_unaffected(variant):
    quote(variant=variant)
    assert tradeins_expire_quotes(now=timezone.now() + timedelta(days=15)) == 1


def test_parse_csv_is_usable_on_its_own(variant):
    rows = parse_csv(batch_csv(variant, 2))
    assert [row.number for row in rows] == [2, 3]
