"""Success console: mystery orders (/console/audits/): draw a sample, place the orders, record findings
with photos, and what audits cost."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import success_manager_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.money import Money
from marketplace.requests import AuthenticatedRequest
from orders.models import OrderUnit
from orders.services.checkout import Contact
from sellers.forms import AuditFindingForm, AuditOrderForm, AuditSampleForm
from sellers.models import AuditPhoto, MysteryAudit
from sellers.services.audits import (
    SampleWeights,
    UnitFinding,
    audit_cancel,
    audit_findings_record,
    audit_order_place,
    audit_sample_draw,
)
from sellers.states import AuditStatus
from sellers.views import add_service_errors


def _audits() -> Any:
    return MysteryAudit.objects.select_related(
        "seller__organisation", "seller__home_market", "listing__variant__product", "order", "sample"
    )


def audit_costs() -> dict[str, Any]:
    """What mystery orders cost (orders paid by the platform), per currency, and how many there are."""
    placed = MysteryAudit.objects.filter(order__isnull=False)
    totals = placed.values("order__currency").annotate(total=Sum("order__total_amount"), n=Count("pk")).order_by()
    counts = MysteryAudit.objects.aggregate(
        drawn=Count("pk", filter=Q(status=AuditStatus.DRAWN)),
        ordered=Count("pk", filter=Q(status=AuditStatus.ORDERED)),
        recorded=Count("pk", filter=Q(status=AuditStatus.RECORDED)),
    )
    return {
        "totals": [Money(row["total"] or 0, row["order__currency"]) for row in totals],
        "orders": sum(row["n"] for row in totals),
        **counts,
    }


@success_manager_required
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    form = AuditSampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sample = audit_sample_draw(actor=Actor.for_user(request.user), weights=SampleWeights(**form.cleaned_data))
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(n)d sellers drawn for mystery orders.") % {"n": sample.audits.count()})
            return redirect("console:audits")
    status = request.GET.get("status", "")
    audits = _audits().order_by("-sample__drawn_at", "-pk")
    if status in AuditStatus.values:
        audits = audits.filter(status=status)
    context = {
        "form": form,
        "audits": audits[:100],
        "costs": audit_costs(),
        "statuses": AuditStatus.choices,
        "status": status,
    }
    return render(request, "console/audits.html", context, status=400 if form.errors else 200)


def _finding_forms(
    audit: MysteryAudit, data: Any = None, files: Any = None
) -> list[tuple[OrderUnit, AuditFindingForm]]:
    if audit.order_id is None:
        return []
    units = OrderUnit.objects.filter(line__seller_order__order_id=audit.order_id).select_related("line").order_by("pk")
    return [(unit, AuditFindingForm(data, files, prefix=f"unit-{unit.pk}")) for unit in units]


@success_manager_required
def audit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(_audits(), pk=pk)
    order_form = AuditOrderForm(initial={"full_name": request.user.full_name or "", "email": request.user.email})
    unit_forms = _finding_forms(audit)
    return _detail(request, audit, order_form=order_form, unit_forms=unit_forms)


def _detail(
    request: AuthenticatedRequest,
    audit: MysteryAudit,
    *,
    order_form: AuditOrderForm | None = None,
    unit_forms: list[tuple[OrderUnit, AuditFindingForm]] | None = None,
    status: int = 200,
) -> HttpResponse:
    seller_order = audit.order.seller_orders.first() if audit.order is not None else None
    findings = list(audit.findings.select_related("unit").prefetch_related("photos").order_by("pk"))
    context = {
        "audit": audit,
        "seller_order": seller_order,
        "order_form": order_form or AuditOrderForm(),
        "unit_forms": unit_forms if unit_forms is not None else _finding_forms(audit),
        "findings": findings,
    }
    return render(request, "console/audit_detail.html", context, status=status)


@require_POST
@success_manager_required
def audit_order(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(_audits(), pk=pk)
    form = AuditOrderForm(request.POST)
    if form.is_valid():
        try:
            audit = audit_order_place(
                audit=audit,
                actor=Actor.for_user(request.user),
                contact=Contact(country="", **form.cleaned_data),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Mystery order %(number)s placed and paid by Encore.") % {"number": audit.order.number}
            )  # type: ignore[union-attr]
            return redirect("console:audit", pk=audit.pk)
    return _detail(request, audit, order_form=form, status=400)


@require_POST
@success_manager_required
def audit_cancel_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(_audits(), pk=pk)
    try:
        audit_cancel(audit=audit, actor=Actor.for_user(request.user), reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Mystery order cancelled."))
    return redirect("console:audit", pk=audit.pk)


@require_POST
@success_manager_required
def audit_findings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(_audits(), pk=pk)
    unit_forms = _finding_forms(audit, request.POST, request.FILES)
    if unit_forms and all(form.is_valid() for _, form in unit_forms):
        findings = {}
        photos = {}
        for unit, form in unit_forms:
            data = form.cleaned_data
            findings[unit.pk] = UnitFinding(
                grade_as_claimed=data["grade_as_claimed"],
                battery_as_stated=data["battery_as_stated"],
                identifier_matches=data["identifier_matches"],
                wiped_and_unlocked=data["wiped_and_unlocked"],
                accessories_complete=data["accessories_complete"],
                measured_battery=data["measured_battery"],
                notes=data["notes"],
            )
            if data["photos"]:
                photos[unit.pk] = data["photos"]
        try:
            audit_findings_record(audit=audit, actor=Actor.for_user(request.user), findings=findings, photos=photos)
        except ApplicationError as error:
            by_unit = {form.prefix: form for _, form in unit_forms}
            for item in error.errors or [{"field": "", "message": error.message}]:
                prefix = item["field"].removesuffix("-photos")
                target = by_unit.get(prefix)
                if target is not None:
                    target.add_error("photos" if item["field"].endswith("-photos") else None, item["message"])
                else:
                    messages.error(request, item["message"])
        else:
            messages.success(request, _("Findings recorded: they count in the seller's next score."))
            return redirect("console:audit", pk=audit.pk)
    return _detail(request, audit, unit_forms=unit_forms, status=400)


@success_manager_required
def audit_photo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An audit photo, for success managers only, always as an attachment (never rendered in our origin)."""
    photo = get_object_or_404(AuditPhoto, pk=pk)
    extension = photo.file.name.rsplit(".", 1)[-1] if photo.file.name else "jpg"
    response = FileResponse(
        photo.file.open("rb"),
        content_type=photo.content_type,
        as_attachment=True,
        filename=f"audit-photo-{photo.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
