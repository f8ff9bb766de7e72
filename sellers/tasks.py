"""Seller tasks: thin, idempotent, ids in."""

from celery import shared_task

from sellers import notifications
from sellers.models import Invitation, Seller
from sellers.services import probation_end_due


@shared_task(acks_late=True)
def probation_end_due_task() -> int:
    """Move sellers whose 40 days are over to under_review (listings paused). Safe to run twice."""
    return probation_end_due()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_seller_status_task(seller_id: int, status: str, reason: str = "") -> int:
    seller = Seller.objects.select_related("organisation", "home_market").filter(pk=seller_id).first()
    if seller is None or seller.status != status:
        return 0  # the seller moved on meanwhile: this news is stale
    return notifications.send_seller_status_email(seller, status, reason)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_success_managers_task(seller_id: int, topic: str) -> int:
    seller = Seller.objects.select_related("organisation", "home_market").filter(pk=seller_id).first()
    if seller is None:
        return 0
    return notifications.send_success_manager_email(seller, topic)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_task(invitation_id: int, token: str) -> int:
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id, accepted_at=None).first()
    if invitation is None:
        return 0
    return notifications.send_invitation_email(invitation, token)
