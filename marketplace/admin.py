"""Admin for the kernel: thin, every write through services."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.access import authenticated_user
from marketplace.actors import Actor
from marketplace.models import ApiKey, AuditEvent, Event, IdempotencyKey, Market, Membership, Organisation, User
from marketplace.services import api_key_revoke


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin[Market]):
    list_display = ("code", "country", "currency", "language", "time_zone", "vat_rate_basis_points", "is_active")


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "slug", "country", "created_at")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug")
    inlines = (MembershipInline,)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ("name", "organisation", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "organisation__name")
    readonly_fields = ("prefix", "secret_hash", "created_at", "last_used_at", "revoked_at", "created_by")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Keys are created in the back-office or with `manage.py create_api_key`, which show the secret once.
        return False

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            actor = Actor.for_user(authenticated_user(request))
            api_key_revoke(api_key=api_key, actor=actor, reason="revoked in admin")
        messages.success(request, _("Keys revoked."))


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "from_status", "to_status", "actor_label", "reason")
    list_filter = ("content_type", "to_status")
    search_fields = ("object_id", "actor_label", "reason")
    date_hierarchy = "at"


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "organisation", "created_at")
    list_filter = ("type",)
    search_fields = ("id",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("owner", "key", "state", "response_status", "created_at", "expires_at")
    search_fields = ("owner", "key")
