"""Webhook tasks, all on the `webhooks` queue (CELERY_TASK_ROUTES): thin, they call one service.

- `webhook_relay_task`: relay unrelayed outbox events into deliveries, then queue the due ones
  (beat every 15 s: the sweep; and right after a commit that emitted events: the nudge).
- `webhook_deliver_task`: one attempt of each delivery of a batch (up to 20, sent concurrently).
- `webhook_deliveries_purge_task`: the delivery log older than 30 days goes (nightly).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.cache import cache

from partners.services.delivery import deliveries_attempt, deliveries_dispatch, deliveries_purge
from partners.services.relay import events_relay

# Set while a relay run is queued and not started: nudges in between need no run of their own,
# since that run starts after their commit. The run clears it first thing; it expires in case
# the message is lost.
RELAY_PENDING_KEY = "partners:relay-pending"
DELIVERY_LOG_RETENTION = timedelta(days=30)


def webhook_relay_nudge() -> None:
    """After a commit that emitted events for an organisation with webhooks: relay them now."""
    if cache.add(RELAY_PENDING_KEY, 1, timeout=60):
        webhook_relay_task.delay()


@shared_task(acks_late=True)
def webhook_relay_task() -> int:
    cache.delete(RELAY_PENDING_KEY)
    relayed = events_relay()
    deliveries_dispatch()
    if relayed.more:
        webhook_relay_task.delay()
    return relayed.events


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_ids: list[int] | int) -> int:
    ids = [delivery_ids] if isinstance(delivery_ids, int) else [int(i) for i in delivery_ids]  # one id: older messages
    batch = deliveries_attempt(delivery_ids=ids)
    if batch.busy:
        # Another worker holds these (or held them and died): look again once its lease has run out.
        webhook_deliver_task.apply_async(args=(batch.busy,), countdown=max(1.0, batch.retry_in + 1.0))
    return len(batch.statuses)


@shared_task(acks_late=True)
def webhook_deliveries_purge_task() -> int:
    return deliveries_purge(older_than=DELIVERY_LOG_RETENTION)
