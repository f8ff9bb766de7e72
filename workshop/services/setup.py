"""A seller's workshop: its figures (labour rate, target margin, default warranty) and its technicians and
partner workshops (who takes which categories, how many units a day)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Membership, Organisation, User
from marketplace.transitions import audit_record
from workshop.models import Technician, WorkshopSettings
from workshop.selectors import seller_home_market
from workshop.states import WorkerKind


def workshop_settings_for(seller: Organisation) -> WorkshopSettings:
    """The seller's workshop figures; created with the defaults (no labour rate, a 25 % margin, 12 months
    of warranty) in its home market's currency on first use."""
    row = WorkshopSettings.objects.filter(seller=seller).first()
    if row is not None:
        return row
    row, _created = WorkshopSettings.objects.get_or_create(
        seller=seller, defaults={"currency": seller_home_market(seller).currency}
    )
    return row


def _field(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def workshop_settings_update(
    *, seller: Organisation, actor: Actor, labour_rate_amount: int, target_margin_percent: int, warranty_months: int
) -> WorkshopSettings:
    """Set the workshop's figures. The rate prices labour recorded from now on (past work keeps its price).
    Raises VALIDATION naming the fields. Audited."""
    errors = []
    if labour_rate_amount < 0:
        errors.append(_field("labour_rate", _("The labour rate cannot be negative.")))
    if not 0 <= target_margin_percent < 100:
        errors.append(_field("target_margin_percent", _("A margin is between 0 and 99 %.")))
    if warranty_months < 12:
        errors.append(_field("warranty_months", _("The warranty is at least 12 months.")))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, " ".join(e["message"] for e in errors), errors=errors)
    row = workshop_settings_for(seller)
    with transaction.atomic():
        WorkshopSettings.objects.filter(pk=row.pk).update(
            labour_rate_amount=labour_rate_amount,
            target_margin_percent=target_margin_percent,
            warranty_months=warranty_months,
            updated_at=timezone.now(),
        )
        audit_record(
            obj=row,
            actor=actor,
            from_status="",
            to_status="",
            reason=f"workshop settings: rate {labour_rate_amount}/h, margin {target_margin_percent} %, "
            f"warranty {warranty_months} months",
            organisation=seller,
        )
    row.refresh_from_db()
    return row


def technician_save(
    *,
    seller: Organisation,
    actor: Actor,
    kind: str,
    capacity_per_day: int,
    categories: Iterable[Category] = (),
    user: User | None = None,
    name: str = "",
    active: bool = True,
    technician: Technician | None = None,
) -> Technician:
    """Add (or change) a technician (one of the seller's members) or a partner workshop (a company, by
    name), with the categories it takes (none: all) and its capacity a day. Raises VALIDATION."""
    name = name.strip()
    errors = []
    if kind not in WorkerKind.values:
        errors.append(_field("kind", _("A technician or a partner workshop.")))
    if kind == WorkerKind.TECHNICIAN and (
        user is None or not Membership.objects.filter(organisation=seller, user=user).exists()
    ):
        errors.append(_field("user", _("Choose one of your team's members.")))
    if kind == WorkerKind.PARTNER_WORKSHOP and not name:
        errors.append(_field("name", _("Name the partner workshop.")))
    if capacity_per_day < 1:
        errors.append(_field("capacity_per_day", _("At least one unit a day.")))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, " ".join(e["message"] for e in errors), errors=errors)
    with transaction.atomic():
        row = technician or Technician(seller=seller)
        if row.seller_id != seller.pk:
            raise ApplicationError(ErrorCode.NOT_FOUND, _("Not found."))
        row.kind = kind
        row.user = user if kind == WorkerKind.TECHNICIAN else None
        row.name = name if kind == WorkerKind.PARTNER_WORKSHOP else ""
        row.capacity_per_day = capacity_per_day
        row.active = active
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            message = _("This member is already one of your technicians.")
            raise ApplicationError(ErrorCode.VALIDATION, message, errors=[_field("user", message)]) from None
        row.categories.set(list(categories))
        audit_record(
            obj=row,
            actor=actor,
            from_status="",
            to_status="",
            reason=f"{'changed' if technician else 'added'}: {row.display_name}, {capacity_per_day} a day",
            organisation=seller,
        )
    return row
