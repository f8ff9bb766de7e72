"""The dashboards' rollups, refreshed by a worker on the `scoring` queue (routed in settings)."""

from __future__ import annotations

from celery import shared_task

from reporting.services import rollups_refresh


@shared_task(acks_late=True)
def rollups_refresh_task() -> int:
    """Recompute the rollups of the days since the previous run (set-based, idempotent)."""
    return rollups_refresh()
