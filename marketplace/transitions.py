"""The one way a status changes: lock, check the table, save, audit, schedule side effects.

Every state machine (seller, order, claim, trade-in) keeps a `TextChoices` and a
`TRANSITIONS` table in its app's `states.py`; its named services call
`transition()`. Nothing else assigns `.status`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Organisation

M = TypeVar("M", bound=models.Model)


def audit_record(
    *,
    obj: models.Model,
    actor: Actor,
    from_status: str,
    to_status: str,
    reason: str = "",
    organisation: Organisation | None = None,
) -> AuditEvent:
    """Write one audit row for `obj`. Used by `transition` and by decisions that are not state changes."""
    return AuditEvent.objects.create(
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        actor_label=actor.label,
        organisation=organisation,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def transition(
    obj: M,
    *,
    to: str,
    actor: Actor,
    transitions: Mapping[str, frozenset[str]],
    reason: str = "",
    field: str = "status",
    organisation: Organisation | None = None,
    extra_updates: Mapping[str, object] | None = None,
    on_commit: Callable[[], None] | None = None,
) -> M:
    """Move `obj` to status `to`.

    Preconditions: `to` is reachable from the row's current status in `transitions`.
    Locks the row (SELECT ... FOR UPDATE), so two concurrent moves serialise and the
    second one sees the first one's status. Saves only the status (plus `extra_updates`
    and `updated_at` when the model has it), writes an `AuditEvent`, and runs
    `on_commit` after the transaction commits. Returns the locked, updated instance;
    `obj` is refreshed too. Raises `ApplicationError(INVALID_TRANSITION)`.
    """
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, field)
        if to not in transitions.get(current, frozenset()):
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                f"{model._meta.verbose_name} cannot go from {current} to {to}.",
                extra={"from": current, "to": to},
            )
        setattr(locked, field, to)
        update_fields = [field]
        for name, value in (extra_updates or {}).items():
            setattr(locked, name, value)
            update_fields.append(name)
        if any(f.name == "updated_at" for f in model._meta.concrete_fields) and "updated_at" not in update_fields:
            locked.updated_at = timezone.now()  # type: ignore[attr-defined]
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        audit_record(
            obj=locked,
            actor=actor,
            from_status=current,
            to_status=to,
            reason=reason,
            organisation=organisation,
        )
        if on_commit is not None:
            transaction.on_commit(on_commit)
    for name in update_fields:
        setattr(obj, name, getattr(locked, name))
    return locked
