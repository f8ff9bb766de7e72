"""The outbox: `emit()` records a domain event in the caller's transaction.

If the change rolls back, so does its event. Webhook delivery (the `partners` app, on the top
floor) reads the outbox through the two functions below, and nothing else here knows it exists:

- `events_claim_unrelayed(limit=)` locks the oldest committed events not yet relayed, skipping rows
  another relay holds (`FOR UPDATE SKIP LOCKED`), and `events_mark_relayed(ids)` marks them in the
  same transaction. An event is relayed once even with two relays at once, and an event committed
  just before a process dies stays unrelayed until the next sweep finds it. A rolled-back change
  leaves no row, so nothing is ever relayed for it.
- `on_events_committed(listener)`: an upper app asks to be called right after a transaction that
  emitted events for an organisation that `receives_webhooks` commits (the relay's low-latency
  nudge; its periodic sweep is the guarantee).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import psycopg
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from marketplace.models import Event, EventType, Organisation

logger = logging.getLogger(__name__)

_committed_listeners: list[Callable[[], None]] = []


def emit(type: EventType | str, data: dict[str, Any], organisation: Organisation | None = None) -> Event:
    """Write an event row. Must run inside the transaction of the change it reports."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction of the change it reports")
    event_type = EventType(type)
    # Round-trip through the encoder so dates, decimals and UUIDs become JSON values once.
    encoded = DjangoJSONEncoder().encode(data)
    event = Event.objects.create(type=event_type, data=json.loads(encoded), organisation=organisation)
    _nudge_after_commit([organisation])
    return event


def emit_many(type: EventType | str, items: Sequence[tuple[dict[str, Any], Organisation | None]]) -> list[Event]:
    """Write one event per (data, organisation), in one statement. Same rules as `emit`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit_many() must be called inside the transaction of the change it reports")
    event_type = EventType(type)
    encoder = DjangoJSONEncoder()
    events = [Event(type=event_type, data=json.loads(encoder.encode(data)), organisation=org) for data, org in items]
    _insert(events)
    _nudge_after_commit([org for _, org in items])
    return events


def _insert(events: list[Event]) -> None:
    """INSERT the events with their parameters bound by the server (psycopg's `executemany`, pipelined).

    Django binds parameters on the client, quoting every value into the SQL text: for thousands of
    events with large JSON (the daily `seller.score_changed`, each with its 90-day history, megabytes in
    all) that quoting costs seconds in Python; sent as parameters, it costs nothing. The statement goes
    through Django's cursor wrapper, so it is logged and counted like any query (one).
    """
    if not events:
        return
    connection = transaction.get_connection()
    connection.ensure_connection()
    fields = list(Event._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Event._meta.db_table)} ({columns}) "  # noqa: S608 - model names
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields] for event in events]
    raw = psycopg.Cursor(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        cursor.executemany(sql, rows)
    for event in events:
        event._state.adding = False
        event._state.db = connection.alias


def events_claim_unrelayed(*, limit: int) -> list[Event]:
    """Lock up to `limit` committed, not yet relayed events, oldest first; rows another transaction
    holds are skipped. Call inside a transaction and mark them with `events_mark_relayed` in it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_claim_unrelayed() must run inside the transaction that marks them")
    queryset = (
        Event.objects.filter(relayed_at__isnull=True)
        .select_related("organisation")
        .order_by("created_at", "id")
        .select_for_update(skip_locked=True, of=("self",))
    )
    return list(queryset[:limit])


def events_mark_relayed(ids: Iterable[str]) -> int:
    """Mark events relayed (those not marked yet). Returns how many were marked."""
    return Event.objects.filter(pk__in=list(ids), relayed_at__isnull=True).update(relayed_at=timezone.now())


def on_events_committed(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener()` after each commit of a transaction that emitted events for an organisation
    that receives webhooks (connected once, in the upper app's `AppConfig.ready()`)."""
    if listener not in _committed_listeners:
        _committed_listeners.append(listener)
    return listener


def _notify_committed() -> None:
    for listener in _committed_listeners:
        listener()


def _nudge_after_commit(organisations: Iterable[Organisation | None]) -> None:
    if not _committed_listeners or not any(o is not None and o.receives_webhooks for o in organisations):
        return
    connection = transaction.get_connection()
    # Once per transaction, however many events it emits.
    if any(callback is _notify_committed for _, callback, _ in connection.run_on_commit):
        return
    # robust: the change is committed whatever happens here; a lost nudge only waits for the sweep.
    transaction.on_commit(_notify_committed, robust=True)
