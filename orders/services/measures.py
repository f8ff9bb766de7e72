"""Payout measures: what a success manager may do to a seller's money (DOMAIN.md, seller performance).

Orders never imports the apps above it: the sellers app (the console's decisions) calls these.

- A payout retainer holds a share of each sale paid while it lasts (`basis_points` of the seller's
  net) for 60 days in the ledger's `seller_retained` account (`ledger._retain_shares`, booked with
  the sale); `retained_sales_release_due` (beat, hourly) releases each share by itself on its date.
- A deferral stops payouts to the seller until its end (`payouts_run` skips the seller; the
  payable balance waits for the first pay date after it).
Each measure is audited under the seller; lifting one early is audited too. A lifted retainer
retains nothing more, but shares already retained keep their release date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation
from marketplace.money import Money
from marketplace.transitions import audit_record
from orders.models import PayoutMeasure, PayoutMeasureKind, RetainedSale, SellerOrder
from orders.services import ledger


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field, "message": message}])


def payout_measures_live(*, seller: Organisation, at: datetime | None = None) -> QuerySet[PayoutMeasure]:
    """The seller's measures in force at `at` (now): not lifted, not ended."""
    at = at or timezone.now()
    return PayoutMeasure.objects.filter(seller=seller, lifted_at__isnull=True, starts_at__lte=at, ends_at__gt=at)


def payouts_deferred_sellers(*, on: date) -> set[int]:
    """Sellers whose payouts are deferred on the pay date `on` (one query)."""
    start = datetime.combine(on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    return set(
        PayoutMeasure.objects.filter(
            kind=PayoutMeasureKind.DEFERRAL, lifted_at__isnull=True, ends_at__gt=start
        ).values_list("seller_id", flat=True)
    )


def retained_balance(*, seller: Organisation) -> list[Money]:
    """What payout retainers hold for the seller now, per currency."""
    rows = (
        RetainedSale.objects.filter(seller=seller, released_at__isnull=True)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    return [Money(row["total"], row["currency"]) for row in rows]


def payout_retainer_place(
    *, seller: Organisation, basis_points: int, until: datetime, reason: str, actor: Actor
) -> PayoutMeasure:
    """Retain `basis_points` (1-10000) of the seller's net on each sale paid from now until `until`, each
    share for PAYOUT_RETAINER_HOLD_DAYS (60). Replaces a retainer in force (lifted, audited)."""
    now = timezone.now()
    if not 1 <= basis_points <= 10000:
        raise _field_error("basis_points", _("The share retained is between 0.01 % and 100 %."))
    if until <= now:
        raise _field_error("until", _("The retainer ends in the future."))
    if not reason.strip():
        raise _field_error("reason", _("Give the reason for this decision."))
    with transaction.atomic():
        for live in payout_measures_live(seller=seller, at=now).filter(kind=PayoutMeasureKind.RETAINER):
            _lift(live, actor=actor, reason=_("Replaced by a new retainer."), now=now)
        measure = PayoutMeasure.objects.create(
            seller=seller,
            kind=PayoutMeasureKind.RETAINER,
            basis_points=basis_points,
            hold_days=settings.PAYOUT_RETAINER_HOLD_DAYS,
            starts_at=now,
            ends_at=until,
            reason=reason.strip(),
            placed_by=actor.label,
        )
        audit_record(
            obj=measure,
            actor=actor,
            from_status="",
            to_status=f"retainer {basis_points / 100:g} %",
            reason=reason.strip(),
            organisation=seller,
        )
    return measure


def payout_deferral_place(*, seller: Organisation, until: date, reason: str, actor: Actor) -> PayoutMeasure:
    """No payout to the seller before `until` (its balance waits for the first pay date from then)."""
    now = timezone.now()
    ends = datetime.combine(until, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    if ends <= now:
        raise _field_error("until", _("Payouts are deferred to a day in the future."))
    if ends > now + timedelta(days=366):
        raise _field_error("until", _("Payouts are deferred for a year at most."))
    if not reason.strip():
        raise _field_error("reason", _("Give the reason for this decision."))
    with transaction.atomic():
        for live in payout_measures_live(seller=seller, at=now).filter(kind=PayoutMeasureKind.DEFERRAL):
            _lift(live, actor=actor, reason=_("Replaced by a new deferral."), now=now)
        measure = PayoutMeasure.objects.create(
            seller=seller,
            kind=PayoutMeasureKind.DEFERRAL,
            starts_at=now,
            ends_at=ends,
            reason=reason.strip(),
            placed_by=actor.label,
        )
        audit_record(
            obj=measure,
            actor=actor,
            from_status="",
            to_status=f"payouts deferred to {until.isoformat()}",
            reason=reason.strip(),
            organisation=seller,
        )
    return measure


def payout_measure_lift(*, measure: PayoutMeasure, reason: str, actor: Actor) -> PayoutMeasure:
    """End a measure early (a retainer retains nothing more; shares already retained keep their date)."""
    if not reason.strip():
        raise _field_error("reason", _("Give the reason for this decision."))
    with transaction.atomic():
        locked = PayoutMeasure.objects.select_for_update().get(pk=measure.pk)
        if locked.lifted_at is None and locked.ends_at > timezone.now():
            _lift(locked, actor=actor, reason=reason.strip(), now=timezone.now())
    measure.refresh_from_db()
    return measure


def _lift(measure: PayoutMeasure, *, actor: Actor, reason: str, now: datetime) -> None:
    PayoutMeasure.objects.filter(pk=measure.pk).update(lifted_at=now)
    audit_record(
        obj=measure,
        actor=actor,
        from_status=measure.kind,
        to_status="lifted",
        reason=reason,
        organisation=measure.seller,
    )


def retained_sales_release_due(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Release every retained share whose date has come (ledger `retainer_release`), in bounded batches.
    Idempotent: each share is locked and filtered on `released_at`, so it is released once."""
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            due = list(
                RetainedSale.objects.select_for_update(skip_locked=True)
                .filter(Q(released_at__isnull=True), release_at__lte=now)
                .order_by("release_at", "pk")[:batch_size]
            )
            if not due:
                return released
            seller_orders = SellerOrder.objects.in_bulk([share.seller_order_id for share in due])
            for share in due:
                ledger.book_retained(
                    seller_order=seller_orders[share.seller_order_id], amount=share.amount, release=True
                )
            RetainedSale.objects.filter(pk__in=[share.pk for share in due]).update(released_at=now)
            released += len(due)
        if len(due) < batch_size:
            return released
