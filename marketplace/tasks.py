"""Kernel tasks: thin, idempotent, JSON arguments."""

from celery import shared_task

from marketplace.mail import sent_markers_purge
from marketplace.services import idempotency_keys_purge_expired


@shared_task(acks_late=True)
def purge_expired_idempotency_keys_task() -> int:
    """Delete idempotency keys older than 24 h. Safe to run twice."""
    return idempotency_keys_purge_expired()


@shared_task(acks_late=True)
def purge_sent_email_markers_task() -> int:
    """Delete e-mail sent-markers older than 30 days (redeliveries come within the visibility timeout)."""
    return sent_markers_purge()


@shared_task(acks_late=True)
def ping_task(value: str) -> str:
    """Round trip through the broker and a worker; used by health checks and tests."""
    return f"pong:{value}"
