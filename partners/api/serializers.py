"""Webhook API shapes (API.md): endpoints (the secret only in the answers that create or rotate it),
deliveries with every attempt."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import ALL_EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partners.services.endpoints import SUBSCRIBABLE_EVENTS
from partners.states import DeliveryStatus, DisabledReason

EVENT_CHOICES = [ALL_EVENTS, *SUBSCRIBABLE_EVENTS]


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))
    disabled_reason = serializers.SerializerMethodField(
        help_text="Why the endpoint is disabled: by_hand, gone (it answered 410), failing (3 days); null when enabled."
    )
    secret_rotated_until = serializers.DateTimeField(
        source="previous_secret_expires_at",
        read_only=True,
        allow_null=True,
        help_text="Until when the previous secret still signs (both v1= are sent), after a rotation.",
    )
    created = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "events", "description", "enabled", "disabled_reason", "secret_rotated_until", "created")
        read_only_fields = fields

    @extend_schema_field(
        {"type": "string", "enum": [r.value for r in DisabledReason if r.value], "nullable": True, "readOnly": True}
    )
    def get_disabled_reason(self, endpoint: WebhookEndpoint) -> str | None:
        return endpoint.disabled_reason or None


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret (whsec_...): shown in this answer only. Keep it safe."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = (*WebhookEndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer[dict[str, Any]]):
    url = serializers.URLField(
        max_length=1000, help_text="https, on a public address (checked when set and on every attempt)."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        max_length=len(EVENT_CHOICES),
        help_text='Event types, or ["*"] for all (present and future).',
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    enabled = serializers.BooleanField(required=False, default=True)


class WebhookEndpointPatchSerializer(WebhookEndpointWriteSerializer):
    url = serializers.URLField(max_length=1000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        max_length=len(EVENT_CHOICES),
        required=False,
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    at = serializers.DateTimeField(source="started_at")
    response_body = serializers.CharField(help_text="The first 1 KB of the answer.")
    error = serializers.CharField(help_text="Without an answer: timeout, connection refused, refused URL, ...")

    class Meta:
        model = WebhookAttempt
        fields = ("number", "at", "status_code", "duration_ms", "response_body", "error", "trigger")
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    event = serializers.CharField(source="event_id", help_text="The event id (evt_...): drop duplicates by it.")
    type = serializers.CharField(source="event_type")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    created = serializers.DateTimeField(source="created_at")
    attempts = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ("id", "endpoint", "event", "type", "status", "next_attempt_at", "created", "completed_at", "attempts")
        read_only_fields = fields
