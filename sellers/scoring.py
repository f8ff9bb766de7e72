"""The seller quality score and the sanctions ladder: pure functions, no database (DOMAIN.md, Seller
performance and sanctions).

**The score.** Six metrics over a rolling window (90 days) of the seller's own orders:

- `defect_rate`: (technical claims not rejected + units returned as defective or not as described) /
  units delivered; bounds in basis points (800 = 8 %); lower is better.
- `cancellation_rate`: seller orders cancelled by the seller / seller orders paid; basis points; lower.
- `late_shipment_rate`: seller orders shipped after `ship_by` (or not shipped and past it) / those
  shipped or due; basis points; lower.
- `average_rating`: mean of the visible reviews' seller stars; hundredths of a star (470 = 4.70); higher.
- `claim_answer_hours`: median time from a claim's opening to the seller's answer (a missed deadline
  counts as answered when it escalated); hours; lower.
- `mystery_order_findings`: audited units with at least one failed check / audited units; basis
  points; lower.

Each metric has a weight and two bounds from the formula version (`ScoreFormula`, data that
platform staff edit by publishing a new version): at or better than its `target` it earns its
whole weight, at or worse than its `limit` nothing, and linearly in between. A metric without
data (no review, no claim, no audit in the window) is left out and the weights of the others
count in its place:

    score = round_half_up(100 * sum(weight * points) / sum(weight))   over the metrics with data

A seller with fewer units delivered in the window than the formula's minimum sample (20) has no
score ("new"): the buy box treats it as the middle of the scale and the ladder does not apply.
Arithmetic is exact (fractions), so the same counts always give the same score.

**The ladder** (`ladder_step`): score < 70 warning; < 60 listing cap (5 new listings a day);
< 50, or a defect rate above 8 %, suspension by the score. Only sellers in probation or active
are on the ladder; probation sellers and sellers within their grace period after a reinstatement
go no further than the cap (a probation seller is reviewed at day 40 anyway; the grace period
forbids a new suspension, not warnings). A seller suspended by the score stays on that step
until a success manager decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Step(StrEnum):
    """The ladder's steps (API.md: `step`)."""

    NONE = "none"
    WARNING = "warning"
    CAP = "cap"
    SUSPENDED = "suspended"


STEP_ORDER = {Step.NONE: 0, Step.WARNING: 1, Step.CAP: 2, Step.SUSPENDED: 3}


class Metric(StrEnum):
    DEFECT_RATE = "defect_rate"
    CANCELLATION_RATE = "cancellation_rate"
    LATE_SHIPMENT_RATE = "late_shipment_rate"
    AVERAGE_RATING = "average_rating"
    CLAIM_ANSWER_HOURS = "claim_answer_hours"
    MYSTERY_ORDER_FINDINGS = "mystery_order_findings"


METRICS: tuple[Metric, ...] = tuple(Metric)
HIGHER_IS_BETTER = frozenset({Metric.AVERAGE_RATING})
# The unit each metric's bounds are written in, and how a value in that unit becomes the API's value.
RATE_METRICS = frozenset(
    {Metric.DEFECT_RATE, Metric.CANCELLATION_RATE, Metric.LATE_SHIPMENT_RATE, Metric.MYSTERY_ORDER_FINDINGS}
)
BASIS = 10_000  # rates in basis points
RATING_SCALE = 100  # ratings in hundredths of a star


@dataclass(frozen=True)
class MetricRule:
    """One metric's part of a formula: its weight (points out of the weights' sum) and its bounds."""

    metric: Metric
    weight: int
    target: int  # full marks at or better
    limit: int  # no marks at or worse


@dataclass(frozen=True)
class Formula:
    """A formula version as plain values (see `sellers.models.ScoreFormula`)."""

    version: int
    window_days: int
    minimum_units: int
    rules: tuple[MetricRule, ...]
    warning_below: int
    cap_below: int
    suspend_below: int
    suspend_defect_rate: int  # basis points: a defect rate strictly above it suspends
    grace_days: int

    def rule(self, metric: Metric) -> MetricRule:
        return next(rule for rule in self.rules if rule.metric == metric)

    @property
    def suspend_defect_percent(self) -> float:
        """The defect rate above which the ladder suspends, in percent (8.0)."""
        return self.suspend_defect_rate / 100


@dataclass(frozen=True)
class Counts:
    """What the window holds for one seller (the scoring job counts them in SQL)."""

    units_delivered: int = 0
    defects: int = 0
    seller_orders: int = 0
    cancelled_by_seller: int = 0
    ship_due: int = 0
    shipped_late: int = 0
    rating_count: int = 0
    rating_sum: int = 0
    answered_claims: int = 0
    median_answer_seconds: int | None = None
    audited_units: int = 0
    audit_failures: int = 0


def metric_values(counts: Counts) -> dict[Metric, Fraction | None]:
    """Each metric's value in the unit of its bounds (basis points, hundredths of a star, hours), or
    None when the window holds no data for it. Exact fractions."""

    def rate(part: int, whole: int) -> Fraction | None:
        return Fraction(part * BASIS, whole) if whole > 0 else None

    return {
        Metric.DEFECT_RATE: rate(counts.defects, counts.units_delivered),
        Metric.CANCELLATION_RATE: rate(counts.cancelled_by_seller, counts.seller_orders),
        Metric.LATE_SHIPMENT_RATE: rate(counts.shipped_late, counts.ship_due),
        Metric.AVERAGE_RATING: (
            Fraction(counts.rating_sum * RATING_SCALE, counts.rating_count) if counts.rating_count > 0 else None
        ),
        Metric.CLAIM_ANSWER_HOURS: (
            Fraction(counts.median_answer_seconds, 3600)
            if counts.answered_claims > 0 and counts.median_answer_seconds is not None
            else None
        ),
        Metric.MYSTERY_ORDER_FINDINGS: rate(counts.audit_failures, counts.audited_units),
    }


def points(rule: MetricRule, value: Fraction) -> Fraction:
    """The share (0-1) of its weight a metric earns: 1 at or past its target, 0 at or past its limit,
    linear in between."""
    if rule.metric in HIGHER_IS_BETTER:
        if value >= rule.target:
            return Fraction(1)
        if value <= rule.limit:
            return Fraction(0)
        return (value - rule.limit) / (rule.target - rule.limit)
    if value <= rule.target:
        return Fraction(1)
    if value >= rule.limit:
        return Fraction(0)
    return (rule.limit - value) / (rule.limit - rule.target)


def round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


@dataclass(frozen=True)
class Part:
    """One metric in a score: its value (None: no data), weight, bounds, and the points it earned."""

    metric: Metric
    value: Fraction | None
    weight: int
    target: int
    limit: int
    points: Fraction | None  # share of the weight earned, None when left out

    @property
    def points_lost(self) -> Fraction:
        """How much of the score this metric costs (in score points out of 100, before renormalising)."""
        return Fraction(0) if self.points is None else self.weight * (1 - self.points)

    @property
    def meets_target(self) -> bool | None:
        return None if self.points is None else self.points == 1


@dataclass(frozen=True)
class Score:
    score: int | None  # None: fewer units delivered than the minimum sample ("new")
    parts: tuple[Part, ...]

    @property
    def is_new(self) -> bool:
        return self.score is None

    def part(self, metric: Metric) -> Part:
        return next(part for part in self.parts if part.metric == metric)


def score(counts: Counts, formula: Formula) -> Score:
    """The seller's score 0-100 from its window's counts under `formula` (the module's docstring)."""
    values = metric_values(counts)
    built = []
    for rule in formula.rules:
        value = values[rule.metric]
        share = None if value is None else points(rule, value)
        built.append(Part(rule.metric, value, rule.weight, rule.target, rule.limit, share))
    parts = tuple(built)
    if counts.units_delivered < formula.minimum_units:
        return Score(score=None, parts=parts)
    counted = [part for part in parts if part.points is not None and part.weight > 0]
    total_weight = sum(part.weight for part in counted)
    if total_weight == 0:
        return Score(score=100, parts=parts)
    earned = sum((part.weight * part.points for part in counted if part.points is not None), Fraction(0))
    return Score(score=max(0, min(100, round_half_up(100 * earned / total_weight))), parts=parts)


def defect_rate_exceeds(counts: Counts, formula: Formula) -> bool:
    value = metric_values(counts)[Metric.DEFECT_RATE]
    return value is not None and value > formula.suspend_defect_rate


def ladder_step(
    *,
    score: int | None,
    defect_rate_too_high: bool,
    formula: Formula,
    status: str,
    in_grace: bool,
    suspended_by_score: bool,
) -> Step:
    """The ladder step a seller is on (the module's docstring). `status` is the seller's lifecycle
    status; `in_grace`: within the grace period after a reinstatement; `suspended_by_score`: its
    current suspension is the ladder's."""
    if status == "suspended":
        return Step.SUSPENDED if suspended_by_score else Step.NONE
    if status not in ("active", "probation") or score is None:
        return Step.NONE
    if score < formula.suspend_below or defect_rate_too_high:
        step = Step.SUSPENDED
    elif score < formula.cap_below:
        step = Step.CAP
    elif score < formula.warning_below:
        step = Step.WARNING
    else:
        step = Step.NONE
    if step == Step.SUSPENDED and (status == "probation" or in_grace):
        return Step.CAP
    return step


def improvements(parts: Iterable[Part]) -> list[Part]:
    """The metrics that cost points, the most costly first (what to improve)."""
    return sorted(
        (part for part in parts if part.points is not None and part.points < 1),
        key=lambda part: (-part.points_lost, part.metric),
    )


def display_value(metric: Metric, value: Fraction | int | None) -> float | None:
    """A value in its bounds' unit as the API shows it: rates as fractions (0.034), ratings in stars,
    hours in hours; rounded to 4 decimals."""
    if value is None:
        return None
    if metric in RATE_METRICS:
        return round(float(Fraction(value) / BASIS), 4)
    if metric == Metric.AVERAGE_RATING:
        return round(float(Fraction(value) / RATING_SCALE), 2)
    return round(float(value), 1)
