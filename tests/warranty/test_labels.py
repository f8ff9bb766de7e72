"""Labels Encore makes: the PDF read back (text, QR payload, the market's language), the seller's return
address, carrier scans recorded once per event, scans of other parcels passed on through the hook."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.factories.orders import SYSTEM
from tests.factories.warranty import delivered_units
from warranty import hooks
from warranty.models import CarrierScan, Label
from warranty.services.claims import Claimant
from warranty.services.labels import carrier_scan_record, label_pdf, seller_return_address_set
from warranty.services.returns import return_open

pytestmark = pytest.mark.django_db


def _return(shopper, **listing):
    warranties = delivered_units(shopper, **listing)
    return return_open(
        seller_order=warranties[0].line.seller_order,
        units=[w.unit for w in warranties],
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )


def test_the_return_label_reads_back_with_both_addresses_and_its_qr_payload(shopper):
    from tests.factories.sellers import SellerFactory

    seller = SellerFactory(organisation__name="Renew Labs").organisation
    seller_return_address_set(
        organisation=seller,
        name="Renew Labs",
        address_line="12 avenue du Réemploi",
        postal_code="69007",
        city="Lyon",
        country="fr",
    )
    ret = _return(shopper, seller=seller)

    text = PdfReader(io.BytesIO(label_pdf(label=ret.label))).pages[0].extract_text()

    tracking = ret.label.tracking_number
    for expected in (
        "Étiquette de retour prépayée",  # a French shopper: in French
        tracking,
        "Alex Buyer",
        "3 rue de la Paix",
        "75002 Paris",
        "France",
        "Renew Labs",
        "12 avenue du Réemploi",
        "69007 Lyon",
        f"R-{ret.pk}",
        f"ENCORE:RETURN:{tracking}",
    ):
        assert expected in text, expected


def test_the_label_speaks_the_markets_language(shopper):
    ret = _return(shopper, market="de")

    text = PdfReader(io.BytesIO(label_pdf(label=ret.label))).pages[0].extract_text()

    # Written in German (the strings the German catalogue translates today).
    assert "VON" in text
    assert "AN" in text


def test_without_a_return_address_the_label_goes_to_the_returns_centre(shopper):
    ret = _return(shopper)
    assert "c/o Encore" in ret.label.recipient["name"]
    assert ret.label.recipient["lines"][0] == "Encore Returns Centre"


def test_a_scan_is_recorded_once_per_event_id(shopper):
    label = _return(shopper).label
    when = timezone.now() - timedelta(hours=1)

    first = carrier_scan_record(
        tracking_number=label.tracking_number.lower(),
        status="in_transit",
        occurred_at=when,
        event_id="e-1",
        source="carrier",
        actor=SYSTEM,
    )
    replay = carrier_scan_record(
        tracking_number=label.tracking_number,
        status="in_transit",
        occurred_at=when,
        event_id="e-1",
        source="carrier",
        actor=SYSTEM,
    )

    assert first is not None
    assert replay is None
    assert CarrierScan.objects.count() == 1
    label.refresh_from_db()
    assert label.in_transit_at == when


def test_scans_of_other_parcels_are_kept_and_passed_on():
    received = []

    def handler(**kwargs):
        received.append(kwargs)

    hooks.carrier_scan_recorded.connect(handler)
    try:
        carrier_scan_record(
            tracking_number="TRD123",
            status="delivered",
            occurred_at=timezone.now(),
            event_id="e-9",
            source="carrier",
            actor=SYSTEM,
        )
    finally:
        hooks.carrier_scan_recorded.disconnect(handler)

    assert received[0]["tracking_number"] == "TRD123"
    assert CarrierScan.objects.get().label is None
    assert Label.objects.count() == 0
