"""Webhook endpoints, their deliveries (one per event and endpoint) and every attempt of each.

The relay (`partners/services/relay.py`) turns committed outbox events (`marketplace.Event`) into
deliveries; the sender (`partners/services/delivery.py`) attempts them. The database keeps a
delivery unique per (endpoint, event) and a due time on every open one, so a second relay or a
duplicate task message never sends twice what one attempt already answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Event, Organisation
from partners.states import OPEN_STATUSES, AttemptTrigger, DeliveryStatus, DisabledReason

ALL_EVENTS = "*"


class WebhookEndpoint(models.Model):
    """Where an organisation (partner or seller) wants its events: a URL, the event types, a secret.

    `secret` signs every delivery; after a rotation `previous_secret` signs too until
    `previous_secret_expires_at` (24 h), so that receivers can switch without losing a delivery.
    `failing_since` is the first failed attempt since the last success: an endpoint failing for
    3 days is disabled (`disabled_reason` failing), one answering 410 at once (gone).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("organisation")
    )
    url = models.URLField(_("URL"), max_length=1000)
    events = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("events"),
        help_text=_("Event types, or “*” for all."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=16, choices=DisabledReason.choices, blank=True, default=DisabledReason.NONE
    )
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(events__len__gte=1), name="webhook_endpoint_has_events"),
            models.CheckConstraint(
                condition=Q(disabled_reason__in=DisabledReason.values), name="webhook_endpoint_reason_valid"
            ),
            # Enabled with no reason, or disabled with one.
            models.CheckConstraint(
                condition=Q(enabled=True, disabled_reason="") | (Q(enabled=False) & ~Q(disabled_reason="")),
                name="webhook_endpoint_disabled_has_reason",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("organisation", "enabled"), name="webhook_endpoint_org")]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous one for 24 h after a rotation."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    """One event for one endpoint: its status, when it is next due, and its attempts.

    `next_attempt_at` is set while the delivery is open (pending or retrying). `queued_at` says a
    task message was sent for the due attempt (the dispatcher sends another only after
    `WEBHOOKS_QUEUE_LEASE`, in case the message was lost); `sending_until` is the lease of the
    worker attempting it (a worker killed mid-attempt leaves it to expire, then the attempt is
    made again: delivery is at least once).
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(_("event type"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices, default="pending")
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)
    manual = models.BooleanField(default=False, help_text=_("The next attempt was asked for by hand."))
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("endpoint", "event"), name="webhook_delivery_once_per_event"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"),
            # Open deliveries are due at some time; closed ones are not.
            models.CheckConstraint(
                condition=Q(status__in=OPEN_STATUSES, next_attempt_at__isnull=False)
                | (~Q(status__in=OPEN_STATUSES) & Q(next_attempt_at__isnull=True)),
                name="webhook_delivery_open_is_due",
            ),
        ]
        indexes: ClassVar = [
            # The dispatcher: open deliveries by due time.
            models.Index(
                fields=("next_attempt_at", "id"), name="webhook_delivery_due", condition=Q(status__in=OPEN_STATUSES)
            ),
            # The dispatcher's usual question: due and not queued yet.
            models.Index(
                fields=("next_attempt_at", "id"),
                name="webhook_delivery_unqueued",
                condition=Q(status__in=OPEN_STATUSES, queued_at__isnull=True),
            ),
            # The delivery log of an endpoint, newest first, optionally by status.
            models.Index(fields=("endpoint", "-created_at", "-id"), name="webhook_delivery_log"),
            models.Index(fields=("endpoint", "status", "-created_at"), name="webhook_delivery_log_status"),
            models.Index(fields=("created_at",), name="webhook_delivery_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} -> {self.endpoint_id} ({self.status})"

    @property
    def last_attempt(self) -> WebhookAttempt | None:
        """The latest attempt (from the prefetched attempts when the selector loaded them)."""
        attempts = list(self.attempts.all())
        return max(attempts, key=lambda attempt: (attempt.number, attempt.pk)) if attempts else None


class WebhookAttempt(models.Model):
    """One try of a delivery: when, how long, the HTTP status (none on a timeout or a refused
    connection), the first 1 KB of the answer and, without an answer, why."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    trigger = models.CharField(
        _("trigger"), max_length=12, choices=AttemptTrigger.choices, default=AttemptTrigger.AUTOMATIC
    )
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_body = models.TextField(_("answer (first 1 KB)"), blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ("delivery", "number", "id")
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        indexes: ClassVar = [models.Index(fields=("delivery", "number"), name="webhook_attempt_delivery")]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(trigger__in=AttemptTrigger.values), name="webhook_attempt_trigger_valid")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
