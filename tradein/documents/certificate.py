"""The data-erasure certificate issued to a device's owner, from plain values.

It states the certificate number, the device and its identifier, the method (NIST SP 800-88 clear or
purge), the tool, the date, the operator and the result, with the address and a QR code of the public
page where anyone can check that the certificate is genuine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from tradein.documents.pdf import draw_qr


@dataclass(frozen=True)
class CertificateData:
    number: str
    device: str
    identifier: str
    identifier_label: str  # "IMEI" or "Serial number"
    method: str  # translated, e.g. "Purge (NIST SP 800-88)"
    tool: str
    erased_on: str  # formatted in the reader's language
    operator: str
    result: str  # translated
    verify_url: str
    tradein_reference: str


def build_certificate_pdf(data: CertificateData) -> bytes:
    """The certificate as PDF bytes."""
    buffer = io.BytesIO()
    width, height = A4
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"{_('Data erasure certificate')} {data.number}")
    canvas.setAuthor("Encore")
    margin = 56
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(margin, height - 80, _("Data erasure certificate"))
    canvas.setFont("Helvetica", 11)
    canvas.drawString(margin, height - 102, _("Issued by Encore, the refurbished electronics marketplace."))
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(margin, height - 136, f"{_('Certificate number')}: {data.number}")
    rows = [
        (_("Device"), data.device),
        (data.identifier_label, data.identifier),
        (_("Trade-in"), data.tradein_reference),
        (_("Method"), data.method),
        (_("Tool"), data.tool),
        (_("Date"), data.erased_on),
        (_("Operator"), data.operator),
        (_("Result"), data.result),
    ]
    y = height - 172
    for label, value in rows:
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(margin, y, label)
        canvas.setFont("Helvetica", 11)
        canvas.drawString(margin + 140, y, value)
        y -= 20
    y -= 16
    canvas.setFont("Helvetica", 10)
    text = canvas.beginText(margin, y)
    text.setLeading(14)
    for line in (
        _("All user data on this device was erased with the method above, following NIST SP 800-88 Rev. 1"),
        _("(Guidelines for Media Sanitization), and the erasure was verified."),
        _("Check this certificate at:"),
    ):
        text.textLine(line)
    canvas.drawText(text)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(margin, y - 46, data.verify_url)
    draw_qr(canvas, data.verify_url, x=width - margin - 110, y=y - 150, size=110)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
