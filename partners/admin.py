"""Webhooks in the admin: read only. Endpoints change through the API or the partner back-office (the
services check URLs and keep the organisation's mark); secrets are never shown here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from partners.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "organisation", "enabled", "disabled_reason", "failing_since", "created_at")
    list_filter = ("enabled", "disabled_reason")
    search_fields = ("url", "organisation__name", "organisation__slug")
    list_select_related = ("organisation",)
    fields = (
        "organisation",
        "url",
        "events",
        "description",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    )


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "trigger", "started_at", "duration_ms", "status_code", "error", "response_body")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "event_type", "endpoint", "status", "attempt_count", "next_attempt_at", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("event__id", "endpoint__url")
    list_select_related = ("endpoint",)
    raw_id_fields = ("endpoint", "event")
    inlines = (WebhookAttemptInline,)
