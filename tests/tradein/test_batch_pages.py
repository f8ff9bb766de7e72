"""The business trade-in pages of the partner back-office: upload (errors by row and column, nothing
saved), the quote accepted by an owner, counter-offers answered in one form, the downloads; the batch
page's query count does not grow with its devices."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.factories.tradein import FAIR, SYSTEM, batch_accepted, batch_csv, batch_quoted, business, priced_variant
from tradein.models import Batch, TradeIn
from tradein.services.batches import parcel_receive
from tradein.services.warehouse import InspectionInput, tradein_inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    return priced_variant(storage_gb=128)


@pytest.fixture
def partner():
    return business()


@pytest.fixture
def owner(partner):
    return MembershipFactory(organisation=partner, role="owner").user


def test_uploading_a_file_quotes_the_batch_and_a_bad_one_lists_its_errors(client, owner, variant):
    client.force_login(owner)
    url = reverse("tradein_partner:batch_new")
    bad = batch_csv(variant, 2).replace(b"like_new", b"mint")

    refused = client.post(url, {"file": SimpleUploadedFile("devices.csv", bad, "text/csv")})
    good = client.post(url, {"file": SimpleUploadedFile("devices.csv", batch_csv(variant, 2)), "reference": "PO-77"})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "row 2.condition" in page
    assert "row 3.condition" in page
    batch = Batch.objects.get()
    assert good.status_code == 302
    assert good["Location"] == reverse("tradein_partner:batch", args=[batch.pk])
    assert batch.partner_reference == "PO-77"
    assert client.get(good["Location"]).status_code == 200


def test_a_json_file_is_read_too(client, owner, variant):
    client.force_login(owner)
    row = {"product": variant.product.slug, "variant": variant.pk, "identifier": "SN-ABC-123456", "condition": "good"}
    body = json.dumps([row])

    response = client.post(
        reverse("tradein_partner:batch_new"), {"file": SimpleUploadedFile("devices.json", body.encode())}
    )

    assert response.status_code == 302
    assert TradeIn.objects.get().declared_identifier == "SN-ABC-123456"


def test_an_owner_accepts_the_quote_a_staff_member_may_not(client, owner, partner, variant):
    batch = batch_quoted(partner, variant, count=2)
    staff = MembershipFactory(organisation=partner, role="staff").user
    url = reverse("tradein_partner:batch_accept", args=[batch.pk])

    client.force_login(staff)
    assert client.post(url, {"payout_method": "partner_credit"}).status_code == 403
    client.force_login(owner)
    response = client.post(url, {"payout_method": "bank_transfer", "iban": "FR1420041010050500013M02606"})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "accepted"
    page = client.get(reverse("tradein_partner:batch", args=[batch.pk])).content.decode()
    assert reverse("tradein_partner:batch_labels", args=[batch.pk]) in page


def test_an_invalid_iban_is_said_and_nothing_is_accepted(client, owner, partner, variant):
    batch = batch_quoted(partner, variant, count=1)
    client.force_login(owner)

    response = client.post(
        reverse("tradein_partner:batch_accept", args=[batch.pk]),
        {"payout_method": "bank_transfer", "iban": "FR00 1234"},
        follow=True,
    )

    assert "This IBAN is not valid" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "quoted"


def test_the_counter_offers_are_answered_in_one_form(client, owner, partner, variant):
    batch = batch_accepted(partner, variant, count=2)
    parcel_receive(parcel=batch.parcels.get(), actor=SYSTEM)
    first, second = TradeIn.objects.filter(batch=batch).order_by("pk")
    for device in (first, second):
        tradein_inspect(
            tradein=device,
            actor=SYSTEM,
            data=InspectionInput(answers=FAIR, identifier=device.declared_identifier, activation_lock=False),
        )
    client.force_login(owner)
    page = client.get(reverse("tradein_partner:batch", args=[batch.pk])).content.decode()
    assert "2 counter-offers to answer" in page

    client.post(
        reverse("tradein_partner:batch_counter_offers", args=[batch.pk]),
        {f"answer-{first.pk}": "accept", f"answer-{second.pk}": "decline"},
    )

    assert dict(TradeIn.objects.filter(batch=batch).values_list("pk", "status")) == {
        first.pk: "paid",
        second.pk: "returned",
    }


def test_the_batch_page_costs_the_same_queries_for_5_or_50_devices(
    client, owner, partner, variant, django_assert_num_queries
):
    small = batch_accepted(partner, variant, count=5)
    large = batch_accepted(partner, variant, count=50, first=9000)
    client.force_login(owner)

    def count(batch) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tradein_partner:batch", args=[batch.pk])).status_code == 200
        return len(queries)

    assert count(small) == count(large)
    # session, membership, batch, parcels, progress, page count, page of devices, counter-offers,
    # certificates?, paid?, business details (the user is cached)
    with django_assert_num_queries(11):
        client.get(reverse("tradein_partner:batch", args=[small.pk]))
