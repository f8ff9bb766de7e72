"""The trade-in admin: every page renders for staff, nothing can be added, changed or deleted there, the
owner's address and IBAN are not shown, and the actions go through the services (refusals named)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories.tradein import IBAN_FR, SYSTEM, accepted, inspected, wiped
from tradein.models import ErasureCertificate, Lot, PriceGridRow, SepaBatch, TradeIn
from tradein.services.lots import lot_create
from tradein.services.payouts import sepa_batch_create
from tradein.states import LotStatus, PayoutStatus, TradeInStatus

pytestmark = pytest.mark.django_db
MODELS = (TradeIn, PriceGridRow, Lot, SepaBatch, ErasureCertificate)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:tradein_{model._meta.model_name}_{view}", args=args)


def test_every_trade_in_admin_page_renders_and_nothing_is_editable(admin_client):
    tradein = wiped(inspected(owner=UserFactory(), method="bank_transfer", iban=IBAN_FR))
    batch = sepa_batch_create(actor=SYSTEM)
    lot = Lot.objects.create(
        product=tradein.product, condition="like_new", currency="EUR", closes_at=tradein.created_at
    )
    objects = {
        TradeIn: tradein,
        PriceGridRow: PriceGridRow.objects.first(),
        Lot: lot,
        SepaBatch: batch,
        ErasureCertificate: tradein.certificate,
    }

    for model in MODELS:
        listing = admin_client.get(_url(model, "changelist"))
        assert listing.status_code == 200, model
        assert _url(model, "add").encode() not in listing.content
        assert admin_client.get(_url(model, "add")).status_code == 403
        detail = admin_client.get(_url(model, "change", objects[model].pk))
        assert detail.status_code == 200, model
        assert b'name="_save"' not in detail.content  # a view, not a form
    page = admin_client.get(_url(TradeIn, "change", tradein.pk)).content.decode()
    assert tradein.reference in page
    assert IBAN_FR not in page
    assert "3 rue de la Paix" not in page
    assert reverse("tradein_console:detail", args=[tradein.reference]) in page


def test_receiving_parcels_in_the_admin_goes_through_the_service_and_names_refusals(admin_client):
    waiting = accepted(owner=UserFactory())
    twice = inspected(owner=UserFactory())

    response = admin_client.post(
        _url(TradeIn, "changelist"),
        {"action": "receive", "_selected_action": [waiting.pk, twice.pk]},
        follow=True,
    )

    waiting.refresh_from_db()
    assert waiting.status == TradeInStatus.RECEIVED
    texts = [str(message) for message in response.context["messages"]]
    assert "1 trade-in(s) received." in texts
    assert any(text.startswith(f"{twice.reference}: Trade-in {twice.reference} is paid") for text in texts)


def test_marking_a_sepa_file_sent_in_the_admin_pays_its_trade_ins_once(admin_client):
    tradein = inspected(owner=UserFactory(), method="bank_transfer", iban=IBAN_FR)
    batch = sepa_batch_create(actor=SYSTEM)

    for _ in range(2):
        response = admin_client.post(
            _url(SepaBatch, "changelist"), {"action": "mark_sent", "_selected_action": [batch.pk]}, follow=True
        )

    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.PAID
    assert tradein.payout.status == PayoutStatus.SENT
    assert f"{batch.message_id}: The SEPA file {batch.message_id} was already marked as sent." in [
        str(message) for message in response.context["messages"]
    ]


def test_closing_a_lot_in_the_admin_sells_it_to_the_best_bid(admin_client):
    tradein = wiped(inspected(owner=UserFactory()))
    lot = lot_create(actor=SYSTEM, product=tradein.product, condition="like_new", currency="EUR")

    admin_client.post(_url(Lot, "changelist"), {"action": "close_now", "_selected_action": [lot.pk]})

    lot.refresh_from_db()
    assert lot.status == LotStatus.UNSOLD  # no bid
    tradein.refresh_from_db()
    assert tradein.lot_id is None
