"""A business batch's report, from plain values: the devices, the conditions found, the value paid, and
what their reuse avoids (CO2e and e-waste, with the method and the sources), stated apart from the
company's own Scope 3 inventory, as the GHG Protocol asks for avoided emissions.

Every string arrives translated and every number formatted in the reader's language; this module only
lays them out (reportlab's platypus: the device table flows over as many pages as it needs).
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
class ReportDevice:
    reference: str
    device: str
    identifier: str
    declared: str  # translated condition
    found: str  # translated condition, or "" before inspection
    status: str  # translated
    paid: str  # formatted money, or ""


@dataclass(frozen=True)
class BatchReportData:
    title: str
    company: str
    batch_reference: str
    issued_on: str
    summary_heading: str
    summary: Sequence[tuple[str, str]]  # (label, value): devices, received, paid, value paid...
    conditions_heading: str
    conditions: Sequence[tuple[str, str, str]]  # (condition, declared count, found count)
    conditions_columns: tuple[str, str, str]
    impact_heading: str
    impact: Sequence[tuple[str, str]]  # (label, value): devices reused, CO2e avoided, e-waste avoided
    method_heading: str
    method: Sequence[str]  # paragraphs: the convention, the per-category figures and their sources
    scope3_notice: str  # avoided emissions stated apart from the company's inventory
    devices_heading: str
    device_columns: tuple[str, str, str, str, str, str, str]
    devices: Sequence[ReportDevice]


def build_batch_report_pdf(data: BatchReportData) -> bytes:
    """The report as PDF bytes. Pure."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{data.title} {data.batch_reference}",
        author="Encore",
        subject=data.batch_reference,
    )
    regular, bold = fonts_for(_texts(data))
    styles = getSampleStyleSheet()
    title = styles["Title"].clone("title", fontName=bold)
    heading2 = styles["Heading2"].clone("heading2", fontName=bold)
    heading3 = styles["Heading3"].clone("heading3", fontName=bold)
    body = styles["BodyText"].clone("body", fontName=regular)
    small = styles["BodyText"].clone("small", fontName=regular, fontSize=8, leading=10)
    fonts = (regular, bold)
    story: list[Flowable] = [
        Paragraph(markup(data.title), title),
        Paragraph(markup(f"{data.company} · {data.batch_reference} · {data.issued_on}"), body),
        Spacer(1, 6 * mm),
        Paragraph(markup(data.summary_heading), heading2),
        _table([list(row) for row in data.summary], fonts, widths=(70 * mm, 90 * mm)),
        Paragraph(markup(data.conditions_heading), heading2),
        _table([list(data.conditions_columns), *[list(row) for row in data.conditions]], fonts, header=True),
        Paragraph(markup(data.impact_heading), heading2),
        _table([list(row) for row in data.impact], fonts, widths=(70 * mm, 90 * mm)),
        Spacer(1, 3 * mm),
        Paragraph(markup(data.scope3_notice), body),
        Paragraph(markup(data.method_heading), heading3),
        *[Paragraph(markup(paragraph), small) for paragraph in data.method],
        Paragraph(markup(data.devices_heading), heading2),
        _table(
            [
                list(data.device_columns),
                *[[d.reference, d.device, d.identifier, d.declared, d.found, d.status, d.paid] for d in data.devices],
            ],
            fonts,
            header=True,
            font_size=7,
        ),
    ]
    document.build(story)
    return buffer.getvalue()


def _texts(data: BatchReportData) -> list[str]:
    texts = [data.title, data.company, data.scope3_notice, *data.method, *data.device_columns]
    texts += [value for row in data.summary for value in row] + [value for row in data.impact for value in row]
    texts += [value for row in data.conditions for value in row]
    texts += [d.device + d.declared + d.found + d.status + d.paid for d in data.devices]
    return texts


def _table(
    rows: list[list[str]],
    fonts: tuple[str, str],
    *,
    header: bool = False,
    widths: Sequence[float] | None = None,
    font_size: float = 9,
) -> Table:
    regular, bold = fonts
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), regular, font_size),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style += [("FONT", (0, 0), (-1, 0), bold, font_size), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]
    else:
        style += [("FONT", (0, 0), (0, -1), bold, font_size)]
    table.setStyle(TableStyle(style))
    return table
