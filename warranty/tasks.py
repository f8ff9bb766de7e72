"""The scheduled sweeps of after-sales (the beat schedule in settings): thin, idempotent, each calls one service.

The e-mail tasks live beside their e-mails in `warranty/notifications.py`.
"""

from __future__ import annotations

from celery import shared_task

from warranty.services.claims import claims_accept_silent, claims_close_resolved, claims_escalate_overdue
from warranty.services.returns import returns_refund_due
from warranty.services.reviews import review_invitations_send


@shared_task(acks_late=True)
def claims_escalate_overdue_task() -> int:
    """Claims not answered within 2 business days, or not repaired within 5, go to success managers."""
    return claims_escalate_overdue()


@shared_task(acks_late=True)
def claims_accept_silent_task() -> int:
    """Answers the shopper left without a reply for 7 days are accepted and carried out."""
    return claims_accept_silent()


@shared_task(acks_late=True)
def claims_close_resolved_task() -> int:
    """Resolved claims close 14 days after their resolution."""
    return claims_close_resolved()


@shared_task(acks_late=True)
def returns_refund_due_task() -> int:
    """Returns the seller did not mark received 14 days after the label's delivery are refunded."""
    return returns_refund_due()


@shared_task(acks_late=True)
def review_invitations_send_task() -> int:
    """Buyers are invited to review their parcels 7 days after delivery."""
    return review_invitations_send()
