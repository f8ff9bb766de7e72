"""The shipping label PDF: read back with pypdf (text, the QR payload, metadata)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from marketplace.documents.labels import LabelAddress, ShippingLabel, shipping_label_pdf


def _label(**overrides):
    values = {
        "title": "Prepaid return label",
        "carrier": "Encore Returns (prepaid)",
        "tracking_number": "ENC7K2M9Q4R8T",
        "sender_heading": "From",
        "sender": LabelAddress("Chloé Shopper", ("3 rue de la Paix", "75002 Paris", "France")),
        "recipient_heading": "To",
        "recipient": LabelAddress("Renew Labs", ("12 avenue du Réemploi", "69007 Lyon", "France")),
        "reference": "Return R-12 · order E4KX2M9Q4",
        "qr_payload": "ENCORE:RETURN:ENC7K2M9Q4R8T",
        "instructions": ["Pack the unit in its box, stick this label on the parcel and drop it at any post office."],
    }
    values.update(overrides)
    return ShippingLabel(**values)


def test_the_label_reads_back_with_its_tracking_number_addresses_and_qr_payload():
    pdf = shipping_label_pdf(_label())

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "Prepaid return label",
        "ENC7K2M9Q4R8T",
        "Chloé Shopper",
        "75002 Paris",
        "Renew Labs",
        "69007 Lyon",
        "Return R-12",
        "ENCORE:RETURN:ENC7K2M9Q4R8T",
        "post office",
    ):
        assert expected in text, expected
    assert reader.metadata.subject == "ENCORE:RETURN:ENC7K2M9Q4R8T"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (100, 150)


def test_a_japanese_address_needs_no_system_font():
    pdf = shipping_label_pdf(_label(recipient=LabelAddress("リニューラボ", ("東京都渋谷区1-2-3", "150-0002"))))

    assert pdf.startswith(b"%PDF-")
    assert b"HeiseiKakuGo-W5" in pdf
