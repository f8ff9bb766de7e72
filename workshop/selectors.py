"""Reads of the workshop with their rules: scoping to the seller, the board and its filters, the history of
a unit by its identifier for each audience, and the reports.

Every seller read filters on the seller first (`marketplace.tenancy`), so another seller's unit is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Grade
from marketplace.models import AuditEvent, Market, Organisation
from marketplace.money import Money
from marketplace.tenancy import get_scoped_or_404, scope
from orders.models import OrderUnit
from sellers.models import Seller
from tradein.models import TradeIn
from warranty.models import Claim, ReturnItem, Warranty
from workshop.models import CheckItem, IdentifierFlag, PartUsed, QualityCheck, Technician, Unit, UnitPhoto, WorkEntry
from workshop.states import ACTIVE, BOARD_COLUMNS, UnitStatus

UNIT_RELATED = ("variant__product__category", "technician__user", "suggested_grade", "listing", "tradein")
AGE_FILTERS: dict[str, int] = {"3": 3, "7": 7, "14": 14, "30": 30}


def seller_home_market(seller: Organisation) -> Market:
    """The seller's home market (its currency, time zone and calendar); the organisation's country if it
    has no seller row yet."""
    row = Seller.objects.select_related("home_market").filter(organisation=seller).first()
    if row is not None:
        return row.home_market
    return Market.objects.get(code=seller.country)


# --- units -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardFilters:
    status: str = ""
    technician: int | None = None  # a technician's id; 0: unassigned
    age_days: int | None = None  # received at least this many days ago
    overdue: bool = False
    query: str = ""


def unit_list(*, seller: Organisation, filters: BoardFilters | None = None) -> QuerySet[Unit]:
    """The seller's units (newest first), narrowed by the board's filters."""
    filters = filters or BoardFilters()
    queryset = scope(Unit.objects.select_related(*UNIT_RELATED), seller, field="seller")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.technician == 0:
        queryset = queryset.filter(technician__isnull=True)
    elif filters.technician is not None:
        queryset = queryset.filter(technician_id=filters.technician)
    if filters.age_days is not None:
        queryset = queryset.filter(received_at__lte=timezone.now() - timedelta(days=filters.age_days))
    if filters.overdue:
        queryset = queryset.filter(due_at__lt=timezone.now())
    if filters.query:
        text = filters.query.strip().upper().replace(" ", "")
        reference = text.removeprefix("U-")
        condition = Q(identifier__contains=text)
        if reference.isdigit():
            condition |= Q(pk=int(reference))
        queryset = queryset.filter(condition)
    return queryset


def unit_get(*, seller: Organisation, id: int) -> Unit:
    """One of the seller's units; another seller's is the same 404 as a missing one."""
    return get_scoped_or_404(Unit.objects.select_related(*UNIT_RELATED, "seller"), seller, field="seller", pk=id)


def unit_photos_prefetch() -> Prefetch[str]:
    """`Unit.photos` oldest first with the work entry each belongs to: one query for all the units read."""
    return Prefetch("photos", queryset=UnitPhoto.objects.select_related("work").order_by("created_at", "pk"))


def unit_photo_get(*, seller: Organisation, unit_id: int, id: int) -> UnitPhoto:
    """One photo of one of the seller's units. Another seller's unit or photo, and a photo of another unit,
    are the same 404 as a missing one (scoped on the unit's seller in the query, never fetched then checked)."""
    return get_scoped_or_404(UnitPhoto.objects.all(), seller, field="unit__seller", unit_id=unit_id, pk=id)


@dataclass
class BoardColumn:
    status: str
    label: str
    units: list[Unit]
    count: int


def board(*, seller: Organisation, filters: BoardFilters, per_column: int = 50) -> list[BoardColumn]:
    """The board: one column per working status (the status filter keeps one), each with its units (most
    overdue first, then the oldest) and its count. Two queries whatever the number of units."""
    statuses = [filters.status] if filters.status in BOARD_COLUMNS else list(BOARD_COLUMNS)
    queryset = unit_list(seller=seller, filters=BoardFilters(**{**filters.__dict__, "status": ""})).filter(
        status__in=statuses
    )
    counts = dict(queryset.order_by().values_list("status").annotate(count=Count("pk")).values_list("status", "count"))
    units: dict[str, list[Unit]] = {status: [] for status in statuses}
    ordered = queryset.order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")
    for unit in ordered[: per_column * len(statuses)]:
        if len(units[unit.status]) < per_column:
            units[unit.status].append(unit)
    return [
        BoardColumn(
            status=status, label=str(UnitStatus(status).label), units=units[status], count=counts.get(status, 0)
        )
        for status in statuses
    ]


def technicians_of(seller: Organisation, *, active_only: bool = False) -> QuerySet[Technician]:
    queryset = scope(Technician.objects.select_related("user").prefetch_related("categories"), seller, field="seller")
    return queryset.filter(active=True) if active_only else queryset


def check_items_for(category: Category) -> list[CheckItem]:
    """The category's quality check: the items every category shares, then its own (its parent's when it
    has none of its own)."""
    own = list(CheckItem.objects.filter(category=category))
    if not own and category.parent_id is not None:
        own = list(CheckItem.objects.filter(category_id=category.parent_id))
    shared = list(CheckItem.objects.filter(category__isnull=True))
    return sorted(shared, key=lambda item: (item.position, item.pk)) + sorted(
        own, key=lambda item: (item.position, item.pk)
    )


def listed_units_by_line(*, seller_order: Any) -> dict[int, list[Unit]]:
    """For the ship form: each line's listing's listed units (the seller picks which goes). One query."""
    lines = list(seller_order.lines.all())
    listing_ids = {line.listing_id for line in lines if line.listing_id}
    units: dict[int, list[Unit]] = {}
    for unit in (
        Unit.objects.filter(seller_id=seller_order.seller_id, status=UnitStatus.LISTED, listing_id__in=listing_ids)
        .select_related("suggested_grade")
        .order_by("listed_at", "pk")
    ):
        units.setdefault(unit.listing_id or 0, []).append(unit)
    return {line.pk: units.get(line.listing_id, []) for line in lines}


def open_flags() -> QuerySet[IdentifierFlag]:
    return IdentifierFlag.objects.filter(resolved_at__isnull=True).select_related("seller", "other_seller", "unit")


# --- history -----------------------------------------------------------------------------------------------
class Audience(StrEnum):
    SELLER = "seller"  # the seller's members: everything of its own, costs included
    CONSOLE = "console"  # success managers: every seller's records of the identifier, no costs
    SHOPPER = "shopper"  # the buyer: the checks and repairs before the sale, its own order and claims


@dataclass
class HistoryEvent:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    cost: Money | None = None
    unit_id: int | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    photos: list[int] = field(default_factory=list)


@dataclass
class History:
    identifier: str
    units: list[Unit]
    events: list[HistoryEvent]


def _audit_events(units: Sequence[Unit]) -> list[AuditEvent]:
    if not units:
        return []
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Unit), object_id__in=[str(unit.pk) for unit in units]
        ).order_by("at", "pk")
    )


def unit_history(
    *, identifier: str, audience: Audience, seller: Organisation | None = None, units: Sequence[Unit] | None = None
) -> History:
    """The life of a device by its identifier, as `audience` may see it, oldest first.

    - SELLER (`seller` given): its units of this identifier (every life), the trade-in routed to it with
      its inspection, its listings, orders, deliveries, warranties, claims and returns of the
      identifier, and the work with its costs.
    - CONSOLE: the same across every seller and every trade-in of the identifier, without costs.
    - SHOPPER (`units` given: the unit they bought): its grade checks and repairs before the sale
      (findings, parts and their origin; no costs, suppliers or people), then their order, warranty
      and claims.
    A fixed number of queries, whatever the length of the history.
    """
    if audience is Audience.SHOPPER:
        own_units = list(units or [])
    else:
        queryset = Unit.objects.filter(identifier=identifier).select_related(*UNIT_RELATED, "seller", "listing__grade")
        if audience is Audience.SELLER:
            queryset = scope(queryset, seller, field="seller")
        own_units = list(queryset.order_by("received_at", "pk"))
    show_costs = audience is Audience.SELLER
    events: list[HistoryEvent] = []
    unit_ids = [unit.pk for unit in own_units]
    work = list(
        WorkEntry.objects.filter(unit_id__in=unit_ids)
        .select_related("technician__user")
        .prefetch_related("parts", Prefetch("photos", queryset=UnitPhoto.objects.only("pk", "work_id")))
    )
    checks = list(
        QualityCheck.objects.filter(unit_id__in=unit_ids).select_related("suggested_grade", "technician__user")
    )
    currency_of = {unit.pk: unit.currency for unit in own_units}
    multiple_sellers = len({unit.seller_id for unit in own_units}) > 1
    for unit in own_units:
        seller_note = f" · {unit.seller.name}" if audience is Audience.CONSOLE and multiple_sellers else ""
        events.append(
            HistoryEvent(
                at=unit.received_at,
                kind="received",
                title=_("Received by the refurbisher")
                if audience is Audience.SHOPPER
                else _("Unit %(reference)s received (%(source)s)")
                % {"reference": unit.reference, "source": unit.get_source_display()},
                detail=(str(unit.variant) + seller_note) if audience is not Audience.SHOPPER else str(unit.variant),
                cost=unit.purchase_cost if show_costs and unit.purchase_amount else None,
                unit_id=unit.pk,
            )
        )
    for entry in work:
        people = "" if audience is Audience.SHOPPER or entry.technician is None else entry.technician.display_name
        parts = [
            {
                "name": part.name,
                "origin": part.get_origin_display(),
                "supplier": part.supplier if show_costs else "",
                "cost": part.cost if show_costs else None,
            }
            for part in entry.parts.all()
        ]
        labour = ""
        if audience is not Audience.SHOPPER and entry.labour_minutes:
            labour = _("%(minutes)s min of labour") % {"minutes": entry.labour_minutes}
        events.append(
            HistoryEvent(
                at=entry.created_at,
                kind=entry.kind,
                title=str(entry.get_kind_display()),
                detail=" · ".join(part for part in (entry.findings, labour, people) if part),
                cost=Money(
                    entry.labour_amount + sum(p.cost_amount for p in entry.parts.all()), currency_of[entry.unit_id]
                )
                if show_costs and (entry.labour_amount or entry.parts.all())
                else None,
                unit_id=entry.unit_id,
                items=parts,
                photos=[photo.pk for photo in entry.photos.all()] if audience is Audience.SELLER else [],
            )
        )
    for check in checks:
        grade = check.suggested_grade.display_name if check.suggested_grade else ""
        failed_names = ", ".join(_(str(item.get("name") or item.get("code"))) for item in check.failed_items)
        summary = (
            _("All %(count)s checks passed") % {"count": len(check.results)}
            if check.passed
            else _("%(failed)s of %(count)s checks failed: %(items)s")
            % {"failed": len(check.failed_items), "count": len(check.results), "items": failed_names}
            if failed_names
            else _("All %(count)s checks passed, but the findings allow no grade") % {"count": len(check.results)}
        )
        detail = [summary, _("battery %(health)s %%") % {"health": check.battery_health}]
        if grade:
            detail.append(_("grade suggested: %(grade)s") % {"grade": grade})
        events.append(
            HistoryEvent(
                at=check.created_at,
                kind="check_passed" if check.passed else "check_failed",
                title=_("Quality check passed") if check.passed else _("Quality check failed"),
                detail=" · ".join(detail),
                unit_id=check.unit_id,
                items=[
                    {"name": item.get("name", item.get("code")), "passed": item.get("passed")} for item in check.results
                ],
            )
        )
    if audience is not Audience.SHOPPER:
        for audit in _audit_events(own_units):
            if not audit.from_status:
                continue  # the intake, already shown
            moved = audit.from_status != audit.to_status
            known = audit.from_status in UnitStatus.values and audit.to_status in UnitStatus.values
            events.append(
                HistoryEvent(
                    at=audit.at,
                    kind="status" if moved else "note",
                    title=_("%(from)s → %(to)s")
                    % {"from": UnitStatus(audit.from_status).label, "to": UnitStatus(audit.to_status).label}
                    if moved and known
                    else _("Recorded"),
                    detail=audit.reason,
                    unit_id=int(audit.object_id),
                )
            )
    events += _platform_events(identifier=identifier, audience=audience, seller=seller, units=own_units)
    events.sort(key=lambda event: (event.at, event.kind))
    return History(identifier=identifier, units=own_units, events=events)


def _platform_events(
    *, identifier: str, audience: Audience, seller: Organisation | None, units: Sequence[Unit]
) -> list[HistoryEvent]:
    """The identifier's records outside the workshop: trade-ins, listings, orders, warranties, claims, returns."""
    events: list[HistoryEvent] = []
    if not identifier:
        return events
    # Trade-ins: the seller sees the one routed to it (with its inspection); the console every one.
    if audience is not Audience.SHOPPER:
        tradeins = TradeIn.objects.filter(inspection__identifier=identifier).select_related(
            "inspection", "variant__product"
        )
        if audience is Audience.SELLER:
            tradeins = tradeins.filter(routed_to=seller)
        for tradein in tradeins.order_by("created_at"):
            inspection = tradein.inspection
            battery = (
                _("battery %(health)s %%") % {"health": inspection.battery_health} if inspection.battery_health else ""
            )
            detail = " · ".join(
                part
                for part in (
                    _("condition: %(condition)s") % {"condition": inspection.get_condition_display()},
                    battery,
                    inspection.notes,
                )
                if part
            )
            events.append(
                HistoryEvent(
                    at=inspection.inspected_at,
                    kind="tradein",
                    title=_("Traded in to Encore (%(reference)s) and inspected") % {"reference": tradein.reference},
                    detail=detail,
                )
            )
            if tradein.routed_at:
                events.append(
                    HistoryEvent(
                        at=tradein.routed_at,
                        kind="routed",
                        title=_("Routed to the refurbisher")
                        if audience is Audience.SELLER
                        else _("Routed (%(route)s)") % {"route": tradein.get_route_display()},
                        detail=tradein.routed_to.name
                        if audience is Audience.CONSOLE and tradein.routed_to is not None
                        else "",
                    )
                )
    # Listings the units joined.
    if audience is not Audience.SHOPPER:
        for unit in units:
            if unit.listing_id and unit.listed_at:
                listing = unit.listing
                assert listing is not None  # noqa: S101 - listing_id is set
                events.append(
                    HistoryEvent(
                        at=unit.listed_at,
                        kind="listed",
                        title=_("Listed (%(sku)s, %(market)s)")
                        % {"sku": listing.sku, "market": listing.market_id.upper()},
                        detail=_("grade %(grade)s, %(price)s")
                        % {"grade": listing.grade.display_name, "price": listing.price},
                        unit_id=unit.pk,
                    )
                )
    # Orders, deliveries, warranties, claims and returns of the identifier.
    order_units = OrderUnit.objects.filter(identifier=identifier).select_related("line__seller_order__order")
    warranties = Warranty.objects.filter(identifier=identifier)
    claims = Claim.objects.filter(Q(identifier=identifier) | Q(replacement_identifier=identifier))
    returns = ReturnItem.objects.filter(unit__identifier=identifier).select_related("ret")
    if audience is Audience.SELLER:
        order_units = order_units.filter(line__seller_order__seller=seller)
        warranties = warranties.filter(seller=seller)
        claims = claims.filter(seller=seller)
        returns = returns.filter(ret__seller=seller)
    elif audience is Audience.SHOPPER:
        order_unit_ids = [unit.order_unit_id for unit in units if unit.order_unit_id]
        order_units = order_units.filter(pk__in=order_unit_ids)
        line_ids = list(order_units.values_list("line_id", flat=True))
        warranties = warranties.filter(line_id__in=line_ids)
        claims = claims.filter(line_id__in=line_ids)
        returns = returns.filter(unit_id__in=order_unit_ids)
    for order_unit in order_units.order_by("created_at"):
        seller_order = order_unit.line.seller_order
        events.append(
            HistoryEvent(
                at=seller_order.paid_at or order_unit.created_at,
                kind="order",
                title=_("Sold in order %(number)s") % {"number": seller_order.order.number},
                detail=order_unit.line.product_name,
            )
        )
        events.append(
            HistoryEvent(
                at=order_unit.created_at,
                kind="shipped",
                title=_("Shipped"),
                detail=" · ".join(part for part in (seller_order.carrier, seller_order.tracking_number) if part),
            )
        )
        if seller_order.delivered_at:
            events.append(HistoryEvent(at=seller_order.delivered_at, kind="delivered", title=_("Delivered")))
    for warranty in warranties.order_by("created_at"):
        events.append(
            HistoryEvent(
                at=warranty.created_at,
                kind="warranty",
                title=_("Warranty of %(months)s months, until %(end)s")
                % {"months": warranty.months, "end": warranty.ends_on.isoformat()},
                detail=_("a replacement unit") if warranty.original_id else "",
            )
        )
    for claim in claims.order_by("opened_at"):
        outcome = f" · {claim.get_outcome_display()}" if claim.outcome else ""
        events.append(
            HistoryEvent(
                at=claim.opened_at,
                kind="claim",
                title=_("Claim %(reference)s: %(category)s")
                % {"reference": claim.reference, "category": claim.get_category_display()},
                detail=f"{claim.get_status_display()}{outcome}",
            )
        )
    for item in returns.order_by("ret__opened_at"):
        ret = item.ret
        events.append(
            HistoryEvent(
                at=ret.opened_at,
                kind="return",
                title=_("Return %(reference)s: %(reason)s")
                % {"reference": ret.reference, "reason": ret.get_reason_display()},
                detail=str(ret.get_status_display()),
            )
        )
    return events


def units_for_shopper_warranty(warranty: Warranty) -> list[Unit]:
    """The refurbished unit a shopper's warranty covers: the unit shipped as its order unit, or (for a
    replacement) the seller's sold unit of the replacement's identifier."""
    if warranty.unit_id is not None:
        return list(Unit.objects.filter(order_unit_id=warranty.unit_id).select_related(*UNIT_RELATED))
    return list(
        Unit.objects.filter(seller_id=warranty.seller_id, identifier=warranty.identifier, status=UnitStatus.SOLD)
        .select_related(*UNIT_RELATED)
        .order_by("-sold_at")[:1]
    )


def warranty_units_with_history(warranties: Iterable[Warranty]) -> set[int]:
    """Which of these warranties cover a refurbished unit with a record (the shopper's page links them)."""
    warranties = list(warranties)
    order_unit_ids = {w.unit_id for w in warranties if w.unit_id}
    with_units = set(Unit.objects.filter(order_unit_id__in=order_unit_ids).values_list("order_unit_id", flat=True))
    return {w.pk for w in warranties if w.unit_id in with_units}


# --- reports -----------------------------------------------------------------------------------------------
class Median(Aggregate):
    """PostgreSQL's exact median (`percentile_cont(0.5)`), of intervals here."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class TurnaroundRow:
    label: str
    units: int
    median_days: float | None


def turnaround(*, seller: Organisation, days: int = 90, now: datetime | None = None) -> dict[str, list[TurnaroundRow]]:
    """Median days from received to listed of the units first listed in the last `days`, per category and
    per technician (the one assigned now). Two queries."""
    since = (now or timezone.now()) - timedelta(days=days)
    base = Unit.objects.filter(seller=seller, listed_at__gte=since).annotate(
        took=ExpressionWrapper(F("listed_at") - F("received_at"), output_field=DurationField())
    )

    def rows(group: str, label: str) -> list[TurnaroundRow]:
        result = []
        for values in base.order_by().values(group, label).annotate(units=Count("pk"), median=Median("took")):
            median = values["median"]
            result.append(
                TurnaroundRow(
                    label=str(values[label] or _("Unassigned")),
                    units=values["units"],
                    median_days=round(median.total_seconds() / 86400, 1) if median is not None else None,
                )
            )
        return sorted(result, key=lambda row: row.label)

    by_category = rows("variant__product__category", "variant__product__category__name")
    for row in by_category:
        row.label = _(row.label)
    by_technician = []
    names = {t.pk: t.display_name for t in technicians_of(seller)}
    for values in base.order_by().values("technician").annotate(units=Count("pk"), median=Median("took")):
        median = values["median"]
        by_technician.append(
            TurnaroundRow(
                label=names.get(values["technician"], _("Unassigned")),
                units=values["units"],
                median_days=round(median.total_seconds() / 86400, 1) if median is not None else None,
            )
        )
    return {"category": by_category, "technician": sorted(by_technician, key=lambda row: row.label)}


@dataclass
class YieldRow:
    label: str
    received: int
    listed: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.listed / self.received) if self.received else None


def repair_yield(*, seller: Organisation, days: int = 90, now: datetime | None = None) -> list[YieldRow]:
    """Per category, of the units received in the last `days`: how many, and how many were listed so far
    (listed or sold since). The last row is the total. One query."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = [
        YieldRow(
            label=_(values["variant__product__category__name"]), received=values["received"], listed=values["listed"]
        )
        for values in Unit.objects.filter(seller=seller, received_at__gte=since)
        .order_by()
        .values("variant__product__category__name")
        .annotate(received=Count("pk"), listed=Count("pk", filter=Q(listed_at__isnull=False)))
        .order_by("variant__product__category__name")
    ]
    if rows:
        rows.append(
            YieldRow(label=_("All units"), received=sum(r.received for r in rows), listed=sum(r.listed for r in rows))
        )
    return rows


@dataclass
class MonthCost:
    month: datetime
    cost: Money


def parts_cost_by_month(*, seller: Organisation, months: int = 12, now: datetime | None = None) -> list[MonthCost]:
    """The cost of the parts fitted per calendar month (the seller's home market's time zone), the last
    `months` months, every month present (zero when nothing was fitted). One query."""
    market = seller_home_market(seller)
    zone = ZoneInfo(market.time_zone)
    local_now = (now or timezone.now()).astimezone(zone)
    first = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = []
    year, month = first.year, first.month
    for _step in range(months):
        starts.append(first.replace(year=year, month=month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    starts.reverse()
    totals = {
        (values["month"].year, values["month"].month): values["total"]
        for values in PartUsed.objects.filter(unit__seller=seller, created_at__gte=starts[0], currency=market.currency)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(total=Sum("cost_amount"))
    }
    return [
        MonthCost(month=start, cost=Money(totals.get((start.year, start.month), 0) or 0, market.currency))
        for start in starts
    ]


def active_units_count(seller: Organisation) -> int:
    return Unit.objects.filter(seller=seller, status__in=ACTIVE).count()


def grades_table() -> list[Grade]:
    return list(Grade.objects.order_by("rank"))
