"""The relay: committed outbox events become deliveries, one per event and matching endpoint.

It reads only the kernel's outbox, through `marketplace.events`: each batch locks the oldest
unrelayed events (`FOR UPDATE SKIP LOCKED`, so two relays at once take different rows), creates
their deliveries (unique per endpoint and event: a repeated batch adds nothing) and marks the
events relayed, all in one transaction. A process killed after a change committed leaves its
events unrelayed until the next run; a rolled-back change left no event at all.

Routing: an event goes to the enabled endpoints of its own organisation (the outbox row's
`organisation`) that subscribe to its type and existed when it happened; an event without an
organisation reaches no one. A `ping` goes only to the endpoint it names.

Runs: right after a commit that emitted events for an organisation with webhooks (the nudge), and
every 15 s from beat (the sweep that makes delivery survive a lost nudge or a dead process).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from marketplace.events import events_claim_unrelayed, events_mark_relayed
from marketplace.models import Event, EventType
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.states import DeliveryStatus

RELAY_BATCH = 500
# A run relays for at most this long, then dispatches and queues the next run: a large backlog starts
# being delivered within seconds rather than once all of it is relayed.
RELAY_TIME_BUDGET_SECONDS = 5.0


@dataclass(frozen=True)
class Relayed:
    events: int
    deliveries: int
    more: bool  # the time budget ran out with events left: run again


def _route(events: list[Event]) -> list[WebhookDelivery]:
    organisation_ids = {event.organisation_id for event in events if event.organisation_id is not None}
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=organisation_ids, enabled=True).only(
        "id", "organisation_id", "events", "created_at"
    ):
        endpoints[endpoint.organisation_id].append(endpoint)
    now = timezone.now()
    deliveries = []
    for event in events:
        if event.organisation_id is None:
            continue
        for endpoint in endpoints.get(event.organisation_id, ()):
            if event.type == EventType.PING:
                wanted = isinstance(event.data, dict) and event.data.get("endpoint") == endpoint.pk
            else:
                wanted = endpoint.subscribes_to(event.type) and endpoint.created_at <= event.created_at
            if wanted:
                deliveries.append(
                    WebhookDelivery(
                        endpoint_id=endpoint.pk,
                        event_id=event.pk,
                        event_type=event.type,
                        status=DeliveryStatus.PENDING,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    return deliveries


def events_relay_batch(*, batch_size: int = RELAY_BATCH) -> tuple[int, int]:
    """Relay one batch of the oldest unrelayed events. Returns (events relayed, deliveries created)."""
    with transaction.atomic():
        events = events_claim_unrelayed(limit=batch_size)
        if not events:
            return 0, 0
        deliveries = _route(events)
        created = WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=1000)
        events_mark_relayed(event.pk for event in events)
    return len(events), len(created)


def events_relay(*, batch_size: int = RELAY_BATCH, time_budget: float = RELAY_TIME_BUDGET_SECONDS) -> Relayed:
    """Relay unrelayed events batch after batch, until none is left or the time budget is spent."""
    started = time.monotonic()
    total_events = total_deliveries = 0
    while True:
        events, deliveries = events_relay_batch(batch_size=batch_size)
        total_events += events
        total_deliveries += deliveries
        if events < batch_size:
            return Relayed(total_events, total_deliveries, more=False)
        if time.monotonic() - started > time_budget:
            return Relayed(total_events, total_deliveries, more=True)
