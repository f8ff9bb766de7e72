"""Scheduled seller jobs: thin, idempotent, declared in the one beat schedule (settings)."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from sellers.services.lifecycle import probation_end_due, terminations_due
from sellers.services.performance import sellers_score


@shared_task(acks_late=True)
def probation_end_due_task() -> int:
    """Move sellers whose 40 days are over to under_review (listings paused). Safe to run twice."""
    return probation_end_due()


@shared_task(acks_late=True)
def sellers_score_task(day: str | None = None) -> int:
    """Score every seller for `day` (ISO 8601 date; today, UTC, by default), write the day's history and
    apply the ladder. Safe to run twice the same day (routed to the `scoring` queue). Returns the
    number of sellers scored."""
    return sellers_score(day=date.fromisoformat(day) if day else None).scored


@shared_task(acks_late=True)
def terminations_due_task() -> int:
    """Terminate sellers whose 30 days' notice has run out. Safe to run twice."""
    return terminations_due()
