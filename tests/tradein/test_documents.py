"""Trade-in documents read back: the label (text, QR payload), the certificate (text, QR of the public
page), the SEPA file validated against the pain.001.001.03 schema; the public verification page."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
import segno
import sepaxml
import xmlschema
from pypdf import PdfReader

from marketplace.money import Money
from tests.factories.tradein import IBAN_FR, accepted, inspected, wiped
from tradein.documents.render import certificate_pdf, label_pdf
from tradein.documents.sepa import Debtor, Transfer, build_pain001

pytestmark = pytest.mark.django_db
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


def _text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_label_names_the_trade_in_and_its_qr_code_links_to_it(shopper):
    tradein = accepted(owner=shopper)

    pdf = label_pdf(tradein)

    text = _text(pdf)
    for expected in (
        tradein.reference,
        tradein.tracking_number,
        "Chloé Seller",
        "Encore Trade-in Centre",
        "75002 Paris",
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.subject == f"ENCORE-TRADEIN:{tradein.reference}"
    # The QR code is drawn module by module from segno's matrix of that payload: the payload printed
    # under it and the PDF's subject are what it encodes (the browser test decodes it with jsQR).
    assert f"ENCORE-TRADEIN:{tradein.reference}" in text


def _qr_from_png(png: bytes) -> list[list[bool]]:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    scale, border = 8, 4
    modules = image.width // scale - 2 * border
    return [
        [
            image.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2)) < 128
            for x in range(modules)
        ]
        for y in range(modules)
    ]


def test_the_certificate_reads_back_and_its_qr_code_is_the_public_page(shopper, operator):
    tradein = wiped(inspected(owner=shopper), operator)
    certificate = tradein.certificate

    pdf = certificate_pdf(tradein)

    text = _text(pdf)
    for expected in (
        certificate.number,
        certificate.identifier,
        "Purge (NIST SP 800-88)",
        "Omar Operator",
        "Réussi",
    ):  # a French shopper: in French
        assert expected in text, expected
    url = f"/verify/{certificate.number}/"
    assert url in text
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1
    matrix = _qr_from_png(images[0].data)
    verify_url = next(line for line in text.splitlines() if url in line).strip()
    assert matrix == [[bool(cell) for cell in row] for row in segno.make(verify_url, error="m", micro=False).matrix]


def test_the_public_page_confirms_a_certificate_and_shows_nothing_of_the_owner(client, shopper, operator):
    tradein = wiped(inspected(owner=shopper), operator)
    certificate = tradein.certificate

    page = client.get(f"/verify/{certificate.number}/")
    made_up = client.get("/verify/EC-AAAA-BBBB-CCCC-DDDD/")

    html = page.content.decode()
    assert page.status_code == 200
    assert certificate.identifier[-4:] in html
    assert certificate.identifier not in html
    for private in (shopper.email, "Chloé Seller", "rue de la Paix", tradein.reference, "Omar"):
        assert private not in html, private
    assert made_up.status_code == 404
    assert "Not found" in made_up.content.decode()


def test_the_sepa_file_is_valid_pain_001_001_03():
    xml = build_pain001(
        debtor=Debtor(name="Encore Marketplace", iban="FR7630006000011234567890189", bic="AGRIFRPPXXX"),
        message_id="ENC-TEST-1",
        execution_date=date(2027, 3, 1),
        transfers=[
            Transfer(
                name="Chloé Seller",
                iban=IBAN_FR,
                amount=Money(30000, "EUR"),
                description="Encore trade-in T1",
                end_to_end_id="TAAAAAAAAA",
            ),
            Transfer(
                name="Jonas Weber",
                iban="DE89370400440532013000",
                amount=Money(12550, "EUR"),
                description="Encore trade-in T2",
                end_to_end_id="TBBBBBBBBB",
            ),
        ],
    )

    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(xml.decode())
    document = schema.to_dict(xml.decode())
    header = document["CstmrCdtTrfInitn"]["GrpHdr"]
    assert header["MsgId"] == "ENC-TEST-1"
    assert (header["NbOfTxs"], str(header["CtrlSum"])) == ("2", "425.50")


def test_the_console_sepa_file_is_valid_too(client, shopper, finance):
    inspected(owner=shopper, method="bank_transfer", iban=IBAN_FR)
    client.force_login(finance)

    client.post("/console/trade-ins/payouts/files/")
    from tradein.models import SepaBatch

    batch = SepaBatch.objects.get()
    response = client.get(f"/console/trade-ins/payouts/files/{batch.pk}.xml")
    assert response["Content-Disposition"].startswith("attachment")
    xmlschema.XMLSchema(str(XSD)).validate(response.content.decode())
    assert os.path.basename(str(XSD)) == "pain.001.001.03.xsd"
