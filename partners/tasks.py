"""Webhook tasks, all on the `webhooks` queue (CELERY_TASK_ROUTES): thin, they call one service.

- `webhook_relay_task`: relay unrelayed outbox events into deliveries, then queue the due ones
  (beat every 15 s: the sweep; and right after a commit that emitted events: the nudge).
- `webhook_deliver_task`: one attempt of one delivery.
- `webhook_deliveries_purge_task`: the delivery log older than 30 days goes (nightly).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.cache import cache

from partners.services.delivery import AttemptOutcome, deliveries_dispatch, deliveries_purge, delivery_attempt
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


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_deliver_task(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    attempted = delivery_attempt(delivery_id=delivery_id)
    if attempted.outcome == AttemptOutcome.BUSY:
        # Another worker holds the delivery (or held it and died): look again once its lease ends.
        raise self.retry(countdown=max(1.0, attempted.retry_in + 1.0))
    return attempted.status or attempted.outcome.value


@shared_task(acks_late=True)
def webhook_deliveries_purge_task() -> int:
    return deliveries_purge(older_than=DELIVERY_LOG_RETENTION)
