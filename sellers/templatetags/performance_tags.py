"""Template helpers for seller performance: metric names, values in their unit, advice, step names."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from sellers.scoring import BASIS, RATE_METRICS, RATING_SCALE, Metric
from sellers.states import LadderStep

register = template.Library()

METRIC_LABELS = {
    Metric.DEFECT_RATE: _("Defect rate"),
    Metric.CANCELLATION_RATE: _("Cancellations"),
    Metric.LATE_SHIPMENT_RATE: _("Late shipments"),
    Metric.AVERAGE_RATING: _("Average rating"),
    Metric.CLAIM_ANSWER_HOURS: _("Claim answer time (median)"),
    Metric.MYSTERY_ORDER_FINDINGS: _("Mystery-order findings"),
}
METRIC_HELP = {
    Metric.DEFECT_RATE: _("Technical claims and units returned as defective or not as described, per unit delivered."),
    Metric.CANCELLATION_RATE: _("Orders you cancelled, per order paid."),
    Metric.LATE_SHIPMENT_RATE: _("Orders shipped after their ship-by date (1 business day), per order due."),
    Metric.AVERAGE_RATING: _("Buyers' stars for you as a seller, in visible reviews."),
    Metric.CLAIM_ANSWER_HOURS: _("Time from a warranty claim's opening to your answer."),
    Metric.MYSTERY_ORDER_FINDINGS: _(
        "Units bought by Encore's auditors that failed a check (grade, battery, "
        "identifier, wipe and lock, accessories)."
    ),
}
METRIC_ADVICE = {
    Metric.DEFECT_RATE: _(
        "Test every unit before listing it, and grade and state the battery conservatively: "
        "defects weigh most in the score, and above 8 % the account is suspended."
    ),
    Metric.CANCELLATION_RATE: _(
        "Keep stock in step with your warehouse (CSV import or the API) so that you never sell a unit you do not have."
    ),
    Metric.LATE_SHIPMENT_RATE: _(
        "Ship within one business day of payment; accept and ship from the orders page or "
        "the API as soon as a parcel leaves."
    ),
    Metric.AVERAGE_RATING: _(
        "Describe units exactly, pack them well and reply to reviews: buyers rate the whole experience."
    ),
    Metric.CLAIM_ANSWER_HOURS: _(
        "Answer warranty claims within a day; a claim left unanswered for 2 business days "
        "escalates and counts as a full delay."
    ),
    Metric.MYSTERY_ORDER_FINDINGS: _(
        "Check grade, battery, identifier, erasure and accessories of every unit "
        "before it ships: audited units are bought like any other."
    ),
}


@register.filter
def metric_label(metric: Any) -> str:
    return str(METRIC_LABELS.get(Metric(str(metric)), metric))


@register.filter
def metric_help(metric: Any) -> str:
    return str(METRIC_HELP.get(Metric(str(metric)), ""))


@register.filter
def metric_advice(metric: Any) -> str:
    return str(METRIC_ADVICE.get(Metric(str(metric)), ""))


@register.filter
def metric_value(value: Fraction | int | None, metric: Any) -> str:
    """A value in its bounds' unit, written for people: 3.4 %, 4.6 / 5, 18 h."""
    if value is None:
        return "—"
    code = Metric(str(metric))
    number = Fraction(value)
    if code in RATE_METRICS:
        return f"{number_format(round(float(number * 100 / BASIS), 1), 1)} %"
    if code == Metric.AVERAGE_RATING:
        return f"{number_format(round(float(number / RATING_SCALE), 2), 2)} / 5"
    return f"{number_format(round(float(number), 1), 1)} h"


@register.filter
def earned(part: Any) -> str:
    """The points a metric earned out of its weight (one decimal)."""
    if part.points is None:
        return "—"
    return number_format(round(float(part.weight * part.points), 1), 1)


@register.filter
def percent_of(part: Any) -> int:
    """The share of its weight a metric earned, as a whole percentage (for a meter)."""
    return 0 if part.points is None else round(float(part.points) * 100)


@register.filter
def audit_status(value: str) -> str:
    """An audit row's status as people read it: ladder steps (`ladder:cap`) by their names."""
    if value.startswith("ladder:"):
        step = value.removeprefix("ladder:")
        label = dict(LadderStep.choices).get(step, step)
        return f"{_('Ladder')}: {label}"
    return value
