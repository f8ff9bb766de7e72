"""After-sales in the admin: read-mostly views for platform staff; every change goes through the services
(the console's pages), so no status is edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warranty.models import (
    CarrierScan,
    Claim,
    ClaimMessage,
    Label,
    Return,
    ReturnItem,
    Review,
    ReviewReport,
    SellerReturnAddress,
    Warranty,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Warranty)
class WarrantyAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "seller", "months", "starts_on", "ends_on", "replaced_at", "refunded_at")
    search_fields = ("identifier",)
    list_select_related = ("seller",)


class ClaimMessageInline(admin.TabularInline):
    model = ClaimMessage
    fields = ("created_at", "author_role", "author_label", "body", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "seller",
        "identifier",
        "category",
        "status",
        "outcome",
        "opened_at",
        "deadline_missed",
    )
    list_filter = ("status", "outcome", "category", "deadline_missed")
    search_fields = ("identifier", "line__seller_order__order__number")
    list_select_related = ("seller",)
    inlines = (ClaimMessageInline,)


class ReturnItemInline(admin.TabularInline):
    model = ReturnItem
    fields = ("unit", "unit_price_amount", "live")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Return)
class ReturnAdmin(ReadOnlyAdmin):
    list_display = ("reference", "seller", "status", "reason", "amount", "currency", "opened_at", "refunded_at")
    list_filter = ("status", "reason", "refunded_automatically")
    search_fields = ("seller_order__order__number",)
    list_select_related = ("seller",)
    inlines = (ReturnItemInline,)


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "purpose", "carrier", "created_at", "in_transit_at", "delivered_at")
    search_fields = ("tracking_number",)


@admin.register(CarrierScan)
class CarrierScanAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "status", "occurred_at", "source", "recorded_by")
    search_fields = ("tracking_number", "event_id")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("pk", "seller", "seller_stars", "unit_stars", "status", "created_at", "replied_at")
    list_filter = ("status", "seller_stars")
    list_select_related = ("seller",)


@admin.register(ReviewReport)
class ReviewReportAdmin(ReadOnlyAdmin):
    list_display = ("review", "reason", "reporter_label", "created_at", "resolution")
    list_filter = ("reason", "resolution")


@admin.register(SellerReturnAddress)
class SellerReturnAddressAdmin(admin.ModelAdmin):
    list_display = ("organisation", "name", "city", "country")
    search_fields = ("organisation__name", "city")
