"""A partner's monthly invoice and its credit notes as PDFs (reportlab), drawn from plain values.

The caller (`partners/invoices.py`) passes every string already translated and every amount and
date already formatted in the partner's language; this module only lays them out on A4 pages:
a header (issuer, customer, number, dates), a table of rows (repeated header on each new page),
totals, and a closing note. Text outside Latin-1 (a Japanese customer name) uses the Japanese CID
font shipped with reportlab, so no system font is needed. Tests read the PDFs back with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

MARGIN = 18 * mm
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK_FONT = "HeiseiKakuGo-W5"


@dataclass(frozen=True)
class Column:
    heading: str
    width_mm: float
    align_right: bool = False


@dataclass(frozen=True)
class BillingDocument:
    """An invoice or a credit note, every value ready to print."""

    title: str  # "Invoice" / "Credit note"
    number_label: str  # "Number"
    number: str
    facts: Sequence[tuple[str, str]]  # ("Issued", "30/11/2026"), ("Period", "November 2026"), ...
    issuer_heading: str
    issuer: Sequence[str]
    customer_heading: str
    customer: Sequence[str]
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    empty_text: str  # printed when there are no rows
    totals: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, formatted amount)
    notes: Sequence[str] = field(default_factory=tuple)


def _font(text: str, *, bold: bool = False) -> str:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        return CJK_FONT
    return LATIN_BOLD if bold else LATIN_FONT


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis so that it fits `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Pages:
    def __init__(self, document: BillingDocument) -> None:
        self.document = document
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(f"{document.title} {document.number}")
        self.canvas.setAuthor(document.issuer[0] if document.issuer else "Encore")
        self.width, self.height = A4
        self.y = self.height - MARGIN
        self.page = 1

    def text(self, x: float, y: float, value: str, *, size: float = 9, bold: bool = False, right: bool = False) -> None:
        font = _font(value, bold=bold)
        self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, y, value)
        else:
            self.canvas.drawString(x, y, value)

    def header(self) -> None:
        document = self.document
        self.text(MARGIN, self.y - 14, document.title, size=18, bold=True)
        facts = [(document.number_label, document.number), *document.facts]
        y = self.y
        for label, value in facts:
            self.text(self.width - MARGIN - 45 * mm, y - 4, label, size=8)
            self.text(self.width - MARGIN, y - 4, value, size=9, bold=True, right=True)
            y -= 12
        self.y = min(self.y - 34, y - 6)
        block_top = self.y
        for x, heading, lines in (
            (MARGIN, document.issuer_heading, document.issuer),
            (self.width / 2, document.customer_heading, document.customer),
        ):
            y = block_top
            self.text(x, y, heading, size=8, bold=True)
            for line in lines:
                y -= 12
                self.text(x, y, line, size=9)
            self.y = min(self.y, y)
        self.y -= 24

    def table_head(self) -> None:
        x = MARGIN
        self.canvas.setLineWidth(0.6)
        for column in self.document.columns:
            width = column.width_mm * mm
            if column.align_right:
                self.text(x + width - 2, self.y, column.heading, size=8, bold=True, right=True)
            else:
                self.text(x, self.y, column.heading, size=8, bold=True)
            x += width
        self.canvas.line(MARGIN, self.y - 4, self.width - MARGIN, self.y - 4)
        self.y -= 16

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - MARGIN
        self.text(MARGIN, self.y - 10, f"{self.document.title} {self.document.number}", size=9, bold=True)
        self.y -= 30
        self.table_head()

    def footer(self) -> None:
        self.text(self.width - MARGIN, MARGIN / 2, f"{self.document.number} · {self.page}", size=7, right=True)

    def row(self, cells: Sequence[str]) -> None:
        if self.y < MARGIN + 40:
            self.new_page()
        x = MARGIN
        for column, cell in zip(self.document.columns, cells, strict=False):
            width = column.width_mm * mm
            font = _font(cell)
            value = _fit(cell, font, 9, width - 4)
            if column.align_right:
                self.text(x + width - 2, self.y, value, right=True)
            else:
                self.text(x, self.y, value)
            x += width
        self.y -= 13

    def totals(self) -> None:
        if not self.document.totals:
            return
        if self.y < MARGIN + 30 + 14 * len(self.document.totals):
            self.new_page()
        self.canvas.line(self.width / 2, self.y + 6, self.width - MARGIN, self.y + 6)
        self.y -= 8
        for label, amount in self.document.totals:
            self.text(self.width - MARGIN - 50 * mm, self.y, label, size=9)
            self.text(self.width - MARGIN, self.y, amount, size=9, bold=True, right=True)
            self.y -= 14

    def notes(self) -> None:
        self.y -= 10
        for note in self.document.notes:
            if self.y < MARGIN + 20:
                self.new_page()
            self.text(MARGIN, self.y, note, size=8)
            self.y -= 11


def billing_document_pdf(document: BillingDocument) -> bytes:
    """The PDF of an invoice or a credit note: A4 pages, the table continued on as many as it takes."""
    pages = _Pages(document)
    pages.header()
    pages.table_head()
    if not document.rows:
        pages.text(MARGIN, pages.y, document.empty_text)
        pages.y -= 16
    for row in document.rows:
        pages.row(row)
    pages.totals()
    pages.notes()
    pages.footer()
    pages.canvas.save()
    return pages.buffer.getvalue()
