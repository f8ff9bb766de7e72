"""Reads with rules about sellers: the acting seller, probation progress, console queues and review data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from catalog.models import Listing
from catalog.states import ListingStatus
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Organisation, User
from orders.models import OrderLine, SellerOrder
from orders.states import SellerOrderStatus
from sellers.models import Invitation, ListingDay, Seller
from sellers.states import LadderStep, SellerStatus


def seller_get(*, organisation: Organisation | None) -> Seller:
    """The seller row of the acting organisation; 404 when there is none."""
    if organisation is None:
        raise Http404("Not a seller")
    seller = Seller.objects.select_related("organisation", "home_market").filter(organisation=organisation).first()
    if seller is None:
        raise Http404("Not a seller")
    return seller


def seller_for_organisation(organisation: Organisation) -> Seller:
    """The seller row behind a seller organisation (home market loaded); refuses an organisation without one."""
    seller = Seller.objects.select_related("home_market", "organisation").filter(organisation=organisation).first()
    if seller is None:
        raise ApplicationError(ErrorCode.SELLER_NOT_SELLING, "This organisation is not an approved seller.")
    return seller


# --- probation ---------------------------------------------------------------------------
def seller_local_day(seller: Seller, at: datetime | None = None) -> date:
    """The calendar day in the seller's home market's time zone (the probation cap's day)."""
    return (at or timezone.now()).astimezone(ZoneInfo(seller.home_market.time_zone)).date()


def next_slot_opens_at(seller: Seller, at: datetime | None = None) -> datetime:
    """Local midnight after `at` in the seller's home market, as an aware UTC datetime."""
    zone = ZoneInfo(seller.home_market.time_zone)
    local = (at or timezone.now()).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return midnight.astimezone(ZoneInfo("UTC"))


def listings_created_today(seller: Seller, at: datetime | None = None) -> int:
    """New listings the seller created today while under a daily cap (the caps' counter)."""
    row = ListingDay.objects.filter(seller=seller, day=seller_local_day(seller, at)).first()
    return row.listings_created if row else 0


@dataclass(frozen=True)
class DailyCap:
    """The cap a seller is under today: why (`probation` or `score`), how many, and the refusal's code."""

    reason: str
    cap: int
    code: ErrorCode


def daily_cap_of(seller: Seller, at: datetime | None = None) -> DailyCap | None:
    """The daily cap on `seller`'s new listings, or None when it has none (`sellers.services.caps`)."""
    if seller.status == SellerStatus.PROBATION:
        return DailyCap("probation", settings.PROBATION_DAILY_LISTING_CAP, ErrorCode.PROBATION_DAILY_CAP)
    if seller.status == SellerStatus.ACTIVE:
        kept = seller.listing_cap_until is not None and seller.listing_cap_until > (at or timezone.now())
        if seller.ladder_step == LadderStep.CAP or kept:
            return DailyCap("score", settings.SCORE_DAILY_LISTING_CAP, ErrorCode.SCORE_DAILY_CAP)
    return None


@dataclass(frozen=True)
class CapProgress:
    """Today's use of a daily cap, for the back-office ("listings today n of 5")."""

    reason: str
    listings_today: int
    cap: int
    next_slot_at: datetime
    time_zone: str
    until: datetime | None  # a cap a success manager kept on: until when

    @property
    def slots_left(self) -> int:
        return max(self.cap - self.listings_today, 0)


def daily_cap_progress(seller: Seller, at: datetime | None = None) -> CapProgress | None:
    daily_cap = daily_cap_of(seller, at)
    if daily_cap is None:
        return None
    return CapProgress(
        reason=daily_cap.reason,
        listings_today=listings_created_today(seller, at),
        cap=daily_cap.cap,
        next_slot_at=next_slot_opens_at(seller, at),
        time_zone=seller.home_market.time_zone,
        until=seller.listing_cap_until if daily_cap.reason == "score" else None,
    )


def probation_ended_sellers(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of sellers in probation whose period is over (a bounded batch, oldest first)."""
    return list(
        Seller.objects.filter(status=SellerStatus.PROBATION, probation_ends_at__lte=now or timezone.now())
        .order_by("probation_ends_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def terminations_due_sellers(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of sellers whose notice of termination has run out (a bounded batch, oldest first)."""
    return list(
        Seller.objects.filter(
            terminates_at__lte=now or timezone.now(),
            status__in=[SellerStatus.UNDER_REVIEW, SellerStatus.SUSPENDED],
        )
        .order_by("terminates_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class ProbationProgress:
    day: int
    days: int
    ends_at: datetime
    listings_today: int
    cap: int
    next_slot_at: datetime
    time_zone: str

    @property
    def slots_left(self) -> int:
        return max(self.cap - self.listings_today, 0)


def probation_progress(seller: Seller, at: datetime | None = None) -> ProbationProgress | None:
    if (
        seller.status != SellerStatus.PROBATION
        or seller.probation_started_at is None
        or seller.probation_ends_at is None
    ):
        return None
    at = at or timezone.now()
    day = min(max((at - seller.probation_started_at).days + 1, 1), settings.PROBATION_DAYS)
    return ProbationProgress(
        day=day,
        days=settings.PROBATION_DAYS,
        ends_at=seller.probation_ends_at,
        listings_today=listings_created_today(seller, at),
        cap=settings.PROBATION_DAILY_LISTING_CAP,
        next_slot_at=next_slot_opens_at(seller, at),
        time_zone=seller.home_market.time_zone,
    )


def seller_queue(*, status: str) -> QuerySet[Seller]:
    orders: dict[str, tuple[str, ...]] = {
        SellerStatus.APPLIED: ("applied_at",),
        SellerStatus.UNDER_REVIEW: ("probation_ends_at",),
    }
    order = orders.get(status, ("-updated_at",))
    return (
        Seller.objects.filter(status=status)
        .select_related("organisation", "home_market")
        .annotate(document_count=Count("documents", distinct=True))
        .order_by(*order, "pk")
    )


def queue_counts() -> dict[str, int]:
    rows = Seller.objects.aggregate(
        applied=Count("pk", filter=Q(status=SellerStatus.APPLIED)),
        under_review=Count("pk", filter=Q(status=SellerStatus.UNDER_REVIEW)),
        suspended=Count("pk", filter=Q(status=SellerStatus.SUSPENDED)),
        probation=Count("pk", filter=Q(status=SellerStatus.PROBATION)),
        active=Count("pk", filter=Q(status=SellerStatus.ACTIVE)),
    )
    return {key: value or 0 for key, value in rows.items()}


def seller_audit_history(seller: Seller, limit: int = 50) -> QuerySet[AuditEvent]:
    seller_type = ContentType.objects.get_for_model(Seller)
    return (
        AuditEvent.objects.filter(Q(content_type=seller_type, object_id=str(seller.pk)))
        .select_related("actor_user")
        .order_by("-at", "-id")[:limit]
    )


def listing_counts(seller: Seller) -> dict[str, int]:
    counts = dict(
        Listing.objects.filter(seller=seller.organisation).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {"total": sum(counts.values()), **counts}


def active_out_of_stock(seller: Seller) -> int:
    """Active listings with no stock left: invisible to shoppers until restocked."""
    return Listing.objects.filter(seller=seller.organisation, status=ListingStatus.ACTIVE, stock=0).count()


@dataclass(frozen=True)
class SalesSummary:
    orders: int
    by_status: dict[str, int]
    units_sold: int
    units_delivered: int
    shipped_late: int
    cancelled: int


def sales_summary(seller: Seller) -> SalesSummary:
    """What a success manager weighs at review: the seller's orders so far (two queries)."""
    S = SellerOrderStatus  # noqa: N806 - the table's usual short name
    paid_statuses = [S.PAID, S.ACCEPTED, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.REFUNDED, S.CANCELLED]
    orders = SellerOrder.objects.filter(seller=seller.organisation, status__in=paid_statuses)
    figures = orders.aggregate(
        orders=Count("pk"),
        cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
        shipped_late=Count(
            "pk",
            filter=Q(shipped_at__gt=F("ship_by"))
            | Q(shipped_at__isnull=True, ship_by__lt=timezone.now(), status__in=[S.PAID, S.ACCEPTED]),
        ),
        paid=Count("pk", filter=Q(status=S.PAID)),
        accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
        shipped=Count("pk", filter=Q(status=S.SHIPPED)),
        delivered=Count("pk", filter=Q(status=S.DELIVERED)),
        completed=Count("pk", filter=Q(status=S.COMPLETED)),
        refunded=Count("pk", filter=Q(status=S.REFUNDED)),
    )
    units = OrderLine.objects.filter(seller_order__in=orders).aggregate(
        sold=Sum("quantity", filter=~Q(seller_order__status=S.CANCELLED)),
        delivered=Sum("quantity", filter=Q(seller_order__status__in=[S.DELIVERED, S.COMPLETED, S.REFUNDED])),
    )
    statuses = ("paid", "accepted", "shipped", "delivered", "completed", "refunded")
    return SalesSummary(
        orders=figures["orders"],
        by_status={key: figures[key] for key in statuses},
        units_sold=units["sold"] or 0,
        units_delivered=units["delivered"] or 0,
        shipped_late=figures["shipped_late"],
        cancelled=figures["cancelled"],
    )


# --- team --------------------------------------------------------------------------------
def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_has_account(invitation: Invitation) -> bool:
    """Whether the invited address already has an account (its owner must log in to accept)."""
    return User.objects.filter(email__iexact=invitation.email).exists()


def invitation_for_token(token: str) -> Invitation | None:
    """The pending, unexpired invitation a one-time token opens (None when used, expired or unknown)."""
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=invitation_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
