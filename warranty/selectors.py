"""After-sales reads with their rules: scoping (a shopper's own, a seller's own, a partner's own: another's
is a 404), the rule of three's count, timelines with deadlines, queues, and a seller's feedback.

Lists load their relations up front (`select_related` / `prefetch_related`), so a page's query count
does not grow with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Organisation, User
from marketplace.tenancy import get_scoped_or_404, scope
from orders.models import OrderLine, OrderUnit, SellerOrder
from orders.states import SellerOrderStatus
from warranty import deadlines
from warranty.models import Claim, ClaimMessage, ClaimPhoto, Return, ReturnItem, Review, ReviewReport, Warranty
from warranty.states import (
    OPEN_CLAIM_STATUSES,
    TECHNICAL_CATEGORIES,
    ClaimStatus,
    Outcome,
    Resolution,
    ReturnStatus,
    ReviewStatus,
    allowed_resolutions,
)


# --- warranties -------------------------------------------------------------------------------------
def warranty_list_for_shopper(*, shopper: User) -> QuerySet[Warranty]:
    """A shopper's warranties (replaced ones included, marked), newest first, with their open claim."""
    open_claims = Claim.objects.filter(status__in=OPEN_CLAIM_STATUSES)
    return (
        Warranty.objects.filter(shopper=shopper)
        .select_related("line__seller_order__order__market", "seller")
        .prefetch_related(Prefetch("claims", queryset=open_claims, to_attr="open_claims"))
        .order_by("-starts_on", "-id")
    )


def warranty_get_for_shopper(*, shopper: User, id: int) -> Warranty:
    """A shopper's own warranty; another's is a 404."""
    return get_object_or_404(
        Warranty.objects.select_related("line__seller_order__order__market", "seller"), shopper=shopper, pk=id
    )


# --- claims: loading and the rule of three ---------------------------------------------------------------
def _claim_queryset() -> QuerySet[Claim]:
    return Claim.objects.select_related(
        "line__seller_order__order", "market", "seller", "partner", "shopper", "refund", "label", "warranty"
    ).prefetch_related(
        Prefetch(
            "messages",
            queryset=ClaimMessage.objects.prefetch_related(
                Prefetch("photos", queryset=ClaimPhoto.objects.order_by("pk"))
            ).order_by("created_at", "pk"),
        )
    )


def claim_with_relations(claim_id: int) -> Claim:
    """A claim with everything its payload and pages show (a fixed number of queries)."""
    return _claim_queryset().get(pk=claim_id)


def claim_position(claim: Claim) -> int:
    """The rule of three's count: the place of this claim among its purchase's technical claims that were
    not rejected (the unit bought and its replacements), in the order they were opened; 0 for a claim of
    another category."""
    if claim.category not in TECHNICAL_CATEGORIES:
        return 0
    return (
        Claim.objects.filter(purchase_id=claim.purchase_id, category__in=TECHNICAL_CATEGORIES, pk__lte=claim.pk)
        .exclude(outcome=Outcome.REJECTED)
        .count()
    )


def claim_allowed_resolutions(claim: Claim) -> frozenset[Resolution]:
    """What may resolve this claim (the rule of three, `warranty.states.allowed_resolutions`)."""
    return allowed_resolutions(technical=claim.is_technical, position=claim_position(claim))


# --- claims: scoped lists ----------------------------------------------------------------------------------
def claim_list_for_shopper(*, shopper: User) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(shopper=shopper)
        .select_related("line__seller_order__order", "seller", "market")
        .order_by("-opened_at", "-pk")
    )


def claim_get_for_shopper(*, shopper: User, id: int) -> Claim:
    """A shopper's own claim with its conversation; another's is a 404."""
    return get_object_or_404(_claim_queryset().filter(shopper=shopper), pk=id)


DEADLINE_FILTERS = ("overdue", "today", "soon")


def claim_list_for_seller(
    *, seller: Organisation | None, status: str | None = None, deadline: str | None = None, now: datetime | None = None
) -> QuerySet[Claim]:
    """A seller's claims (scoped), newest first; `status` one of the claim statuses, `deadline` one of
    overdue (its current deadline passed), today (due before the end of today, UTC), soon (within 2 days)."""
    queryset = scope(Claim.objects.all(), seller, field="seller").select_related(
        "line__seller_order__order", "market", "refund", "label", "warranty"
    )
    if status:
        queryset = queryset.filter(status=status)
    if deadline in DEADLINE_FILTERS:
        now = now or timezone.now()
        limit = {"overdue": now, "today": now.replace(hour=23, minute=59, second=59), "soon": now + timedelta(days=2)}[
            deadline
        ]
        queryset = queryset.filter(
            Q(status=ClaimStatus.OPENED, answer_due_at__lte=limit)
            | Q(status=ClaimStatus.IN_REPAIR, repair_due_at__lte=limit)
        )
    return queryset.prefetch_related(
        Prefetch("messages", queryset=ClaimMessage.objects.prefetch_related("photos").order_by("created_at", "pk"))
    ).order_by("-opened_at", "-pk")


def claim_get_for_seller(*, seller: Organisation | None, id: int) -> Claim:
    """A seller's own claim with its conversation; another tenant's is a 404."""
    return get_scoped_or_404(_claim_queryset(), seller, field="seller", pk=id)


def claim_list_for_partner(*, partner: Organisation | None) -> QuerySet[Claim]:
    return scope(_claim_queryset(), partner, field="partner").order_by("-opened_at", "-pk")


def claim_get_for_partner(*, partner: Organisation | None, id: int) -> Claim:
    """A claim the partner opened (or on an order it placed); another's is a 404."""
    return get_scoped_or_404(_claim_queryset(), partner, field="partner", pk=id)


def claim_queue_for_managers(*, now: datetime | None = None) -> QuerySet[Claim]:
    """Success managers' escalation queue: escalated claims (oldest first), with what the row shows."""
    return (
        Claim.objects.filter(status=ClaimStatus.ESCALATED)
        .select_related("line__seller_order__order", "seller", "market")
        .order_by("escalated_at", "pk")
    )


def claim_get_for_manager(*, id: int) -> Claim:
    return get_object_or_404(_claim_queryset(), pk=id)


def claim_unit_history(claim: Claim) -> list[Claim]:
    """Every claim of the same purchase (the unit bought and its replacements), oldest first."""
    return list(
        Claim.objects.filter(purchase_id=claim.purchase_id).select_related("warranty").order_by("opened_at", "pk")
    )


def claim_photo_get(*, claim: Claim, photo_id: int) -> ClaimPhoto:
    """A photo of a claim the caller may already see; any other is a 404."""
    return get_object_or_404(ClaimPhoto.objects.filter(claim=claim), pk=photo_id)


# --- claims: the timeline -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineStep:
    label: Any  # a lazy translated string
    at: datetime | None  # when it happened
    due: datetime | None = None  # when it is due, if it has not happened
    overdue: bool = False


def claim_timeline(claim: Claim, *, now: datetime | None = None) -> list[TimelineStep]:
    """The claim's steps, done (with their time) and to come (with their deadline). Pure given the claim."""
    now = now or timezone.now()
    steps = [TimelineStep(_("Claim opened"), claim.opened_at)]
    answered = claim.answered_at
    steps.append(
        TimelineStep(
            _("The seller answers"),
            answered,
            due=None if answered else claim.answer_due_at,
            overdue=answered is None and claim.status == ClaimStatus.OPENED and now > claim.answer_due_at,
        )
    )
    if claim.escalated_at is not None:
        steps.append(TimelineStep(_("Encore's team takes the claim over"), claim.escalated_at))
    if answered is not None and claim.accepted_at is None and claim.status == ClaimStatus.ANSWERED:
        steps.append(TimelineStep(_("You accept or dispute the answer"), None, due=claim.accept_by))
    elif claim.accepted_at is not None:
        steps.append(TimelineStep(_("Answer accepted"), claim.accepted_at))
    if claim.repair_started_at is not None:
        steps.append(TimelineStep(_("Label issued: the unit travels to the seller"), claim.repair_started_at))
        steps.append(TimelineStep(_("The seller receives the unit"), claim.unit_received_at, due=None, overdue=False))
        if claim.resolved_at is None:
            steps.append(
                TimelineStep(
                    _("Repaired or replaced"),
                    None,
                    due=claim.repair_due_at,
                    overdue=claim.repair_due_at is not None and now > claim.repair_due_at,
                )
            )
    if claim.resolved_at is not None:
        steps.append(TimelineStep(_("Resolved"), claim.resolved_at))
    if claim.closed_at is not None:
        steps.append(TimelineStep(_("Closed"), claim.closed_at))
    elif claim.status == ClaimStatus.RESOLVED and claim.resolved_at is not None:
        steps.append(TimelineStep(_("The conversation closes"), None, due=deadlines.close_after(claim.resolved_at)))
    return steps


# --- returns ------------------------------------------------------------------------------------------------
def _return_queryset() -> QuerySet[Return]:
    return Return.objects.select_related(
        "seller_order__order", "seller", "market", "refund", "label", "partner"
    ).prefetch_related(Prefetch("items", queryset=ReturnItem.objects.select_related("unit", "line").order_by("pk")))


def return_with_relations(return_id: int) -> Return:
    return _return_queryset().get(pk=return_id)


def return_list_for_seller(*, seller: Organisation | None, status: str | None = None) -> QuerySet[Return]:
    queryset = scope(_return_queryset(), seller, field="seller")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-opened_at", "-pk")


def return_get_for_seller(*, seller: Organisation | None, id: int) -> Return:
    return get_scoped_or_404(_return_queryset(), seller, field="seller", pk=id)


def return_list_for_shopper(*, shopper: User) -> QuerySet[Return]:
    return _return_queryset().filter(shopper=shopper).order_by("-opened_at", "-pk")


def return_get_for_shopper(*, shopper: User, id: int) -> Return:
    return get_object_or_404(_return_queryset().filter(shopper=shopper), pk=id)


def return_get_for_partner(*, partner: Organisation | None, id: int) -> Return:
    return get_scoped_or_404(_return_queryset(), partner, field="partner", pk=id)


@dataclass
class ReturnableUnit:
    unit: OrderUnit
    line: OrderLine
    blocked_by: str = ""  # why it cannot be returned now ("" when it can)


@dataclass
class ReturnChoice:
    seller_order: SellerOrder
    window_ends_at: datetime | None
    open: bool
    units: list[ReturnableUnit] = field(default_factory=list)


def return_choice_for_shopper(
    *, shopper: User, number: str, seller_order_id: int, now: datetime | None = None
) -> ReturnChoice:
    """A parcel of the shopper's own order and its units, each returnable or not (and why). 404 if not theirs."""
    now = now or timezone.now()
    seller_order = get_object_or_404(
        SellerOrder.objects.select_related("order__market", "seller"),
        order__buyer=shopper,
        order__number=number,
        pk=seller_order_id,
    )
    return _return_choice(seller_order, now=now)


def _return_choice(seller_order: SellerOrder, *, now: datetime) -> ReturnChoice:
    ends = seller_order.return_window_ends_at
    delivered = seller_order.status in (SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED)
    units = (
        OrderUnit.objects.filter(line__seller_order=seller_order)
        .select_related("line", "warranty")
        .annotate(
            returning=Exists(ReturnItem.objects.filter(unit=OuterRef("pk"), live=True)),
            claimed=Exists(Claim.objects.filter(warranty__unit=OuterRef("pk"), status__in=OPEN_CLAIM_STATUSES)),
        )
        .order_by("line_id", "pk")
    )
    choice = ReturnChoice(
        seller_order=seller_order, window_ends_at=ends, open=delivered and ends is not None and now <= ends
    )
    for unit in units:
        blocked = ""
        warranty = getattr(unit, "warranty", None)
        if unit.returning:
            blocked = str(_("already being returned"))
        elif unit.claimed:
            blocked = str(_("a warranty claim is open on it"))
        elif warranty is not None and (warranty.refunded_at is not None or warranty.replaced_at is not None):
            blocked = str(_("already refunded or replaced"))
        choice.units.append(ReturnableUnit(unit=unit, line=unit.line, blocked_by=blocked))
    return choice


# --- reviews ------------------------------------------------------------------------------------------------
def review_for_line(*, shopper: User, line_id: int) -> tuple[OrderLine, Review | None]:
    """A line of the shopper's own delivered-or-not order and its review if written; another's is a 404."""
    line = get_object_or_404(
        OrderLine.objects.select_related("seller_order__order__market", "seller_order__seller"),
        seller_order__order__buyer=shopper,
        pk=line_id,
    )
    return line, Review.objects.filter(line=line).first()


def review_list_for_seller(*, seller: Organisation | None, status: str | None = None) -> QuerySet[Review]:
    queryset = scope(Review.objects.all(), seller, field="seller").select_related("line__seller_order__order", "seller")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True))).order_by(
        "-created_at", "-pk"
    )


def review_get_for_seller(*, seller: Organisation | None, id: int) -> Review:
    return get_scoped_or_404(Review.objects.select_related("line"), seller, field="seller", pk=id)


def reviews_public_for_seller(*, slug: str) -> tuple[Organisation, QuerySet[Review]]:
    """A seller's visible reviews, newest first, for its public page; 404 for an unknown seller."""
    seller = get_object_or_404(Organisation.objects.filter(kind="seller").select_related("catalog_standing"), slug=slug)
    reviews = (
        Review.objects.filter(seller=seller, status=ReviewStatus.VISIBLE)
        .select_related("seller")
        .order_by("-created_at", "-pk")
    )
    return seller, reviews


def review_public_get(*, id: int) -> Review:
    review = Review.objects.filter(pk=id, status=ReviewStatus.VISIBLE).select_related("seller").first()
    if review is None:
        raise Http404("No such review")
    return review


def review_reports_queue() -> QuerySet[Review]:
    """Success managers' moderation queue: reviews with open reports, most reported first."""
    return (
        Review.objects.annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .filter(open_reports__gt=0)
        .select_related("seller", "line__seller_order__order")
        .prefetch_related(Prefetch("reports", queryset=ReviewReport.objects.filter(resolved_at__isnull=True)))
        .order_by("-open_reports", "pk")
    )


# --- a seller's feedback, for the console's review page ---------------------------------------------------------
@dataclass
class SellerFeedback:
    reviews: int
    rating: float | None
    claims_by_status: dict[str, int]
    claims_technical: int
    claims_rejected: int
    deadlines_missed: int
    returns_by_status: dict[str, int]
    returns_for_defects: int
    recent_reviews: list[Review]
    recent_claims: list[Claim]
    recent_returns: list[Return]


def seller_feedback(*, seller: Organisation) -> SellerFeedback:
    """What a success manager weighs about a seller's after-sales: reviews, claims, returns (fixed query count)."""
    review_figures = Review.objects.filter(seller=seller, status=ReviewStatus.VISIBLE).aggregate(
        count=Count("pk"), stars=Sum("seller_stars")
    )
    total_stars = review_figures["stars"] or 0
    claims = Claim.objects.filter(seller=seller)
    by_status = dict(claims.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    claim_figures = claims.aggregate(
        technical=Count("pk", filter=Q(category__in=TECHNICAL_CATEGORIES)),
        rejected=Count("pk", filter=Q(outcome=Outcome.REJECTED)),
        missed=Count("pk", filter=Q(deadline_missed=True)),
    )
    returns = Return.objects.filter(seller=seller)
    returns_by_status = dict(returns.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    defects = (
        returns.filter(reason__in=["defective", "not_as_described"]).exclude(status=ReturnStatus.CANCELLED).count()
    )
    return SellerFeedback(
        reviews=review_figures["count"],
        rating=round(total_stars / review_figures["count"], 1) if review_figures["count"] else None,
        claims_by_status={status: by_status.get(status, 0) for status in ClaimStatus.values},
        claims_technical=claim_figures["technical"],
        claims_rejected=claim_figures["rejected"],
        deadlines_missed=claim_figures["missed"],
        returns_by_status={status: returns_by_status.get(status, 0) for status in ReturnStatus.values},
        returns_for_defects=defects,
        recent_reviews=list(Review.objects.filter(seller=seller).order_by("-created_at", "-pk")[:5]),
        recent_claims=list(claims.select_related("line").order_by("-opened_at", "-pk")[:5]),
        recent_returns=list(returns.select_related("seller_order__order").order_by("-opened_at", "-pk")[:5]),
    )
