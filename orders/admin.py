"""Orders in the admin: read-mostly. Every change of state goes through the services (pages, API, tasks)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from orders.models import (
    BlockedDevice,
    CommissionRate,
    Dispute,
    LedgerEntry,
    Order,
    OrderLine,
    Payment,
    Payout,
    Refund,
    SellerOrder,
    SellerPayoutAccount,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class SellerOrderInline(admin.TabularInline):
    model = SellerOrder
    extra = 0
    can_delete = False
    fields = ("seller", "status", "subtotal_amount", "commission_amount", "carrier", "tracking_number", "ship_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "channel", "status", "market", "total_amount", "currency", "email", "created_at")
    list_filter = ("status", "channel", "market")
    search_fields = ("number", "email", "partner_reference")
    inlines = (SellerOrderInline,)
    date_hierarchy = "created_at"
    list_select_related = ("market",)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("product_name", "variant_label", "grade_code", "quantity", "unit_price_amount", "warranty_months", "sku")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SellerOrder)
class SellerOrderAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "order",
        "seller",
        "status",
        "subtotal_amount",
        "currency",
        "paid_at",
        "ship_by",
        "shipped_at",
    )
    list_filter = ("status",)
    search_fields = ("order__number", "seller__name", "tracking_number")
    list_select_related = ("order", "seller")
    inlines = (OrderLineInline,)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("order", "provider", "reference", "status", "amount", "captured_amount", "refunded_amount")
    list_filter = ("provider", "status")
    search_fields = ("reference", "order__number")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("payment", "seller_order", "amount", "currency", "reference", "created_at")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("seller", "pay_date", "amount", "currency", "status", "transfer_reference")
    list_filter = ("status", "pay_date")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "journal", "kind", "account", "seller", "amount", "currency")
    list_filter = ("kind", "account", "currency")


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    """Commission per category (default 10 % when a category has none, or its parent's)."""

    list_display = ("category", "basis_points")


@admin.register(BlockedDevice)
class BlockedDeviceAdmin(admin.ModelAdmin):
    """The blocklist of reported-stolen devices: shipping such a unit is refused."""

    list_display = ("identifier", "reason", "reported_at")
    search_fields = ("identifier",)


@admin.register(SellerPayoutAccount)
class SellerPayoutAccountAdmin(admin.ModelAdmin):
    """Read-only: the seller's owner connects the account from the back-office (Stripe Connect onboarding),
    and its state follows Stripe's `account.updated` events. Nobody types an account id."""

    list_display = ("seller", "stripe_account_id", "details_submitted", "payouts_enabled", "is_test", "synced_at")
    list_filter = ("payouts_enabled", "details_submitted", "is_test")
    search_fields = ("seller__name", "stripe_account_id")
    readonly_fields = (
        "seller",
        "stripe_account_id",
        "details_submitted",
        "charges_enabled",
        "payouts_enabled",
        "requirements_due",
        "disabled_reason",
        "is_test",
        "created_at",
        "synced_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Card disputes, from Stripe's `charge.dispute.*` events (read-only)."""

    list_display = ("stripe_dispute_id", "seller", "seller_order", "amount", "held_amount", "currency", "status")
    list_filter = ("status",)
    search_fields = ("stripe_dispute_id", "seller__name", "seller_order__order__number")
    readonly_fields = (
        "stripe_dispute_id",
        "payment",
        "seller_order",
        "seller",
        "amount",
        "held_amount",
        "currency",
        "reason",
        "status",
        "opened_at",
        "closed_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
