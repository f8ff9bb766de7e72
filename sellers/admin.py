"""Admin for sellers: read and search; decisions are made in the success console (they need a reason)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sellers.models import Invitation, ProbationDay, Seller, SellerDocument


class SellerDocumentInline(admin.TabularInline):
    model = SellerDocument
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("organisation", "status", "home_market", "vat_id", "applied_at", "probation_ends_at")
    list_filter = ("status", "home_market")
    search_fields = ("organisation__name", "vat_id", "contact_email")
    readonly_fields = (
        "organisation",
        "status",
        "charter_version",
        "charter_accepted_at",
        "applied_at",
        "approved_at",
        "probation_started_at",
        "probation_ends_at",
        "updated_at",
    )
    inlines = (SellerDocumentInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sellers apply through the storefront

    @admin.display(description=_("status"))
    def status_display(self, obj: Seller) -> str:
        return obj.get_status_display()


@admin.register(ProbationDay)
class ProbationDayAdmin(admin.ModelAdmin):
    list_display = ("seller", "day", "listings_created")
    list_filter = ("day",)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token_hash",)
