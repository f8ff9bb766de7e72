"""Trade-in in the admin: read and search. Nothing is added, edited or deleted here: every change goes
through the services, as on the console's pages. The few actions below call those services, one
object at a time, and report each refusal (a parcel scanned twice, a file already sent) by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from tradein.models import (
    Bid,
    CounterOffer,
    ErasureCertificate,
    Inspection,
    Lot,
    Payout,
    PriceGridRow,
    SepaBatch,
    TradeIn,
)
from tradein.services.lots import lot_close
from tradein.services.payouts import sepa_batch_mark_sent
from tradein.services.warehouse import tradein_receive


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.StackedInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: QuerySet[Any],
    service: Callable[[Any, Actor], object],
    done: str,
) -> None:
    """Run `service` on each object with the staff member as actor; one message for the successes,
    one per refusal (its own message)."""
    actor = Actor.for_user(request.user)
    count = 0
    for obj in objects.order_by("pk"):
        try:
            service(obj, actor)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done % {"count": count}, messages.SUCCESS)


class InspectionInline(ReadOnlyInline):
    model = Inspection
    fields = (
        "condition",
        "identifier",
        "identifier_kind",
        "activation_lock",
        "battery_health",
        "answers",
        "notes",
        "operator",
        "inspected_at",
    )
    readonly_fields = fields


class CounterOfferInline(ReadOnlyInline):
    model = CounterOffer
    fields = ("amount", "currency", "reason", "note", "outcome", "expires_at", "answered_at", "return_tracking_number")
    readonly_fields = fields


class PayoutInline(ReadOnlyInline):
    model = Payout
    fields = ("method", "amount", "currency", "status", "batch", "created_at")
    readonly_fields = fields


class CertificateInline(ReadOnlyInline):
    model = ErasureCertificate
    fields = ("number", "method", "tool", "result", "operator_name", "erased_at")
    readonly_fields = fields


@admin.register(TradeIn)
class TradeInAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "status",
        "product",
        "market",
        "offer_amount",
        "final_amount",
        "currency",
        "payout_method",
        "partner",
        "created_at",
    )
    list_filter = ("status", "market", "payout_method", "declared_condition", "price_source")
    search_fields = ("reference", "tracking_number", "partner_reference", "partner__name")
    list_select_related = ("product", "market", "partner")
    date_hierarchy = "created_at"
    # The owner's address and IBAN are personal data: shown on the console's page to those who need them.
    exclude = ("full_name", "email", "phone", "address_line", "postal_code", "city", "iban", "account_holder")
    readonly_fields = ("console_link",)
    inlines = (InspectionInline, CounterOfferInline, PayoutInline, CertificateInline)
    actions = ("receive",)

    @admin.display(description=_("console"))
    def console_link(self, obj: TradeIn) -> str:
        url = reverse("tradein_console:detail", args=[obj.reference])
        return format_html('<a href="{}">{}</a>', url, _("Open in the trade-in console"))

    @admin.action(description=_("Receive the selected parcels (as the intake station does)"))
    def receive(self, request: HttpRequest, queryset: QuerySet[TradeIn]) -> None:
        _each(
            self,
            request,
            queryset,
            lambda tradein, actor: tradein_receive(tradein=tradein, actor=actor, source="received in the admin"),
            str(_("%(count)s trade-in(s) received.")),
        )


@admin.register(PriceGridRow)
class PriceGridRowAdmin(ReadOnlyAdmin):
    """The grid is changed by its CSV import in the console (all or nothing, errors by row)."""

    list_display = ("product", "storage_gb", "condition", "market", "price_amount", "currency", "updated_at")
    list_filter = ("market", "condition")
    search_fields = ("product__slug", "product__name")
    list_select_related = ("product", "market")


class BidInline(admin.TabularInline):
    model = Bid
    extra = 0
    can_delete = False
    fields = ("seller", "amount", "currency", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("id", "product", "condition", "status", "currency", "fixed_price_amount", "closes_at", "buyer")
    list_filter = ("status", "condition", "currency")
    list_select_related = ("product", "buyer")
    inlines = (BidInline,)
    actions = ("close_now",)

    @admin.action(description=_("Close the selected lots now (the best bid buys)"))
    def close_now(self, request: HttpRequest, queryset: QuerySet[Lot]) -> None:
        _each(
            self,
            request,
            queryset,
            lambda lot, actor: lot_close(lot=lot, actor=actor),
            str(_("%(count)s lot(s) closed.")),
        )


@admin.register(SepaBatch)
class SepaBatchAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "count", "total_amount", "currency", "created_at", "sent_at")
    list_filter = ("sent_at",)
    search_fields = ("message_id",)
    exclude = ("xml",)  # names and IBANs: downloaded by finance from the console
    actions = ("mark_sent",)

    @admin.action(description=_("Mark the selected files as sent to the bank (their trade-ins become paid)"))
    def mark_sent(self, request: HttpRequest, queryset: QuerySet[SepaBatch]) -> None:
        _each(
            self,
            request,
            queryset,
            lambda batch, actor: sepa_batch_mark_sent(batch=batch, actor=actor),
            str(_("%(count)s file(s) marked as sent.")),
        )


@admin.register(ErasureCertificate)
class ErasureCertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "model_name", "method", "result", "operator_name", "erased_at")
    list_filter = ("method",)
    search_fields = ("number", "tradein__reference")
    exclude = ("identifier",)  # shown to the buyer of the lot and on the certificate, not in lists
