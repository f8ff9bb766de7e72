"""Charts people look at rather than tables they read: small server-rendered SVG, no JavaScript.

Each chart is built from plain values (labels and numbers already formatted for people) and returns
SVG markup with a title and a text description (the totals) for screen readers; each bar carries its
value in its own title (shown on hover), and the largest is written over its bar. The same figures are
in the cards above each chart and, day by day, in the CSV export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 180
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 8, 22, 14


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar (a day, a stage)
    value: float
    text: str  # the value as people read it ("€1,234", "56 %")


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, colour: str = "#5b3cc4") -> str:
    """Vertical bars, their labels under them (thinned out when there are many), the largest value
    written over its bar. Empty data gives an empty frame with the description."""
    count = max(len(bars), 1)
    top = max((bar.value for bar in bars), default=0) or 1
    slot = (WIDTH - PAD_LEFT * 2) / count
    width = max(slot * 0.7, 1)
    every = max(1, count // 12)  # at most about 12 labels
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(description)}</desc>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}" '
        'stroke="#999" stroke-width="1"/>',
    ]
    peak = max(range(len(bars)), key=lambda i: bars[i].value, default=None)
    for index, bar in enumerate(bars):
        height = (HEIGHT - PAD_BOTTOM - PAD_TOP) * (bar.value / top) if bar.value > 0 else 0
        x = PAD_LEFT + index * slot + (slot - width) / 2
        y = HEIGHT - PAD_BOTTOM - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 6}" font-size="10" text-anchor="middle" '
                f'fill="#555">{escape(bar.label)}</text>'
            )
        if index == peak and bar.value > 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{max(y - 3, 10):.1f}" font-size="10" text-anchor="middle" '
                f'fill="#222">{escape(bar.text)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
