"""Workshop e-mails and the Celery tasks that send them. Success managers read English (the console's
language). Services queue a task after their transaction commits; the task re-reads the row and sends
nothing for a flag already resolved. This module never imports the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from marketplace.mail import send_mail
from marketplace.models import User
from workshop.models import IdentifierFlag


def _success_managers() -> list[str]:
    return sorted(
        set(
            User.objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=settings.SUCCESS_MANAGERS_GROUP))
            .values_list("email", flat=True)
        )
    )


def send_identifier_flag(flag: IdentifierFlag) -> int:
    """To success managers: an identifier to look at, with the console's link."""
    recipients = _success_managers()
    if not recipients:
        return 0
    with translation.override("en"):
        context = {
            "flag": flag,
            "console_url": f"{settings.SITE_URL}{reverse('workshop_console:identifier')}?identifier={flag.identifier}",
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("workshop/email/flag_subject.txt", context).strip()
        body = render_to_string("workshop/email/flag_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(acks_late=True)
def identifier_flag_notify_task(flag_id: int) -> int:
    flag = IdentifierFlag.objects.select_related("seller", "other_seller").filter(pk=flag_id, resolved_at=None).first()
    return send_identifier_flag(flag) if flag is not None else 0
