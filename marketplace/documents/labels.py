"""Prepaid shipping labels: one PDF page (100 x 150 mm, the common label printer size) from plain values.

Encore makes its own labels (DOMAIN.md: "Labels are made by Encore with a tracking number"): returns
and repairs (warranty), trade-ins. The caller passes every string already translated and every
address already formatted; this module only draws. The page carries:

- the title and the carrier, the tracking number in large type and as a Code 128 barcode (what
  the carrier scans);
- a QR code whose payload links the parcel to its record (the caller chooses it, e.g.
  `ENCORE:RETURN:<tracking>`), with the payload printed under it for people;
- sender and recipient blocks, a reference, and a few lines of instructions.

Text is drawn with Helvetica; a string outside Latin-1 (a Japanese address) uses the Japanese
CID font shipped with reportlab, so no system font is needed. `shipping_label_pdf` returns bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

PAGE_SIZE = (100 * mm, 150 * mm)
MARGIN = 6 * mm
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK_FONT = "HeiseiKakuGo-W5"


@dataclass(frozen=True)
class LabelAddress:
    """An address as printed: a name and up to four lines (street, postal code and city, country)."""

    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ShippingLabel:
    title: str  # "Prepaid return label"
    carrier: str
    tracking_number: str
    sender_heading: str  # "From"
    sender: LabelAddress
    recipient_heading: str  # "To"
    recipient: LabelAddress
    reference: str  # "Return R-12 · order E4K…"
    qr_payload: str
    instructions: Sequence[str] = ()


def _font_for(text: str, *, bold: bool = False) -> str:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        return CJK_FONT
    return LATIN_BOLD if bold else LATIN_FONT


def _text(canvas: Canvas, x: float, y: float, text: str, *, size: float, bold: bool = False) -> None:
    canvas.setFont(_font_for(text, bold=bold), size)
    canvas.drawString(x, y, text)


def _address(canvas: Canvas, x: float, y: float, heading: str, address: LabelAddress, *, size: float) -> float:
    _text(canvas, x, y, heading.upper(), size=6.5, bold=True)
    y -= size + 2
    _text(canvas, x, y, address.name, size=size, bold=True)
    for line in address.lines:
        y -= size + 1.5
        _text(canvas, x, y, line, size=size)
    return y


def _qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (sharp at any printer resolution), bottom-left at (x, y)."""
    matrix = [list(row) for row in segno.make(payload, error="m", micro=False).matrix]
    modules = len(matrix)
    module = size / (modules + 2)  # a quiet zone of one module each side
    canvas.setFillGray(0)
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + (column_index + 1) * module,
                    y + size - (row_index + 2) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


def shipping_label_pdf(label: ShippingLabel) -> bytes:
    """The label as a one-page PDF (bytes). Pure: reads nothing, writes nothing."""
    return shipping_labels_pdf([label], title=f"{label.title} {label.tracking_number}")


def shipping_labels_pdf(labels: Sequence[ShippingLabel], *, title: str = "") -> bytes:
    """Several labels, one per page (a business's parcels), as one PDF. The document's subject is the
    first label's QR payload and its keywords every tracking number. Pure."""
    if not labels:
        raise ValueError("At least one label")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE_SIZE, pageCompression=0)
    canvas.setTitle(title or f"{labels[0].title} {labels[0].tracking_number}")
    canvas.setAuthor("Encore")
    canvas.setSubject(labels[0].qr_payload)
    canvas.setKeywords(" ".join(label.tracking_number for label in labels))
    for label in labels:
        _draw_label(canvas, label)
    canvas.save()
    return buffer.getvalue()


def _draw_label(canvas: Canvas, label: ShippingLabel) -> None:
    width, height = PAGE_SIZE
    top = height - MARGIN
    _text(canvas, MARGIN, top - 10, label.title, size=12, bold=True)
    _text(canvas, MARGIN, top - 22, label.carrier, size=8)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top - 27, width - MARGIN, top - 27)

    y = _address(canvas, MARGIN, top - 38, label.sender_heading, label.sender, size=7.5)
    y = _address(canvas, MARGIN, y - 12, label.recipient_heading, label.recipient, size=10)

    canvas.line(MARGIN, y - 8, width - MARGIN, y - 8)
    barcode = code128.Code128(label.tracking_number, barHeight=14 * mm, barWidth=0.32 * mm, humanReadable=False)
    barcode_y = y - 10 - 14 * mm
    barcode.drawOn(canvas, MARGIN - 2 * mm, barcode_y)
    _text(canvas, MARGIN, barcode_y - 13, label.tracking_number, size=14, bold=True)

    qr_size = 26 * mm
    qr_y = MARGIN + 10
    _qr(canvas, label.qr_payload, width - MARGIN - qr_size, qr_y, qr_size)
    _text(canvas, width - MARGIN - qr_size, qr_y - 6, label.qr_payload, size=4.5)

    _text(canvas, MARGIN, qr_y + qr_size - 6, label.reference, size=7, bold=True)
    line_y = qr_y + qr_size - 16
    text_width = width - 2 * MARGIN - qr_size - 3 * mm
    for instruction in label.instructions:
        for line in simpleSplit(instruction, _font_for(instruction), 6.5, text_width):
            if line_y < MARGIN:
                break
            _text(canvas, MARGIN, line_y, line, size=6.5)
            line_y -= 8
    canvas.showPage()
