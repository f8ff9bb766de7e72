"""Task messages the services send, by task name: the tasks module imports the services, not the reverse.

The routes in `CELERY_TASK_ROUTES` (settings) send every `partners.tasks.*` task to the `webhooks`
queue, so a backlog of deliveries never delays other work.
"""

from __future__ import annotations

from celery import current_app

DELIVER_TASK = "partners.tasks.webhook_deliver_task"
RELAY_TASK = "partners.tasks.webhook_relay_task"


def delivery_enqueue(delivery_ids: list[int]) -> None:
    """One task message per delivery (call after commit)."""
    for delivery_id in delivery_ids:
        current_app.send_task(DELIVER_TASK, args=[delivery_id])


def relay_enqueue() -> None:
    current_app.send_task(RELAY_TASK)
