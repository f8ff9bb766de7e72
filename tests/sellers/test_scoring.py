"""The score and the ladder as pure functions, table by table (sellers/scoring.py): no database."""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction

import pytest

from sellers.charts import trend_chart
from sellers.scoring import (
    Counts,
    Formula,
    Metric,
    MetricRule,
    Step,
    defect_rate_exceeds,
    display_value,
    improvements,
    ladder_step,
    metric_values,
    points,
    round_half_up,
    score,
)
from sellers.selectors.performance import TrendPoint
from sellers.services.audits import audit_group, weighted_sample

V1 = Formula(
    version=1,
    window_days=90,
    minimum_units=20,
    rules=(
        MetricRule(Metric.DEFECT_RATE, 35, 200, 1000),
        MetricRule(Metric.CANCELLATION_RATE, 15, 100, 1000),
        MetricRule(Metric.LATE_SHIPMENT_RATE, 15, 300, 2000),
        MetricRule(Metric.AVERAGE_RATING, 15, 470, 300),
        MetricRule(Metric.CLAIM_ANSWER_HOURS, 10, 24, 96),
        MetricRule(Metric.MYSTERY_ORDER_FINDINGS, 10, 0, 5000),
    ),
    warning_below=70,
    cap_below=60,
    suspend_below=50,
    suspend_defect_rate=800,
    grace_days=30,
)
PERFECT = Counts(
    units_delivered=100,
    seller_orders=100,
    ship_due=100,
    rating_count=10,
    rating_sum=50,
    answered_claims=2,
    median_answer_seconds=3600,
    audited_units=2,
)


def counts(**changes: object) -> Counts:
    values = {**PERFECT.__dict__, **changes}
    return Counts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "window", "expected"),
    [
        ("perfect on every metric", PERFECT, 100),
        ("below the minimum sample: new, no score", counts(units_delivered=19), None),
        ("exactly the minimum sample", counts(units_delivered=20), 100),
        ("nothing delivered", Counts(), None),
        # Defects 6 %: 35 * (1000 - 600) / 800 = 17.5 of 35, the rest perfect: 82.5 -> 83 (half up).
        ("defects halfway", counts(defects=6), 83),
        ("defects at their target (2 %): full marks", counts(defects=2), 100),
        ("defects at their limit (10 %): no marks", counts(defects=10), 65),
        ("defects beyond their limit count as the limit", counts(defects=40), 65),
        # Cancellations 5.5 % of 100 orders: 15 * (1000 - 550) / 900 = 7.5 -> 92.5 -> 93.
        ("cancellations", counts(cancelled_by_seller=55, seller_orders=1000), 93),
        # Late 20 % (limit): 0 of 15.
        ("late shipments at their limit", counts(shipped_late=20), 85),
        # Rating 3.85 stars: 15 * (385 - 300) / 170 = 7.5 -> 92.5 -> 93.
        ("rating between its bounds", counts(rating_count=20, rating_sum=77), 93),
        ("rating at or below 3 stars", counts(rating_count=10, rating_sum=30), 85),
        # Median answer 60 h: 10 * (96 - 60) / 72 = 5 -> 95.
        ("claim answers in 60 hours", counts(median_answer_seconds=60 * 3600), 95),
        # Half the audited units failed (the limit): 0 of 10.
        ("mystery orders: half the units failed", counts(audited_units=4, audit_failures=2), 90),
        # No review, no claim, no audit: the other metrics' weights (65) count in their place.
        (
            "metrics without data are left out",
            counts(rating_count=0, rating_sum=0, answered_claims=0, median_answer_seconds=None, audited_units=0),
            100,
        ),
        # Left out, and defects halfway: 17.5 / 65 = 26.9 % lost -> 73.08 -> 73.
        (
            "renormalised over the metrics with data",
            counts(defects=6, rating_count=0, answered_claims=0, median_answer_seconds=None, audited_units=0),
            73,
        ),
        # Everything at its limit: 0.
        (
            "worst on every metric",
            counts(
                defects=10,
                cancelled_by_seller=10,
                shipped_late=20,
                rating_sum=30,
                median_answer_seconds=96 * 3600,
                audit_failures=1,
            ),
            0,
        ),
    ],
)
def test_the_score_of_a_window(case, window, expected):
    assert score(window, V1).score == expected, case


def test_the_score_is_exact_and_rounds_half_up():
    assert round_half_up(Fraction(825, 10)) == 83
    assert round_half_up(Fraction(8249, 100)) == 82
    assert round_half_up(Fraction(1, 2)) == 1
    # 1/3 of a metric's range: an exact fraction, never a float's 0.30000000000000004.
    rule = MetricRule(Metric.DEFECT_RATE, 35, 200, 1100)
    assert points(rule, Fraction(500)) == Fraction(2, 3)


@pytest.mark.parametrize(
    ("window", "metric", "value"),
    [
        (counts(defects=3), Metric.DEFECT_RATE, Fraction(300)),
        (counts(cancelled_by_seller=1, seller_orders=40), Metric.CANCELLATION_RATE, Fraction(250)),
        (counts(shipped_late=0, ship_due=0), Metric.LATE_SHIPMENT_RATE, None),
        (counts(rating_count=3, rating_sum=14), Metric.AVERAGE_RATING, Fraction(1400, 3)),
        (counts(median_answer_seconds=5400), Metric.CLAIM_ANSWER_HOURS, Fraction(3, 2)),
        (counts(answered_claims=0, median_answer_seconds=None), Metric.CLAIM_ANSWER_HOURS, None),
        (counts(audited_units=0), Metric.MYSTERY_ORDER_FINDINGS, None),
    ],
)
def test_metric_values_in_their_units(window, metric, value):
    assert metric_values(window)[metric] == value


def test_values_as_the_api_shows_them():
    assert display_value(Metric.DEFECT_RATE, Fraction(340)) == 0.034
    assert display_value(Metric.AVERAGE_RATING, 462) == 4.62
    assert display_value(Metric.CLAIM_ANSWER_HOURS, Fraction(37, 2)) == 18.5
    assert display_value(Metric.DEFECT_RATE, None) is None


@pytest.mark.parametrize(
    ("case", "score_value", "defects_too_high", "status", "in_grace", "by_score", "expected"),
    [
        ("70 is no warning", 70, False, "active", False, False, Step.NONE),
        ("69 is a warning", 69, False, "active", False, False, Step.WARNING),
        ("60 is still a warning", 60, False, "active", False, False, Step.WARNING),
        ("59 caps new listings", 59, False, "active", False, False, Step.CAP),
        ("50 is still the cap", 50, False, "active", False, False, Step.CAP),
        ("49 suspends", 49, False, "active", False, False, Step.SUSPENDED),
        ("a good score with defects above 8 % suspends", 90, True, "active", False, False, Step.SUSPENDED),
        ("new sellers are not on the ladder", None, False, "active", False, False, Step.NONE),
        ("new sellers: even with defects counted", None, True, "active", False, False, Step.NONE),
        ("within the grace period: the cap at most", 30, False, "active", True, False, Step.CAP),
        ("within the grace period: warnings still go out", 65, False, "active", True, False, Step.WARNING),
        ("probation: the cap at most (reviewed at day 40)", 30, False, "probation", False, False, Step.CAP),
        ("probation: warnings", 65, False, "probation", False, False, Step.WARNING),
        ("suspended by the score stays until a manager decides", 95, False, "suspended", False, True, Step.SUSPENDED),
        ("suspended by hand is not on the ladder", 30, False, "suspended", False, False, Step.NONE),
        ("under review: not on the ladder", 30, False, "under_review", False, False, Step.NONE),
        ("terminated: not on the ladder", 10, True, "terminated", False, False, Step.NONE),
    ],
)
def test_the_ladder(case, score_value, defects_too_high, status, in_grace, by_score, expected):
    step = ladder_step(
        score=score_value,
        defect_rate_too_high=defects_too_high,
        formula=V1,
        status=status,
        in_grace=in_grace,
        suspended_by_score=by_score,
    )
    assert step == expected, case


@pytest.mark.parametrize(
    ("defects", "expected"),
    [(8, False), (9, True), (800, True)],
)
def test_a_defect_rate_above_8_percent(defects, expected):
    assert defect_rate_exceeds(counts(defects=defects), V1) is expected  # 8 of 100 units is not above 8 %


def test_what_to_improve_puts_the_costliest_metric_first():
    result = score(counts(defects=6, shipped_late=12, cancelled_by_seller=0), V1)

    assert [part.metric for part in improvements(result.parts)] == [Metric.DEFECT_RATE, Metric.LATE_SHIPMENT_RATE]


@pytest.mark.parametrize(
    ("score_value", "expected"),
    [(None, "new"), (0, "low_score"), (55, "low_score"), (69, "low_score"), (70, "other"), (98, "other")],
)
def test_audit_groups(score_value, expected):
    assert audit_group(score_value, 70) == expected


def test_the_audit_draw_favours_weight_and_never_draws_a_zero_weight():
    drawn: dict[int, int] = {1: 0, 2: 0, 3: 0}
    rng = random.Random(7)
    for _ in range(3000):
        for seller_id in weighted_sample([(1, 4), (2, 1), (3, 0)], size=1, rng=rng):
            drawn[seller_id] += 1

    assert drawn[3] == 0
    assert 2200 < drawn[1] < 2600  # 4 in 5, within noise
    assert weighted_sample([(1, 1), (2, 1)], size=5, rng=rng) in ([1, 2], [2, 1])


def test_the_same_seed_draws_the_same_sample():
    candidates = [(n, 1 + n % 3) for n in range(50)]

    first = weighted_sample(candidates, size=5, rng=random.Random(42))
    second = weighted_sample(candidates, size=5, rng=random.Random(42))

    assert first == second
    assert len(set(first)) == 5


def test_the_trend_chart_breaks_on_days_without_a_score():
    end = date(2026, 11, 30)
    history = [
        TrendPoint(end - timedelta(days=4), 80),
        TrendPoint(end - timedelta(days=3), 70),
        TrendPoint(end - timedelta(days=2), None),
        TrendPoint(end, 50),
    ]

    chart = trend_chart(history, end=end, days=5, thresholds=[(70, "warning")])

    assert len(chart.segments) == 2
    assert (chart.first_score, chart.last_score, chart.low, chart.high) == (80, 50, 50, 80)
    assert chart.dots[0][1] < chart.dots[-1][1]  # a higher score is drawn higher up
    assert chart.thresholds[0].y == chart.dots[1][1]  # 70 sits on the warning line


@pytest.mark.parametrize(
    ("own_score", "leeway"),
    [(100, "5.3"), (72, "2.2"), (51, "0.1"), (50, "0.0"), (None, "0.0"), (0, "-4.8"), (150, "5.3")],
)
def test_the_leeway_a_score_gives_in_the_buy_box(own_score, leeway):
    from decimal import Decimal

    from catalog.selectors.buy_box import score_leeway

    assert score_leeway(own_score) == Decimal(leeway)
