"""Admin for sellers: read and search; decisions are made in the success console (they need a reason)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.actors import Actor
from sellers.models import (
    AuditFinding,
    Invitation,
    ListingDay,
    MysteryAudit,
    PerformanceDay,
    ScoreFormula,
    Seller,
    SellerDocument,
)
from sellers.selectors.performance import score_formula_current
from sellers.services.formula import FORMULA_FIELDS, score_formula_publish


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
    list_display = ("organisation", "status", "score", "ladder_step", "home_market", "vat_id", "applied_at")
    list_filter = ("status", "ladder_step", "home_market")
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
        "score",
        "ladder_step",
        "scored_on",
        "ladder_grace_until",
        "listing_cap_until",
        "termination_ground",
        "termination_statement",
        "termination_notice_at",
        "terminates_at",
        "updated_at",
    )
    inlines = (SellerDocumentInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sellers apply through the storefront

    @admin.display(description=_("status"))
    def status_display(self, obj: Seller) -> str:
        return obj.get_status_display()


@admin.register(ListingDay)
class ListingDayAdmin(admin.ModelAdmin):
    list_display = ("seller", "day", "listings_created")
    list_filter = ("day",)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token_hash",)


class ScoreFormulaForm(forms.ModelForm):
    class Meta:
        model = ScoreFormula
        fields = ("note", *FORMULA_FIELDS)


@admin.register(ScoreFormula)
class ScoreFormulaAdmin(admin.ModelAdmin):
    """Versions are published, never edited: "add" publishes a new version, prefilled with the current one."""

    form = ScoreFormulaForm
    list_display = ("version", "created_at", "created_by", "note")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return model_to_dict(score_formula_current(), fields=list(FORMULA_FIELDS))

    def save_model(self, request: HttpRequest, obj: ScoreFormula, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in FORMULA_FIELDS}
        published = score_formula_publish(
            actor=Actor.for_user(request.user),  # type: ignore[arg-type]
            values=values,
            note=form.cleaned_data["note"],
        )
        obj.pk, obj.version = published.pk, published.version


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PerformanceDay)
class PerformanceDayAdmin(ReadOnlyAdmin):
    list_display = ("seller", "day", "score", "step", "units_delivered", "defects", "formula")
    list_filter = ("day", "step")
    search_fields = ("seller__organisation__name",)
    list_select_related = ("seller__organisation", "formula")


class AuditFindingInline(admin.TabularInline):
    model = AuditFinding
    extra = 0
    can_delete = False
    fields = (
        "unit",
        "grade_as_claimed",
        "battery_as_stated",
        "measured_battery",
        "identifier_matches",
        "wiped_and_unlocked",
        "accessories_complete",
        "notes",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MysteryAudit)
class MysteryAuditAdmin(ReadOnlyAdmin):
    list_display = ("pk", "seller", "group", "status", "order", "ordered_at", "recorded_at")
    list_filter = ("status", "group")
    list_select_related = ("seller__organisation", "order")
    inlines = (AuditFindingInline,)
