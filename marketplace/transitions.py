"""The one way a status changes: lock, check the table, save, audit, schedule side effects.

Every state machine (seller, order, claim, trade-in) keeps a `TextChoices` and a
`TRANSITIONS` table in its app's `states.py`; its named services call
`transition()`. Nothing else assigns `.status`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, models, transaction
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
    event = audit_event(
        obj=obj, actor=actor, from_status=from_status, to_status=to_status, reason=reason, organisation=organisation
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    obj: models.Model,
    actor: Actor,
    from_status: str,
    to_status: str,
    reason: str = "",
    organisation: Organisation | None = None,
) -> AuditEvent:
    """The audit row for `obj`, not yet written (`audit_record` writes it; `transition(audits=...)` leaves it
    to its caller, which writes several moves' rows in one statement)."""
    return AuditEvent(
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


def transition_check(
    model: type[models.Model], transitions: Mapping[str, frozenset[str]], *, current: str, to: str
) -> None:
    """Refuse a move the table does not have: `ApplicationError(INVALID_TRANSITION)` naming the moves the
    current status allows (API.md: a 409 names the allowed moves)."""
    if to not in transitions.get(current, frozenset()):
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            f"{model._meta.verbose_name} cannot go from {current} to {to}.",
            extra={"from": current, "to": to, "allowed": sorted(transitions.get(current, frozenset()))},
        )


def transition_at_creation(
    obj: models.Model,
    *,
    from_status: str,
    actor: Actor,
    transitions: Mapping[str, frozenset[str]],
    reason: str = "",
    field: str = "status",
    organisation: Organisation | None = None,
    audits: list[AuditEvent] | None = None,
) -> AuditEvent:
    """A move that happens as its row is created: `obj`, just inserted in the caller's transaction, is already
    in the status its move from `from_status` leads to (an order placed and paid in one step: a partner's
    invoice). The move is checked against the table and audited as `transition` would have, without writing
    the row a second time. `audits`: as for `transition`. Raises `ApplicationError(INVALID_TRANSITION)`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_at_creation() must run inside the transaction that created the row")
    to = getattr(obj, field)
    transition_check(type(obj), transitions, current=from_status, to=to)
    event = audit_event(
        obj=obj, actor=actor, from_status=from_status, to_status=to, reason=reason, organisation=organisation
    )
    if audits is not None:
        audits.append(event)
    else:
        event.save(force_insert=True)
    return event


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
    then: Callable[[M, str], None] | None = None,
    related: tuple[str, ...] = (),
    held: bool = False,
    audits: list[AuditEvent] | None = None,
) -> M:
    """Move `obj` to status `to`.

    Preconditions: `to` is reachable from the row's current status in `transitions`.
    Locks the row (SELECT ... FOR UPDATE; `related` rows are read with it, unlocked), so
    two concurrent moves serialise and the second one sees the first one's status. Saves
    only the status (plus `extra_updates` and `updated_at` when the model has it), writes
    an `AuditEvent`, calls `then(locked, from_status)` inside the same lock and transaction
    (the move's own side effects: events, related rows), and runs `on_commit` after the
    transaction commits. Returns the locked, updated instance; `obj` is refreshed too.
    `held`: the caller holds the row in its open transaction, so no other transaction can move it: it
    created the row there, or read it under a lock every move of it takes (its own row's
    `select_for_update`, or its parent's by the model's rule, e.g. a payment under its order's). The
    status in hand is then current and the row is not read again (one query fewer). `audits`: the
    caller's list the audit row is added to instead of being written here; the caller writes the list
    in one statement before its transaction ends (`AuditEvent.objects.bulk_create`).
    Raises `ApplicationError(INVALID_TRANSITION)`.
    """
    model = type(obj)
    # Inside the caller's transaction the move needs no savepoint of its own: a refusal is raised before
    # anything is written, and the caller's transaction holds the lock. Only a `then`, which may fail
    # after the writes, gets one. Two round trips (SAVEPOINT, RELEASE) saved per move on the checkout's
    # and the payment's paths.
    nested = transaction.get_connection().in_atomic_block
    if held and not nested:
        raise RuntimeError("transition(held=True) needs the transaction that holds the row")
    with transaction.atomic() if not nested else contextlib.nullcontext():
        if held:
            locked = obj
        else:
            queryset = model._default_manager.select_related(*related) if related else model._default_manager.all()
            locked = queryset.select_for_update(of=("self",)).get(pk=obj.pk)
        current = getattr(locked, field)
        transition_check(model, transitions, current=current, to=to)
        with transaction.atomic() if nested and then is not None else contextlib.nullcontext():
            updates: dict[str, object] = {field: to, **(extra_updates or {})}
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                updates.setdefault("updated_at", timezone.now())
            for name, value in updates.items():
                setattr(locked, name, value)
            update_fields = list(updates)
            locked.save(update_fields=update_fields)
            event = audit_event(
                obj=locked,
                actor=actor,
                from_status=current,
                to_status=to,
                reason=reason,
                organisation=organisation,
            )
            if audits is not None:
                audits.append(event)
            else:
                event.save(force_insert=True)
            if then is not None:
                then(locked, current)
            if on_commit is not None:
                transaction.on_commit(on_commit)
    for name in update_fields:
        setattr(obj, name, getattr(locked, name))
    return locked


def _column(model: type[models.Model], name: str) -> str:
    """The database column of a concrete field (a foreign key's `<name>_id`)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return str(field.column)


def bulk_transition(
    queryset: models.QuerySet[M],
    *,
    from_status: str,
    to: str,
    actor: Actor,
    transitions: Mapping[str, frozenset[str]],
    reason: str = "",
    field: str = "status",
    organisation_field: str | None = None,
    extra_updates: Mapping[str, object] | None = None,
    rows: bool = False,
    audits: list[AuditEvent] | None = None,
) -> list[Any]:
    """Move every row of `queryset` that is in `from_status` to `to`, set-based, with one audit row each.

    For platform actions over many rows (pausing a seller's listings, paying every seller order of
    an order). One `UPDATE ... WHERE status = from_status RETURNING pk`, so rows that moved
    meanwhile are left alone and a second run changes nothing. `organisation_field` names the
    row's foreign key to its organisation (e.g. `"seller"`): each audit row belongs to its own
    row's organisation (the tenancy of the audit trail). `extra_updates` (field: value) are set in the
    same UPDATE. Returns the primary keys moved, sorted; with `rows`, the rows moved as they are now
    (instances built from `RETURNING`, by primary key), so the caller does not read them again. Must run
    inside the caller's transaction. `audits`: as for `transition`, the audit rows are added to the
    caller's list instead of being written here.
    """
    model = queryset.model
    transition_check(model, transitions, current=from_status, to=to)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_transition() must run inside the transaction of the change")
    updates: dict[str, object] = {field: to, **(extra_updates or {})}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        updates.setdefault("updated_at", timezone.now())
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    organisation_column = _column(model, organisation_field) if organisation_field else None
    # The primary key and the organisation first (the audit rows), then, with `rows`, every column.
    fields = list(model._meta.concrete_fields) if rows else []
    returning = ", ".join(
        [f'"{pk_column}"', *([f'"{organisation_column}"'] if organisation_column else [])]
        + [f'"{field.column}"' for field in fields]
    )
    inner_sql, params = queryset.filter(**{field: from_status}).values("pk").query.sql_with_params()
    assignments = ", ".join(f'"{_column(model, name)}" = %s' for name in updates)
    sql = (
        f'UPDATE "{table}" SET {assignments} '  # noqa: S608 - identifiers from model meta, values bound
        f'WHERE "{pk_column}" IN ({inner_sql}) AND "{_column(model, field)}" = %s '
        f"RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        arguments: list[Any] = [*updates.values(), *params, from_status]
        cursor.execute(sql, arguments)
        moved = sorted(cursor.fetchall(), key=lambda row: row[0])
    content_type = ContentType.objects.get_for_model(model)
    events = [
        AuditEvent(
            actor_user=actor.user,
            actor_api_key=actor.api_key,
            actor_label=actor.label,
            organisation_id=row[1] if organisation_column else None,
            content_type=content_type,
            object_id=str(row[0]),
            from_status=from_status,
            to_status=to,
            reason=reason,
        )
        for row in moved
    ]
    if audits is not None:
        audits.extend(events)
    else:
        AuditEvent.objects.bulk_create(events, batch_size=500)
    if rows:
        return _instances(model, fields, [row[2 if organisation_column else 1 :] for row in moved], queryset.db)
    return [row[0] for row in moved]


def _instances(model: type[M], fields: list[Any], rows: list[tuple[Any, ...]], alias: str) -> list[M]:
    """Model instances from raw column values, converted as the ORM converts what it reads (JSON, etc.)."""
    db = connections[alias]
    columns = [field.get_col(model._meta.db_table) for field in fields]
    converters = [db.ops.get_db_converters(column) + column.get_db_converters(db) for column in columns]
    names = [field.attname for field in fields]
    instances = []
    for row in rows:
        values = list(row)
        for index, (column, convert) in enumerate(zip(columns, converters, strict=True)):
            for converter in convert:
                values[index] = converter(values[index], column, db)
        instances.append(model.from_db(alias, names, values))
    return instances
