"""Identifiers success managers must look at: one another seller already holds (the unit is created and
the seller is never told), one on the stolen-device blocklist (refused, and reported)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation
from marketplace.transitions import audit_record
from workshop import notifications
from workshop.models import IdentifierFlag, Unit
from workshop.states import FlagReason


def flag_record(
    *,
    seller: Organisation,
    identifier: str,
    reason: str,
    unit: Unit | None = None,
    other_seller: Organisation | None = None,
) -> IdentifierFlag:
    """Record a flag (once while open per seller, identifier and reason) and e-mail success managers after
    commit. Runs in the caller's transaction when there is one: a blocklisted identifier's flag is
    recorded before the refusal is raised, outside the refused change."""
    with transaction.atomic():
        existing = (
            IdentifierFlag.objects.select_for_update()
            .filter(seller=seller, identifier=identifier, reason=reason, resolved_at__isnull=True)
            .first()
        )
        if existing is not None:
            if unit is not None and existing.unit_id is None:
                IdentifierFlag.objects.filter(pk=existing.pk).update(unit=unit)
            return existing
        flag = IdentifierFlag.objects.create(
            seller=seller, identifier=identifier, reason=reason, unit=unit, other_seller=other_seller
        )
        pk = flag.pk
        transaction.on_commit(lambda: notifications.identifier_flag_notify_task.delay(pk))
    return flag


def flag_resolve(*, flag: IdentifierFlag, actor: Actor, note: str) -> IdentifierFlag:
    """A success manager closes a flag with what was found. Raises INVALID_TRANSITION when already closed."""
    with transaction.atomic():
        locked = IdentifierFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.resolved_at is not None:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION, _("This flag is already resolved."), extra={"allowed": []}
            )
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor.user
        locked.resolution_note = note.strip()[:2000]
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        audit_record(
            obj=locked,
            actor=actor,
            from_status="open",
            to_status="resolved",
            reason=locked.resolution_note or str(FlagReason(locked.reason).label),
            organisation=locked.seller,
        )
    return locked
