"""A small server-rendered bar chart (SVG drawn by a template from these numbers): the cost of parts by
month. Geometry only here; labels and money are formatted by the template in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from marketplace.money import Money

WIDTH = 640
HEIGHT = 220
TOP = 16
BOTTOM = 28  # room for the month labels
LEFT = 8


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label_x: int
    month: datetime
    value: Money


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    peak: Money | None
    peak_y: int

    @property
    def empty(self) -> bool:
        return self.peak is None or self.peak.amount == 0


def bar_chart(points: Sequence[tuple[datetime, Money]]) -> Chart:
    """One bar per point, scaled to the highest; a zero value gets no bar (a 1-pixel line)."""
    baseline = HEIGHT - BOTTOM
    if not points:
        return Chart(width=WIDTH, height=HEIGHT, baseline=baseline, bars=[], peak=None, peak_y=TOP)
    peak = max((value for _, value in points), key=lambda money: money.amount)
    slot = (WIDTH - LEFT * 2) // len(points)
    bar_width = max(4, int(slot * 0.7))
    usable = baseline - TOP
    bars = []
    for index, (month, value) in enumerate(points):
        height = round(usable * value.amount / peak.amount) if peak.amount else 0
        height = max(height, 1)
        x = LEFT + index * slot + (slot - bar_width) // 2
        bars.append(
            Bar(
                x=x,
                y=baseline - height,
                width=bar_width,
                height=height,
                label_x=x + bar_width // 2,
                month=month,
                value=value,
            )
        )
    return Chart(width=WIDTH, height=HEIGHT, baseline=baseline, bars=bars, peak=peak, peak_y=TOP)
