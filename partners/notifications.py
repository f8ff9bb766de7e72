"""E-mails of the partners app: an endpoint disabled (410 Gone, or failing for 3 days) to its owners.

Sent after commit by a Celery task (on the e-mail queue, like every app's notifications), in
the organisation's language (its country's market language, when Encore speaks it).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from marketplace.i18n import email_language
from marketplace.mail import send_mail
from marketplace.models import Market, MembershipRole, Organisation, OrganisationKind
from partners.models import WebhookEndpoint


def organisation_language(organisation: Organisation) -> str:
    """The language to write to an organisation in: its country's market language, when Encore ships it."""
    market = Market.objects.filter(code=organisation.country).first()
    return email_language(market.language if market else None)


def owner_emails(organisation: Organisation) -> list[str]:
    return sorted(
        organisation.memberships.filter(role=MembershipRole.OWNER, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def send_endpoint_disabled_email(endpoint: WebhookEndpoint) -> int:
    organisation = endpoint.organisation
    recipients = owner_emails(organisation)
    if not recipients:
        return 0
    if organisation.kind == OrganisationKind.PARTNER:
        manage_url = settings.SITE_URL + reverse("partner:webhook", args=[endpoint.pk])
    else:
        manage_url = settings.SITE_URL + reverse("api-docs")
    with translation.override(organisation_language(organisation)):
        context = {"endpoint": endpoint, "organisation": organisation, "manage_url": manage_url}
        subject = render_to_string("partners/email/endpoint_disabled_subject.txt", context).strip()
        body = render_to_string("partners/email/endpoint_disabled_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def endpoint_disabled_notify_task(endpoint_id: int) -> int:
    endpoint = WebhookEndpoint.objects.select_related("organisation").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.enabled:
        return 0  # deleted or enabled again meanwhile: the news is stale
    return send_endpoint_disabled_email(endpoint)
