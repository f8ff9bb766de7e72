"""Scheduled seller jobs: thin, idempotent, declared in the one beat schedule (settings)."""

from celery import shared_task

from sellers.services.lifecycle import probation_end_due


@shared_task(acks_late=True)
def probation_end_due_task() -> int:
    """Move sellers whose 40 days are over to under_review (listings paused). Safe to run twice."""
    return probation_end_due()
