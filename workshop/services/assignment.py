"""Who works on a unit: assigned by the seller's rules (the categories each technician or partner workshop
takes, and how many units a day), or by hand.

The rule (`unit_assign_by_rules`): among the seller's active technicians that take the unit's category
(or its parent category: one who takes "Smartphones" takes its subcategories; one with no category takes
them all), those with room left today (units assigned to them since the
seller's local midnight below their capacity a day); the specialist of the category before a
generalist, then the one with the fewest units in work, then the fewest assigned today, then the oldest.
The chosen technician's row is locked while its day is counted, so two units assigned at once never
exceed a capacity. Nobody has room: the unit waits unassigned, and the hourly sweep
(`units_assign_due`) tries again (capacities renew at local midnight).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.transitions import audit_record
from workshop.models import Technician, Unit
from workshop.selectors import seller_home_market
from workshop.states import ACTIVE, UnitStatus

# Units still in work: the ones the rules assign and a technician's load counts.
IN_WORK = (UnitStatus.RECEIVED, UnitStatus.DIAGNOSED, UnitStatus.IN_REPAIR, UnitStatus.QUALITY_CHECK)


def _local_midnight(unit: Unit, now: datetime) -> datetime:
    zone = ZoneInfo(seller_home_market(unit.seller).time_zone)
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def _record(unit: Unit, technician: Technician | None, *, actor: Actor, now: datetime, reason: str) -> None:
    Unit.objects.filter(pk=unit.pk).update(
        technician=technician, assigned_at=now if technician else None, updated_at=now
    )
    unit.technician, unit.assigned_at = technician, (now if technician else None)
    audit_record(
        obj=unit, actor=actor, from_status=unit.status, to_status=unit.status, reason=reason, organisation=unit.seller
    )


def unit_assign_by_rules(*, unit: Unit, actor: Actor, now: datetime | None = None) -> Technician | None:
    """Assign `unit` by the seller's rules (see the module's docstring); None when nobody has room today.
    Runs in the caller's transaction (or its own)."""
    now = now or timezone.now()
    midnight = _local_midnight(unit, now)
    category = unit.variant.product.category
    category_ids = [category.pk] if category.parent_id is None else [category.pk, category.parent_id]
    candidates = (
        Technician.objects.filter(seller_id=unit.seller_id, active=True)
        .filter(Q(categories__isnull=True) | Q(categories__in=category_ids))
        .annotate(
            specialist=Count("categories", filter=Q(categories__in=category_ids), distinct=True),
            in_work=Count("units", filter=Q(units__status__in=IN_WORK), distinct=True),
            today=Count("units", filter=Q(units__assigned_at__gte=midnight), distinct=True),
        )
        .order_by("-specialist", "in_work", "today", "created_at", "pk")
    )
    with transaction.atomic():
        for candidate in list(candidates):
            technician = Technician.objects.select_for_update().get(pk=candidate.pk)
            assigned_today = Unit.objects.filter(technician=technician, assigned_at__gte=midnight).count()
            if assigned_today < technician.capacity_per_day:
                _record(
                    unit, technician, actor=actor, now=now, reason=f"assigned by the rules to {technician.display_name}"
                )
                return technician
    return None


def unit_assign(*, unit: Unit, actor: Actor, technician: Technician | None) -> Unit:
    """Assign `unit` by hand (None: unassign). The technician must be the seller's. Audited."""
    if technician is not None and technician.seller_id != unit.seller_id:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Choose one of your technicians."),
            errors=[{"field": "technician", "message": _("Choose one of your technicians.")}],
        )
    if unit.status not in ACTIVE:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("A unit that left the workshop is no longer assigned."),
            extra={"from": unit.status, "allowed": []},
        )
    with transaction.atomic():
        locked = Unit.objects.select_for_update(of=("self",)).select_related("seller").get(pk=unit.pk)
        if locked.technician_id == (technician.pk if technician else None):
            return locked
        name = technician.display_name if technician else ""
        _record(
            locked, technician, actor=actor, now=timezone.now(), reason=f"assigned to {name}" if name else "unassigned"
        )
    return locked


def units_assign_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Units in work that nobody has yet get the rules' technician when one has room. Bounded, idempotent
    (a unit assigned meanwhile is skipped: the query filters on no technician, re-checked under its lock)."""
    now = now or timezone.now()
    actor = Actor.system("workshop assignment")
    count = 0
    staffed = Technician.objects.filter(seller_id=OuterRef("seller_id"), active=True)
    ids = list(
        Unit.objects.filter(Exists(staffed), technician__isnull=True, status__in=IN_WORK)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        with transaction.atomic():
            unit = (
                Unit.objects.select_for_update(of=("self",))
                .select_related("seller", "variant__product")
                .filter(pk=pk, technician__isnull=True)
                .first()
            )
            if unit is not None and unit_assign_by_rules(unit=unit, actor=actor, now=now) is not None:
                count += 1
    return count
