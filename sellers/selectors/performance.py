"""Reads about seller performance: the current formula, a seller's score with its parts and trend (the
back-office page, the console, the API and the `seller.score_changed` event read the same), the
console's queue of sellers suspended by the score, and the claims, returns and reviews behind a score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from marketplace.models import Membership
from orders.models import SellerOrder
from sellers.models import PerformanceDay, ScoreFormula, Seller
from sellers.scoring import (
    METRICS,
    Counts,
    Formula,
    MetricRule,
    Part,
    Score,
    display_value,
    improvements,
    score,
)
from sellers.selectors.metrics import Window, window_of
from sellers.states import LadderStep, SellerStatus
from warranty.models import Claim, Return, Review
from warranty.states import TECHNICAL_CATEGORIES, Outcome, ReturnStatus, ReviewStatus


def score_formula_current() -> ScoreFormula:
    """The newest formula version (version 1, DOMAIN.md's numbers, is created by a data migration; made
    here too if a test flushed it)."""
    formula = ScoreFormula.objects.order_by("-version").first()
    if formula is None:
        formula, _ = ScoreFormula.objects.get_or_create(version=1, defaults={"note": "DOMAIN.md's numbers."})
    return formula


def formula_of(row: ScoreFormula) -> Formula:
    """A stored version as the scoring function's plain values."""
    return Formula(
        version=row.version,
        window_days=row.window_days,
        minimum_units=row.minimum_units,
        rules=tuple(
            MetricRule(
                metric=metric,
                weight=getattr(row, f"weight_{metric}"),
                target=getattr(row, f"target_{metric}"),
                limit=getattr(row, f"limit_{metric}"),
            )
            for metric in METRICS
        ),
        warning_below=row.warning_below,
        cap_below=row.cap_below,
        suspend_below=row.suspend_below,
        suspend_defect_rate=row.suspend_defect_rate,
        grace_days=row.grace_days,
    )


COUNT_FIELDS = (
    "units_delivered",
    "defects",
    "seller_orders",
    "cancelled_by_seller",
    "ship_due",
    "shipped_late",
    "rating_count",
    "rating_sum",
    "answered_claims",
    "median_answer_seconds",
    "audited_units",
    "audit_failures",
)


def counts_of(row: PerformanceDay) -> Counts:
    return Counts(**{name: getattr(row, name) for name in COUNT_FIELDS})


@dataclass(frozen=True)
class TrendPoint:
    day: date
    score: int | None


@dataclass(frozen=True)
class Performance:
    """A seller's performance as people see it: the latest day's score, its parts, its step, the trend."""

    seller: Seller
    formula: Formula
    row: PerformanceDay | None  # None: never scored yet
    result: Score | None
    step: str
    history: list[TrendPoint]
    window: Window | None

    @property
    def score(self) -> int | None:
        return self.result.score if self.result is not None else None

    @property
    def is_new(self) -> bool:
        return self.score is None

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.result.parts if self.result is not None else ()

    @property
    def to_improve(self) -> list[Part]:
        return improvements(self.parts)

    @property
    def units_needed(self) -> int:
        """Units still to deliver in the window before a first score."""
        delivered = self.row.units_delivered if self.row is not None else 0
        return max(self.formula.minimum_units - delivered, 0)

    @property
    def in_grace(self) -> bool:
        until = self.seller.ladder_grace_until
        return until is not None and until > timezone.now()

    @property
    def cap_kept(self) -> bool:
        until = self.seller.listing_cap_until
        return until is not None and until > timezone.now()


def performance_get(*, seller: Seller, history_days: int | None = None) -> Performance:
    """The seller's latest performance and its trend over the window (three queries)."""
    formula_row = score_formula_current()
    row = PerformanceDay.objects.select_related("formula").filter(seller=seller).order_by("-day").first()
    if row is not None:
        formula_row = row.formula
    formula = formula_of(formula_row)
    days = history_days or formula.window_days
    end = row.day if row is not None else timezone.now().date()
    history = [
        TrendPoint(day=day, score=value)
        for day, value in PerformanceDay.objects.filter(seller=seller, day__gt=end - timedelta(days=days))
        .order_by("day")
        .values_list("day", "score")
    ]
    return Performance(
        seller=seller,
        formula=formula,
        row=row,
        result=score(counts_of(row), formula) if row is not None else None,
        step=seller.ladder_step,
        history=history,
        window=window_of(row.day, formula.window_days, now=row.computed_at) if row is not None else None,
    )


def performance_data(performance: Performance, *, history: bool = True) -> dict[str, Any]:
    """The API's representation (API.md, `GET /api/v1/seller/performance/`), also the event's `data`."""
    parts = {part.metric: part for part in performance.parts}
    metrics = []
    for rule in performance.formula.rules:
        part = parts.get(rule.metric)
        metrics.append(
            {
                "code": str(rule.metric),
                "value": display_value(rule.metric, part.value if part is not None else None),
                "weight": rule.weight,
                "threshold": display_value(rule.metric, rule.target),
            }
        )
    data: dict[str, Any] = {
        "score": performance.score,
        "status": "new" if performance.is_new else "scored",
        "metrics": metrics,
        "window_days": performance.formula.window_days,
        "step": performance.step,
    }
    if history:
        data["history"] = [{"date": point.day.isoformat(), "score": point.score} for point in performance.history]
    return data


# --- the console ---------------------------------------------------------------------------------
def sellers_suspended_by_score() -> QuerySet[Seller]:
    """The console's queue: sellers the ladder suspended, longest waiting first."""
    return (
        Seller.objects.filter(status=SellerStatus.SUSPENDED, ladder_step=LadderStep.SUSPENDED)
        .select_related("organisation", "home_market")
        .order_by("updated_at", "pk")
    )


def sellers_search(*, query: str = "", status: str = "", step: str = "") -> QuerySet[Seller]:
    """Every seller, whatever its status, by name, slug, VAT id, contact e-mail or a member's login e-mail
    (the console's search: a success manager often has only the address a seller wrote from)."""
    sellers = Seller.objects.select_related("organisation", "home_market")
    query = query.strip()
    if query:
        member = Membership.objects.filter(organisation_id=OuterRef("organisation_id"), user__email__icontains=query)
        sellers = sellers.filter(
            Q(organisation__name__icontains=query)
            | Q(organisation__slug__icontains=query)
            | Q(vat_id__icontains=query.replace(" ", ""))
            | Q(contact_email__icontains=query)
            | Exists(member)
        )
    if status in SellerStatus.values:
        sellers = sellers.filter(status=status)
    if step in LadderStep.values:
        sellers = sellers.filter(ladder_step=step)
    return sellers.order_by("organisation__name", "pk")


@dataclass(frozen=True)
class Evidence:
    """The claims, returns and reviews behind a score (the console's performance section)."""

    window_start: datetime
    window_end: datetime
    defect_claims: list[Any]
    defect_returns: list[Any]
    reviews: list[Any]
    late_orders: list[Any]
    cancelled_orders: list[Any]


def performance_evidence(*, seller: Seller, window: Window, limit: int = 20) -> Evidence:
    """What the window's defect, rating, late and cancellation counts are made of (five queries)."""
    organisation = seller.organisation
    claims = (
        Claim.objects.filter(
            seller=organisation,
            opened_at__gte=window.start,
            opened_at__lt=window.end,
            category__in=TECHNICAL_CATEGORIES,
        )
        .exclude(outcome=Outcome.REJECTED)
        .select_related("line")
        .order_by("-opened_at", "-pk")[:limit]
    )
    returns = (
        Return.objects.filter(
            seller=organisation,
            opened_at__gte=window.start,
            opened_at__lt=window.end,
            reason__in=["defective", "not_as_described"],
        )
        .exclude(status=ReturnStatus.CANCELLED)
        .select_related("seller_order__order")
        .order_by("-opened_at", "-pk")[:limit]
    )
    reviews = Review.objects.filter(
        seller=organisation, status=ReviewStatus.VISIBLE, created_at__gte=window.start, created_at__lt=window.end
    ).order_by("seller_stars", "-created_at", "-pk")[:limit]
    paid = SellerOrder.objects.filter(seller=organisation, paid_at__gte=window.start, paid_at__lt=window.end)
    late = (
        paid.exclude(status="cancelled")
        .filter(Q(shipped_at__gt=F("ship_by")) | Q(shipped_at__isnull=True, ship_by__lt=window.as_of))
        .select_related("order")
        .order_by("-paid_at", "-pk")[:limit]
    )
    cancelled = paid.filter(cancelled_by="seller").select_related("order").order_by("-paid_at", "-pk")[:limit]
    return Evidence(
        window_start=window.start,
        window_end=window.end,
        defect_claims=list(claims),
        defect_returns=list(returns),
        reviews=list(reviews),
        late_orders=list(late),
        cancelled_orders=list(cancelled),
    )
