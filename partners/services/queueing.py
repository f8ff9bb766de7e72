"""Task messages the services send, by task name: the tasks module imports the services, not the reverse.

The routes in `CELERY_TASK_ROUTES` (settings) send every `partners.tasks.*` task to the `webhooks`
queue, so a backlog of deliveries never delays other work.
"""

from __future__ import annotations

from celery import current_app

DELIVER_TASK = "partners.tasks.webhook_deliver_task"
RELAY_TASK = "partners.tasks.webhook_relay_task"


def delivery_enqueue(delivery_ids: list[int], *, batch_size: int = 20) -> None:
    """One task message per batch of deliveries (call after commit): a task attempts its batch
    concurrently (`partners.services.delivery.deliveries_attempt`)."""
    for start in range(0, len(delivery_ids), batch_size):
        current_app.send_task(DELIVER_TASK, args=[delivery_ids[start : start + batch_size]])


def relay_enqueue() -> None:
    current_app.send_task(RELAY_TASK)
