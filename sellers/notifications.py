"""E-mails about sellers: status changes to the seller, queue news to success managers, invitations.

The Celery tasks that send them are here too; services queue them after commit
(`transaction.on_commit(lambda: task.delay(id))`). Tasks take ids, re-read the row and skip
news that went stale meanwhile.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from marketplace.i18n import email_language
from marketplace.mail import send_mail
from marketplace.models import MembershipRole
from sellers.models import Invitation, Seller
from sellers.selectors.performance import performance_get


def seller_recipients(seller: Seller) -> list[str]:
    owners = seller.organisation.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True)
    return sorted({seller.contact_email, *owners})


def send_seller_status_email(seller: Seller, status: str, reason: str) -> int:
    with translation.override(email_language(seller.home_market.language)):
        context = {
            "seller": seller,
            "status": status,
            "reason": reason,
            "site_url": settings.SITE_URL,
            "cap": settings.PROBATION_DAILY_LISTING_CAP,
            "days": settings.PROBATION_DAYS,
            "dashboard_url": settings.SITE_URL + reverse("seller:dashboard"),
            "performance_url": settings.SITE_URL + reverse("seller:performance"),
            "by_score": seller.ladder_step == "suspended",
        }
        subject = render_to_string("sellers/email/status_subject.txt", context).strip()
        body = render_to_string("sellers/email/status_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, seller_recipients(seller))


def send_ladder_step_email(seller: Seller, step: str) -> int:
    """The ladder moved the seller to `step` (warning, cap or back to none): what it means, in the seller's
    language, with its score and what to improve."""
    performance = performance_get(seller=seller)
    with translation.override(email_language(seller.home_market.language)):
        context = {
            "seller": seller,
            "step": step,
            "performance": performance,
            "to_improve": [str(part.metric) for part in performance.to_improve[:3]],
            "cap": settings.SCORE_DAILY_LISTING_CAP,
            "performance_url": settings.SITE_URL + reverse("seller:performance"),
        }
        subject = render_to_string("sellers/email/ladder_subject.txt", context).strip()
        body = render_to_string("sellers/email/ladder_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, seller_recipients(seller))


def send_termination_notice_email(seller: Seller) -> int:
    """Notice of termination: the statement of reasons, the ground and the date it takes effect."""
    with translation.override(email_language(seller.home_market.language)):
        context = {
            "seller": seller,
            "dashboard_url": settings.SITE_URL + reverse("seller:dashboard"),
        }
        subject = render_to_string("sellers/email/termination_notice_subject.txt", context).strip()
        body = render_to_string("sellers/email/termination_notice_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, seller_recipients(seller))


def success_manager_emails() -> list[str]:
    group = Group.objects.filter(name=settings.SUCCESS_MANAGERS_GROUP).first()
    if group is None:
        return []
    return sorted(group.user_set.filter(is_active=True).values_list("email", flat=True))


def send_success_manager_email(seller: Seller, topic: str) -> int:
    recipients = success_manager_emails()
    if not recipients:
        return 0
    context = {
        "seller": seller,
        "topic": topic,
        "review_url": settings.SITE_URL + reverse("console:seller", args=[seller.pk]),
    }
    subject = render_to_string("sellers/email/manager_subject.txt", context).strip()
    body = render_to_string("sellers/email/manager_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def send_invitation_email(invitation: Invitation, token: str) -> int:
    context = {
        "invitation": invitation,
        "accept_url": settings.SITE_URL + reverse("invitation_accept", args=[token]),
    }
    subject = render_to_string("sellers/email/invitation_subject.txt", context).strip()
    body = render_to_string("sellers/email/invitation_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_seller_status_task(seller_id: int, status: str, reason: str = "") -> int:
    seller = Seller.objects.select_related("organisation", "home_market").filter(pk=seller_id).first()
    if seller is None or seller.status != status:
        return 0  # the seller moved on meanwhile: this news is stale
    return send_seller_status_email(seller, status, reason)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_success_managers_task(seller_id: int, topic: str) -> int:
    seller = Seller.objects.select_related("organisation", "home_market").filter(pk=seller_id).first()
    if seller is None:
        return 0
    return send_success_manager_email(seller, topic)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_task(invitation_id: int, token: str) -> int:
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id, accepted_at=None).first()
    if invitation is None:
        return 0
    return send_invitation_email(invitation, token)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_ladder_step_task(seller_id: int, step: str) -> int:
    seller = Seller.objects.select_related("organisation", "home_market").filter(pk=seller_id).first()
    if seller is None or seller.ladder_step != step:
        return 0  # the step moved on meanwhile: this news is stale
    return send_ladder_step_email(seller, step)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_termination_notice_task(seller_id: int) -> int:
    seller = Seller.objects.select_related("organisation", "home_market").filter(pk=seller_id).first()
    if seller is None or seller.terminates_at is None:
        return 0  # the notice was withdrawn meanwhile
    return send_termination_notice_email(seller)


# A day of the scoring job may move hundreds of sellers: from this many e-mails on, it queues one
# message whose task queues them (each a task of its own, retried alone) from a worker, rather than
# one Redis round trip per e-mail inside the job.
FAN_OUT_FROM = 20
FANNED_OUT_TASKS: dict[str, Any] = {
    "notify_ladder_step_task": notify_ladder_step_task,
    "notify_seller_status_task": notify_seller_status_task,
    "notify_success_managers_task": notify_success_managers_task,
}


def mails_queue(calls: list[tuple[str, tuple[object, ...]]]) -> None:
    """Queue the e-mail tasks `calls` ((task name, arguments)): one by one when few, else one message
    for `mails_fan_out_task`. Call after commit."""
    if len(calls) < FAN_OUT_FROM:
        for name, args in calls:
            FANNED_OUT_TASKS[name].delay(*args)
    else:
        mails_fan_out_task.delay([[name, list(args)] for name, args in calls])


@shared_task(acks_late=True)
def mails_fan_out_task(calls: list[list[Any]]) -> int:
    """Queue each e-mail task of `calls` ([task name, [arguments]]). A redelivery after a crash may
    queue some twice; each task re-reads its seller and sends only news still true."""
    for name, args in calls:
        FANNED_OUT_TASKS[str(name)].delay(*args)
    return len(calls)
