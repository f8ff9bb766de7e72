"""Trade-in console pages (/console/trade-ins/): the intake station, inspection and erasure, payouts in
SEPA files, the price grid import, lots. Warehouse operators, finance and success managers (see `access`)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.requests import AuthenticatedRequest
from orders.selectors import buyback_liability
from tradein import selectors
from tradein.access import finance_required, may_operate, may_pay, staff_required, warehouse_required
from tradein.forms import CodeForm, ErasureForm, GridImportForm, InspectionDetailsForm, QuestionnaireForm
from tradein.models import BatchParcel, InspectionPhoto, Lot, SepaBatch
from tradein.questionnaire import answer_label
from tradein.services.batches import parcel_receive
from tradein.services.grid import price_grid_csv, price_grid_import
from tradein.services.lots import lot_close, lots_create_from_stock, tradein_recycle
from tradein.services.payouts import sepa_batch_create, sepa_batch_mark_sent
from tradein.services.warehouse import InspectionInput, tradein_erasure_record, tradein_inspect, tradein_receive
from tradein.states import PRICE_FINAL, LotStatus, TradeInStatus


def _roles(request: AuthenticatedRequest) -> dict[str, bool]:
    return {"may_operate": may_operate(request.user), "may_pay": may_pay(request.user)}


@staff_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        try:
            return redirect("tradein_console:detail", reference=selectors.tradein_by_code(code).reference)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    context = {
        **_roles(request),
        "counts": selectors.staff_counts(),
        "to_inspect": selectors.staff_queue(TradeInStatus.RECEIVED),
        "to_wipe": selectors.awaiting_erasure(),
        "held": selectors.staff_queue(TradeInStatus.HELD),
        "counter_offered": selectors.staff_queue(TradeInStatus.COUNTER_OFFERED),
        "expected": selectors.staff_queue(TradeInStatus.ACCEPTED, limit=20),
    }
    return render(request, "tradein/console/dashboard.html", context)


@warehouse_required
def intake(request: AuthenticatedRequest) -> HttpResponse:
    """The intake station: scan the label's QR code with the camera, or type the code; the parcel is received."""
    form = CodeForm(request.POST or None)
    received = None
    if request.method == "POST" and form.is_valid():
        try:
            target = selectors.intake_target(form.cleaned_data["code"])
            if isinstance(target, BatchParcel):
                devices = parcel_receive(parcel=target, actor=Actor.for_user(request.user))
                messages.success(
                    request,
                    ngettext(
                        "Received: parcel %(number)s of batch %(batch)s, %(count)s device. Inspect it, then next "
                        "parcel.",
                        "Received: parcel %(number)s of batch %(batch)s, %(count)s devices. Inspect them, then next "
                        "parcel.",
                        len(devices),
                    )
                    % {"number": target.number, "batch": target.batch.reference, "count": len(devices)},
                )
                return redirect(f"{request.path}?last={devices[0].reference}")
            received = tradein_receive(tradein=target, actor=Actor.for_user(request.user))
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request,
                _("Received: %(code)s, %(device)s. Next parcel.")
                % {"code": received.reference, "device": received.product.name},
            )
            return redirect(f"{request.path}?last={received.reference}")
    last = request.GET.get("last", "")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tradein/console/intake.html", {"form": form, "last": last, **_roles(request)}, status=status
    )


def _detail_context(request: AuthenticatedRequest, reference: str) -> dict[str, object]:
    tradein = selectors.tradein_get_for_staff(reference=reference)
    questions = selectors.questions_for_product(tradein.product)
    declared = [(str(q.text), answer_label(questions, q.code, tradein.answers.get(q.code, ""))) for q in questions]
    actual = []
    if hasattr(tradein, "inspection"):
        actual = [
            (str(q.text), answer_label(questions, q.code, tradein.inspection.answers.get(q.code, "")))
            for q in questions
        ]
    return {
        **_roles(request),
        "tradein": tradein,
        "declared": declared,
        "actual": actual,
        "timeline": selectors.timeline_labelled(selectors.tradein_timelines([tradein.pk]).get(tradein.pk, [])),
        "questions_form": QuestionnaireForm(questions=questions, initial=tradein.answers, prefix="q"),
        "details_form": InspectionDetailsForm(),
        "erasure_form": ErasureForm(),
        "may_inspect": tradein.status == TradeInStatus.RECEIVED,
        "may_wipe": tradein.status in PRICE_FINAL and not hasattr(tradein, "certificate"),
        "may_recycle": tradein.status == TradeInStatus.PAID and hasattr(tradein, "certificate") and not tradein.lot_id,
    }


@staff_required
def detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return render(request, "tradein/console/detail.html", _detail_context(request, reference))


@require_POST
@warehouse_required
def inspect(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    context = _detail_context(request, reference)
    tradein = context["tradein"]
    questions = selectors.questions_for_product(tradein.product)  # type: ignore[attr-defined]
    questions_form = QuestionnaireForm(request.POST, questions=questions, prefix="q")
    details_form = InspectionDetailsForm(request.POST)
    if questions_form.is_valid() and details_form.is_valid():
        data = details_form.cleaned_data
        try:
            result = tradein_inspect(
                tradein=tradein,  # type: ignore[arg-type]
                actor=Actor.for_user(request.user),
                data=InspectionInput(
                    answers=questions_form.answers(),
                    identifier=data["identifier"],
                    activation_lock=data["activation_lock"],
                    liquid_damage=data["liquid_damage"],
                    battery_health=data["battery_health"],
                    notes=data["notes"],
                    reason=data["reason"],
                    reason_note=data["reason_note"],
                ),
                photos=request.FILES.getlist("photos"),
            )
        except ApplicationError as exc:
            details_form.add_error(None, exc.message)
            for item in exc.errors:
                if item["field"] in details_form.fields:
                    details_form.add_error(item["field"], item["message"])
        else:
            messages.success(request, _("Inspected: %(status)s.") % {"status": result.get_status_display()})
            return redirect("tradein_console:detail", reference=result.reference)
    context.update(questions_form=questions_form, details_form=details_form)
    return render(request, "tradein/console/detail.html", context, status=400)


@require_POST
@warehouse_required
def erasure(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    context = _detail_context(request, reference)
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            certificate = tradein_erasure_record(
                tradein=context["tradein"],  # type: ignore[arg-type]
                actor=Actor.for_user(request.user),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if certificate is None:
                messages.error(
                    request, _("Wipe failed: nothing certified. Wipe again, or send the device to recycling.")
                )
            else:
                messages.success(
                    request, _("Certificate %(number)s issued to the owner.") % {"number": certificate.number}
                )
            return redirect("tradein_console:detail", reference=reference)
    context["erasure_form"] = form
    return render(request, "tradein/console/detail.html", context, status=400)


@require_POST
@warehouse_required
def recycle(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    tradein = selectors.tradein_get_for_staff(reference=reference)
    try:
        tradein_recycle(tradein=tradein, actor=Actor.for_user(request.user))
        messages.success(request, _("Sent to recycling."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("tradein_console:detail", reference=reference)


@staff_required
def photo(request: AuthenticatedRequest, reference: str, pk: int) -> FileResponse:
    item = get_object_or_404(InspectionPhoto.objects.filter(tradein__reference=reference), pk=pk)
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=f"{reference}-{pk}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@finance_required
def payouts(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        **_roles(request),
        "pending": list(selectors.payouts_pending()[:200]),
        "batches": list(SepaBatch.objects.order_by("-created_at")[:50]),
        # Forward trade-in: what the guaranteed buy-backs still running would cost if redeemed today.
        "liability": buyback_liability(now=timezone.now()),
    }
    return render(request, "tradein/console/payouts.html", context)


@require_POST
@finance_required
def batch_create(request: AuthenticatedRequest) -> HttpResponse:
    try:
        execution = date.fromisoformat(request.POST.get("execution_date") or timezone.localdate().isoformat())
    except ValueError:
        execution = timezone.localdate()
    batch = sepa_batch_create(actor=Actor.for_user(request.user), execution_date=execution)
    if batch is None:
        messages.info(request, _("No bank transfer is waiting."))
    else:
        messages.success(
            request, _("SEPA file %(id)s: %(count)s transfers.") % {"id": batch.message_id, "count": batch.count}
        )
    return redirect("tradein_console:payouts")


@finance_required
def batch_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SepaBatch, pk=pk)
    response = HttpResponse(batch.xml.encode(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
    return response


@require_POST
@finance_required
def batch_sent(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SepaBatch, pk=pk)
    try:
        sepa_batch_mark_sent(batch=batch, actor=Actor.for_user(request.user))
        messages.success(request, _("Marked as sent: the owners are told they are paid."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("tradein_console:payouts")


def _manager_only(request: AuthenticatedRequest) -> None:
    from django.core.exceptions import PermissionDenied

    from marketplace.access import is_success_manager

    if not is_success_manager(request.user):
        raise PermissionDenied("Success managers only.")


@staff_required
def grid(request: AuthenticatedRequest) -> HttpResponse:
    _manager_only(request)
    form = GridImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = price_grid_import(content=form.cleaned_data["file"].read(), actor=Actor.for_user(request.user))
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            errors = exc.errors
        else:
            messages.success(
                request,
                _("Imported: %(new)s new prices, %(updated)s updated.")
                % {"new": result.created, "updated": result.updated},
            )
            return redirect("tradein_console:grid")
    return render(
        request,
        "tradein/console/grid.html",
        {"form": form, "errors": errors, **_roles(request)},
        status=400 if errors else 200,
    )


@staff_required
def grid_csv(request: AuthenticatedRequest) -> HttpResponse:
    _manager_only(request)
    response = HttpResponse(price_grid_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tradein-price-grid.csv"'
    return response


@staff_required
def lots(request: AuthenticatedRequest) -> HttpResponse:
    _manager_only(request)
    if request.method == "POST":
        created = lots_create_from_stock(actor=Actor.for_user(request.user))
        messages.success(request, _("%(count)s lots offered to refurbishers for 48 hours.") % {"count": len(created)})
        return redirect("tradein_console:lots")
    context = {
        **_roles(request),
        "lots": Lot.objects.select_related("product", "buyer").prefetch_related("bids").order_by("-created_at")[:100],
        "eligible": selectors.lots_eligible_devices().count(),
        "open_status": LotStatus.OPEN,
    }
    return render(request, "tradein/console/lots.html", context)


@require_POST
@staff_required
def lot_close_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _manager_only(request)
    lot = lot_close(lot=get_object_or_404(Lot, pk=pk), actor=Actor.for_user(request.user))
    messages.success(request, _("Lot %(id)s: %(status)s.") % {"id": lot.pk, "status": lot.get_status_display()})
    return redirect("tradein_console:lots")
