"""The partner trade-in API and the seller lots API through the real stack: shapes, errors, isolation."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from marketplace.models import OrganisationKind
from tests.factories import OrganisationFactory
from tests.factories.tradein import FAIR, IBAN_FR, LIKE_NEW, SYSTEM, inspected, priced_variant, received, wiped
from tradein.models import Lot, TradeIn
from tradein.services.lots import lot_create
from tradein.services.warehouse import InspectionInput, tradein_inspect

pytestmark = pytest.mark.django_db
CUSTOMER = {
    "full_name": "Alex Customer",
    "email": "alex@example.test",
    "address_line": "1 place du Marché",
    "postal_code": "69001",
    "city": "Lyon",
    "country": "fr",
}


@pytest.fixture
def partner(partner_org):
    return partner_org


@pytest.fixture
def api(key_client, partner):
    return key_client(partner, ["tradein:write"])


def _quote(api, the_variant, answers=None, **overrides):
    body = {
        "product": the_variant.product.slug,
        "variant": the_variant.pk,
        "market": "fr",
        "answers": answers or LIKE_NEW,
    }
    body.update(overrides)
    return api.post("/api/v1/tradein/quotes/", body, format="json")


def test_the_questionnaire_lists_each_question_and_its_answers(api):
    response = api.get("/api/v1/tradein/questionnaire/?category=smartphones")

    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == ["powers_on", "screen", "body", "functions", "battery", "accounts_signed_out"]
    assert api.get("/api/v1/tradein/questionnaire/?category=toasters").status_code == 400


def test_quote_accept_with_partner_credit_then_the_loop_to_paid(api, partner):
    variant = priced_variant()

    quote = _quote(api, variant)
    assert quote.status_code == 201
    assert quote.json()["price"] == {"amount": 30000, "currency": "EUR"}
    accepted = api.post(
        f"/api/v1/tradein/quotes/{quote.json()['id']}/accept/",
        {"customer": CUSTOMER, "payout": {"method": "partner_credit"}, "reference": "SHOP-42"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="accept-1",
    )
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "accepted"
    assert body["label_url"].endswith(f"/api/v1/tradeins/{body['id']}/label/")
    label = api.get(f"/api/v1/tradeins/{body['id']}/label/")
    assert label["Content-Type"] == "application/pdf"
    assert body["reference"] in PdfReader(io.BytesIO(label.content)).pages[0].extract_text()
    replay = api.post(
        f"/api/v1/tradein/quotes/{body['id']}/accept/",
        {"customer": CUSTOMER, "payout": {"method": "partner_credit"}, "reference": "SHOP-42"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="accept-1",
    )
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"

    tradein = TradeIn.objects.get(pk=body["id"])
    from tradein.services.warehouse import tradein_receive

    tradein_receive(tradein=tradein, actor=SYSTEM)
    tradein_inspect(
        tradein=TradeIn.objects.get(pk=tradein.pk),
        actor=SYSTEM,
        data=InspectionInput(answers=LIKE_NEW, identifier="490154203237518", activation_lock=False),
    )
    detail = api.get(f"/api/v1/tradeins/{body['id']}/").json()
    assert detail["status"] == "paid"
    assert detail["payout"] == {
        "method": "partner_credit",
        "status": "credited",
        "amount": {"amount": 30000, "currency": "EUR"},
    }
    assert [step["status"] for step in detail["timeline"]] == ["quoted", "accepted", "received", "inspected", "paid"]
    from orders.services.ledger import partner_payable_balance

    assert partner_payable_balance(partner=partner, currency="EUR").amount == 30000


def test_bad_input_is_a_clear_4xx(api):
    variant = priced_variant()
    other = priced_variant()

    assert _quote(api, variant, answers={**LIKE_NEW, "screen": "shattered"}).status_code == 400
    assert _quote(api, variant, answers={"screen": "flawless"}).status_code == 400
    wrong_variant = _quote(api, variant, variant=other.pk)
    assert wrong_variant.status_code == 400
    assert wrong_variant.json()["errors"][0]["field"] == "variant"
    assert _quote(api, variant, product="no-such-phone").status_code == 400
    quote_id = _quote(api, variant).json()["id"]
    bad_iban = api.post(
        f"/api/v1/tradein/quotes/{quote_id}/accept/",
        {"customer": CUSTOMER, "payout": {"method": "bank_transfer", "iban": "FR00 1234"}},
        format="json",
    )
    assert bad_iban.status_code == 400
    assert bad_iban.json()["errors"][0]["field"] == "payout.iban"
    store_credit = api.post(
        f"/api/v1/tradein/quotes/{quote_id}/accept/",
        {"customer": CUSTOMER, "payout": {"method": "store_credit"}},
        format="json",
    )
    assert store_credit.status_code == 422
    assert store_credit.json()["type"].endswith("/payout-method-unavailable")
    assert TradeIn.objects.get(pk=quote_id).status == "quoted"


def test_bank_transfer_is_refused_outside_the_euro_zone(api):
    variant = priced_variant("gb")
    quote_id = _quote(api, variant, market="gb").json()["id"]

    response = api.post(
        f"/api/v1/tradein/quotes/{quote_id}/accept/",
        {"customer": {**CUSTOMER, "country": "gb"}, "payout": {"method": "bank_transfer", "iban": IBAN_FR}},
        format="json",
    )

    assert response.status_code == 422


def test_an_expired_quote_is_a_409_that_says_so(api):
    from datetime import timedelta

    from django.utils import timezone

    quote_id = _quote(api, priced_variant()).json()["id"]
    TradeIn.objects.filter(pk=quote_id).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = api.post(
        f"/api/v1/tradein/quotes/{quote_id}/accept/",
        {"customer": CUSTOMER, "payout": {"method": "partner_credit"}},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["type"].endswith("/quote-expired")
    assert "expired" in response.json()["detail"]


def test_a_counter_offer_answered_twice_is_a_409_naming_the_status(api, partner):
    tradein = inspected(partner=partner, method="partner_credit", actual=FAIR)

    first = api.post(f"/api/v1/tradeins/{tradein.pk}/counter-offer/accept/")
    second = api.post(f"/api/v1/tradeins/{tradein.pk}/counter-offer/decline/")

    assert first.status_code == 200
    assert first.json()["status"] == "paid"
    assert second.status_code == 409
    assert second.json()["status"] == "paid"


def test_a_partner_sees_only_its_own_trade_ins(api, key_client, partner, shopper):
    mine = received(partner=partner, method="partner_credit")
    theirs = received(partner=OrganisationFactory(kind=OrganisationKind.PARTNER), method="partner_credit")
    storefront = received(owner=shopper)

    listed = api.get("/api/v1/tradeins/").json()["results"]

    assert [row["id"] for row in listed] == [mine.pk]
    for other in (theirs, storefront):
        assert api.get(f"/api/v1/tradeins/{other.pk}/").status_code == 404
        assert api.get(f"/api/v1/tradeins/{other.pk}/label/").status_code == 404
        assert api.post(f"/api/v1/tradeins/{other.pk}/counter-offer/decline/").status_code == 404
        assert (
            api.post(
                f"/api/v1/tradein/quotes/{other.pk}/accept/",
                {"customer": CUSTOMER, "payout": {"method": "partner_credit"}},
                format="json",
            ).status_code
            == 404
        )
    assert key_client(partner, ["catalog:read"]).get("/api/v1/tradeins/").status_code == 403


def test_sellers_bid_on_lots_and_the_best_bid_buys(key_client, shopper, seller_org, other_seller_org):
    from marketplace.money import Money
    from orders.selectors import seller_balances
    from tradein.services.lots import lot_close

    device = wiped(inspected(owner=shopper))
    lot = lot_create(actor=SYSTEM, product=device.product, condition="like_new", currency="EUR")
    a, b = key_client(seller_org, ["listings:write"]), key_client(other_seller_org, ["listings:write"])

    listed = a.get("/api/v1/seller/tradein-lots/").json()["results"]
    assert [row["id"] for row in listed] == [lot.pk]
    assert listed[0]["devices"][0]["identifier"] is None
    assert (
        a.post(
            f"/api/v1/seller/tradein-lots/{lot.pk}/bids/",
            {"price": {"amount": 20000, "currency": "EUR"}},
            format="json",
        ).status_code
        == 201
    )
    assert (
        b.post(
            f"/api/v1/seller/tradein-lots/{lot.pk}/bids/",
            {"price": {"amount": 21000, "currency": "EUR"}},
            format="json",
        ).status_code
        == 201
    )
    low = a.post(
        f"/api/v1/seller/tradein-lots/{lot.pk}/bids/", {"price": {"amount": 19000, "currency": "EUR"}}, format="json"
    )
    assert low.status_code == 422
    lot_close(lot=lot, actor=SYSTEM)

    device.refresh_from_db()
    assert device.status == "routed"
    assert device.routed_to == other_seller_org
    assert seller_balances(seller=other_seller_org)[0].available == Money(-21000, "EUR")
    assert a.get("/api/v1/seller/tradein-lots/").json()["results"] == []
    bought = b.get("/api/v1/seller/tradein-lots/").json()["results"][0]
    assert bought["devices"][0]["identifier"] == device.inspection.identifier
    closed = b.post(
        f"/api/v1/seller/tradein-lots/{lot.pk}/bids/", {"price": {"amount": 30000, "currency": "EUR"}}, format="json"
    )
    assert closed.status_code == 409
    assert Lot.objects.get(pk=lot.pk).status == "sold"
