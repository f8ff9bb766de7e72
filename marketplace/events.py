"""The outbox: `emit()` records a domain event in the caller's transaction.

If the change rolls back, so does its event. A later issue delivers the rows
as signed webhooks to partners' endpoints (API.md, Webhooks).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from marketplace.models import Event, EventType, Organisation


def emit(type: EventType | str, data: dict[str, Any], organisation: Organisation | None = None) -> Event:
    """Write an event row. Must run inside the transaction of the change it reports."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction of the change it reports")
    event_type = EventType(type)
    # Round-trip through the encoder so dates, decimals and UUIDs become JSON values once.
    encoded = DjangoJSONEncoder().encode(data)
    return Event.objects.create(type=event_type, data=json.loads(encoded), organisation=organisation)


def emit_many(type: EventType | str, items: list[tuple[dict[str, Any], Organisation | None]]) -> list[Event]:
    """Write one event per (data, organisation), in one INSERT. Same rules as `emit`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit_many() must be called inside the transaction of the change it reports")
    event_type = EventType(type)
    encoder = DjangoJSONEncoder()
    return Event.objects.bulk_create(
        [Event(type=event_type, data=json.loads(encoder.encode(data)), organisation=org) for data, org in items],
        batch_size=500,
    )
