"""The score's trend as a server-rendered SVG line chart (no chart library): people look at a trend.

`trend_chart` turns a seller's daily history into coordinates; `templates/partials/score_trend.html`
draws them. Days without a score (no run, or "new") break the line; the ladder's thresholds are
drawn as dashed lines so that a glance says how close the seller is to the next step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sellers.selectors.performance import TrendPoint

WIDTH = 640
HEIGHT = 240
LEFT = 44  # room for the y labels
RIGHT = 8
TOP = 10
BOTTOM = 32  # room for the x labels


@dataclass(frozen=True)
class Threshold:
    value: int
    y: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    right_x: int
    top: int
    bottom_y: int
    segments: list[str]  # SVG polyline points, one string per unbroken run of days
    dots: list[tuple[float, float, int, date]]  # the scored days (x, y, score, day): titles for hover
    thresholds: list[Threshold]
    y_ticks: list[tuple[float, int]]
    first_day: date
    last_day: date
    first_score: int | None
    last_score: int | None
    low: int | None
    high: int | None

    @property
    def is_empty(self) -> bool:
        return not self.dots

    @property
    def plot_width(self) -> int:
        return self.right_x - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom_y - self.top


def _y(score: float) -> float:
    return round(TOP + (100 - score) * (HEIGHT - TOP - BOTTOM) / 100, 1)


def trend_chart(
    history: Sequence[TrendPoint], *, end: date, days: int, thresholds: Sequence[tuple[int, str]] = ()
) -> TrendChart:
    """Coordinates for the `days` days ending with `end` (a day without a point is a gap)."""
    start = end - timedelta(days=days - 1)
    by_day = {point.day: point.score for point in history if start <= point.day <= end}
    span = max(days - 1, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        return round(LEFT + (day - start).days * plot_width / span, 1)

    segments: list[str] = []
    current: list[str] = []
    dots: list[tuple[float, float, int, date]] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        value = by_day.get(day)
        if value is None:
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        point = (x(day), _y(value))
        current.append(f"{point[0]},{point[1]}")
        dots.append((point[0], point[1], value, day))
    if current:
        segments.append(" ".join(current))
    scores = [dot[2] for dot in dots]
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_x=WIDTH - RIGHT,
        top=TOP,
        bottom_y=HEIGHT - BOTTOM,
        segments=segments,
        dots=dots,
        thresholds=[Threshold(value=value, y=_y(value), label=label) for value, label in thresholds],
        y_ticks=[(_y(tick), tick) for tick in (0, 50, 100)],
        first_day=start,
        last_day=end,
        first_score=scores[0] if scores else None,
        last_score=scores[-1] if scores else None,
        low=min(scores) if scores else None,
        high=max(scores) if scores else None,
    )
