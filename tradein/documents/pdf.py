"""Small drawing helpers shared by the trade-in PDFs: a QR code as an embedded PNG, wrapped text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

import segno
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas


def qr_png(payload: str, *, scale: int = 8) -> bytes:
    """The QR code of `payload` as a PNG (error correction M, 4-module quiet zone), black on white."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def draw_qr(canvas: Canvas, payload: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code of `payload` as an image of `size` points with its lower-left corner at (x, y)."""
    canvas.drawImage(ImageReader(io.BytesIO(qr_png(payload))), x, y, width=size, height=size)


def draw_lines(canvas: Canvas, lines: list[str], *, x: float, y: float, size: float = 10, leading: float = 13) -> float:
    """Draw lines of text downwards from (x, y); returns the y below the last line."""
    canvas.setFont("Helvetica", size)
    for line in lines:
        canvas.drawString(x, y, line)
        y -= leading
    return y


CJK_FONT = "HeiseiKakuGo-W5"  # shipped with reportlab: Japanese text needs no system font


def fonts_for(texts: Iterable[str]) -> tuple[str, str]:
    """(regular, bold) fonts that can draw every text: Helvetica, or reportlab's Japanese CID font when
    one of them is outside Latin-1 (it draws Latin letters too)."""
    for text in texts:
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
            return CJK_FONT, CJK_FONT
    return "Helvetica", "Helvetica-Bold"


def markup(text: str) -> str:
    """Text safe inside a reportlab Paragraph (which reads a little XML)."""
    return escape(text)
