"""Webhook endpoints: create, change, delete, rotate the secret, ping, disable.

An endpoint belongs to one organisation (partner or seller) and receives the events about that
organisation's own objects (the outbox row's organisation). Its URL is checked when it is set
(`partners.destinations`: https and a public address in production) and again before every
attempt. The secret is shown once, in the answer that creates or rotates it; after a rotation the
previous secret keeps signing for 24 h. Every change is audited; the organisation's
`receives_webhooks` mark (the kernel's, for the relay's nudge) follows its enabled endpoints.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit, events_mark_relayed
from marketplace.models import EventType, Organisation
from marketplace.services import organisation_receives_webhooks_set
from marketplace.transitions import audit_record
from partners import notifications
from partners.destinations import DestinationRefusedError, destination_for
from partners.models import ALL_EVENTS, WebhookDelivery, WebhookEndpoint
from partners.services import queueing
from partners.states import OPEN_STATUSES, DeliveryStatus, DisabledReason

MAX_ENDPOINTS_PER_ORGANISATION = 16
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of generated secrets, not a secret
PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)
# Every event type of the contract but `ping`, which is sent only to the endpoint pinged.
SUBSCRIBABLE_EVENTS = tuple(t.value for t in EventType if t != EventType.PING)


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _validation(field: str, message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field, "message": message}])


def events_normalise(events: Iterable[str]) -> list[str]:
    """["*"], or the subscribed types without duplicates, in the contract's order. Unknown: 400."""
    wanted = list(dict.fromkeys(str(e).strip() for e in events))
    if not wanted:
        raise _validation("events", "Choose at least one event type, or “*” for all.")
    if ALL_EVENTS in wanted:
        if len(wanted) > 1:
            raise _validation("events", "“*” stands alone: it already means every event type.")
        return [ALL_EVENTS]
    unknown = [e for e in wanted if e not in SUBSCRIBABLE_EVENTS]
    if unknown:
        raise _validation("events", f"Unknown event types: {', '.join(unknown)}.")
    return [e for e in SUBSCRIBABLE_EVENTS if e in wanted]


def url_check(url: str) -> str:
    """The URL, if it may receive webhooks now (422 webhook-url-not-allowed otherwise)."""
    url = url.strip()
    try:
        destination_for(url)
    except DestinationRefusedError as refusal:
        raise ApplicationError(
            ErrorCode.WEBHOOK_URL_NOT_ALLOWED, refusal.message, errors=[{"field": "url", "message": refusal.message}]
        ) from None
    return url


def _receives_webhooks_sync(organisation: Organisation) -> None:
    receives = WebhookEndpoint.objects.filter(organisation=organisation, enabled=True).exists()
    organisation_receives_webhooks_set(organisation=organisation, receives=receives)


@transaction.atomic
def webhook_endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    events: Iterable[str],
    actor: Actor,
    description: str = "",
    enabled: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; returns it and its secret (shown to the caller once). At most 16 per organisation."""
    event_list = events_normalise(events)
    url = url_check(url)
    # One creation at a time per organisation, so that the limit holds under concurrent requests.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if WebhookEndpoint.objects.filter(organisation=organisation).count() >= MAX_ENDPOINTS_PER_ORGANISATION:
        raise ApplicationError(
            ErrorCode.WEBHOOK_ENDPOINT_LIMIT,
            f"An organisation may have at most {MAX_ENDPOINTS_PER_ORGANISATION} webhook endpoints.",
        )
    secret = _new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=event_list,
        description=description.strip(),
        enabled=enabled,
        disabled_reason=DisabledReason.NONE if enabled else DisabledReason.BY_HAND,
        disabled_at=None if enabled else timezone.now(),
        secret=secret,
    )
    audit_record(obj=endpoint, actor=actor, from_status="", to_status="created", organisation=organisation)
    _receives_webhooks_sync(organisation)
    return endpoint, secret


def _fail_open_deliveries(endpoint: WebhookEndpoint, *, error: str) -> int:
    """A disabled endpoint receives nothing: its open deliveries fail (redeliver them by hand later).

    Deliveries a worker holds right now are skipped, not waited for (no lock cycle with a worker
    that holds one and wants the endpoint); their next attempt finds the endpoint disabled.
    """
    ids = list(
        WebhookDelivery.objects.filter(endpoint=endpoint, status__in=OPEN_STATUSES)
        .select_for_update(skip_locked=True)
        .values_list("id", flat=True)
    )
    return WebhookDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        completed_at=timezone.now(),
        last_error=error,
        queued_at=None,
        sending_until=None,
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: Actor,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. Enabling clears the failure record; disabling by hand fails the open deliveries."""
    locked = WebhookEndpoint.objects.select_for_update().select_related("organisation").get(pk=endpoint.pk)
    now = timezone.now()
    changed: list[str] = []
    if url is not None and url.strip() != locked.url:
        locked.url = url_check(url)
        changed.append("url")
    if events is not None:
        locked.events = events_normalise(events)
        changed.append("events")
    if description is not None:
        locked.description = description.strip()
        changed.append("description")
    if enabled is not None and enabled != locked.enabled:
        locked.enabled = enabled
        locked.disabled_reason = DisabledReason.NONE if enabled else DisabledReason.BY_HAND
        locked.disabled_at = None if enabled else now
        locked.failing_since = None
        changed += ["enabled", "disabled_reason", "disabled_at", "failing_since"]
        if not enabled:
            _fail_open_deliveries(locked, error="endpoint disabled")
        audit_record(
            obj=locked,
            actor=actor,
            from_status="disabled" if enabled else "enabled",
            to_status="enabled" if enabled else "disabled",
            organisation=locked.organisation,
        )
    if changed:
        locked.updated_at = now
        locked.save(update_fields=[*changed, "updated_at"])
        _receives_webhooks_sync(locked.organisation)
    return locked


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    """Delete an endpoint with its delivery log (audited)."""
    organisation = endpoint.organisation
    audit_record(
        obj=endpoint, actor=actor, from_status="", to_status="deleted", reason=endpoint.url, organisation=organisation
    )
    endpoint.delete()
    _receives_webhooks_sync(organisation)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: Actor) -> tuple[WebhookEndpoint, str]:
    """A new secret signs from now on; the current one keeps signing for 24 h (both `v1=` are sent).

    Rotating again within the 24 h drops the oldest secret at once. Returns the endpoint and the new secret.
    """
    locked = WebhookEndpoint.objects.select_for_update().select_related("organisation").get(pk=endpoint.pk)
    now = timezone.now()
    secret = _new_secret()
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = now + PREVIOUS_SECRET_VALIDITY
    locked.secret = secret
    locked.updated_at = now
    locked.save(update_fields=["previous_secret", "previous_secret_expires_at", "secret", "updated_at"])
    audit_record(obj=locked, actor=actor, from_status="", to_status="secret rotated", organisation=locked.organisation)
    return locked, secret


@transaction.atomic
def webhook_endpoint_ping(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookDelivery:
    """Send a `ping` event to this endpoint only (one attempt, enabled or not); returns its delivery."""
    now = timezone.now()
    event = emit(
        EventType.PING,
        {"endpoint": endpoint.pk, "message": "Ping from Encore: this endpoint receives webhooks."},
        endpoint.organisation,
    )
    events_mark_relayed([event.pk])  # delivered here, to this endpoint only: the relay passes it by
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        event_type=EventType.PING,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        queued_at=now,
        manual=True,
    )
    audit_record(obj=endpoint, actor=actor, from_status="", to_status="pinged", organisation=endpoint.organisation)
    transaction.on_commit(lambda: queueing.delivery_enqueue([delivery.pk]))
    return delivery


@transaction.atomic
def webhook_endpoint_disable(*, endpoint_id: int, reason: DisabledReason, actor: Actor) -> bool:
    """Disable an endpoint automatically (410 Gone, or failing for 3 days): its open deliveries fail and
    the organisation's owners are e-mailed. Does nothing if it is already disabled. Returns whether it moved."""
    locked = WebhookEndpoint.objects.select_for_update().select_related("organisation").filter(pk=endpoint_id).first()
    if locked is None or not locked.enabled:
        return False
    now = timezone.now()
    locked.enabled = False
    locked.disabled_reason = reason
    locked.disabled_at = now
    locked.updated_at = now
    locked.save(update_fields=["enabled", "disabled_reason", "disabled_at", "updated_at"])
    _fail_open_deliveries(locked, error="endpoint disabled")
    audit_record(
        obj=locked,
        actor=actor,
        from_status="enabled",
        to_status="disabled",
        reason=str(DisabledReason(reason).label),
        organisation=locked.organisation,
    )
    _receives_webhooks_sync(locked.organisation)
    transaction.on_commit(lambda: notifications.endpoint_disabled_notify_task.delay(endpoint_id))
    return True
