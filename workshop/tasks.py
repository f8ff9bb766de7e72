"""Scheduled workshop jobs: thin, idempotent, declared in the one beat schedule (settings)."""

from __future__ import annotations

from celery import shared_task

from workshop.services.assignment import units_assign_due


@shared_task(acks_late=True)
def units_assign_due_task() -> int:
    """Give units in work that nobody has the rules' technician once one has room. Safe to run twice."""
    return units_assign_due()
