"""The credit note of a business batch, from plain values: the accounting document for what Encore owes
the company for the devices it bought (issued by Encore as the buyer: each device paid, its price, the
total, how it is settled: bank transfer or partner credit). Every string arrives translated and every
amount formatted; this module only lays them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from tradein.documents.pdf import fonts_for, markup


@dataclass(frozen=True)
class CreditNoteLine:
    reference: str
    device: str
    identifier: str
    amount: str


@dataclass(frozen=True)
class CreditNoteData:
    title: str
    number: str
    issued_on: str
    issuer: Sequence[str]  # Encore's lines
    recipient_heading: str
    recipient: Sequence[str]  # the company's lines
    batch_line: str  # "Batch B… · your reference …"
    columns: tuple[str, str, str, str]
    lines: Sequence[CreditNoteLine]
    total_label: str
    total: str
    settlement: str  # "Settled by bank transfer to FR76…0189" / "Credited to your partner account"
    notes: Sequence[str]


def build_credit_note_pdf(data: CreditNoteData) -> bytes:
    """The credit note as PDF bytes. Pure."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{data.title} {data.number}",
        author="Encore",
        subject=data.number,
    )
    texts = [*data.issuer, *data.recipient, data.batch_line, data.settlement, *data.notes, data.title]
    texts += [line.device for line in data.lines]
    regular, bold = fonts_for(texts)
    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("body", fontName=regular)
    story: list[Flowable] = [
        Paragraph(markup(f"{data.title} {data.number}"), styles["Title"].clone("title", fontName=bold)),
        Paragraph(markup(data.issued_on), body),
        Spacer(1, 4 * mm),
        Paragraph("<br/>".join(map(markup, data.issuer)), body),
        Spacer(1, 4 * mm),
        Paragraph(markup(data.recipient_heading) + "<br/>" + "<br/>".join(map(markup, data.recipient)), body),
        Spacer(1, 4 * mm),
        Paragraph(markup(data.batch_line), body),
        Spacer(1, 3 * mm),
    ]
    rows = [list(data.columns), *[[ln.reference, ln.device, ln.identifier, ln.amount] for ln in data.lines]]
    rows.append(["", "", data.total_label, data.total])
    table = Table(rows, colWidths=(30 * mm, 70 * mm, 40 * mm, 30 * mm), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 8),
                ("FONT", (0, 0), (-1, 0), bold, 8),
                ("FONT", (0, -1), (-1, -1), bold, 9),
                ("GRID", (0, 0), (-1, -2), 0.25, colors.grey),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm), Paragraph(markup(data.settlement), body)]
    note_style = styles["BodyText"].clone("note", fontName=regular, fontSize=8, leading=10)
    story += [Paragraph(markup(note), note_style) for note in data.notes]
    document.build(story)
    return buffer.getvalue()
