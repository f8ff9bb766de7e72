"""Trade-in in the partner back-office (mounted at /partner/trade-in/): the company's business batches
(upload a device list, the batch quote, accept it, the parcels' labels, every device followed through
intake and inspection, the counter-offers answered in one step, the certificates, the report and the
credit note) and the trade-ins it placed for its customers over the API.

Every read is scoped to the acting partner (another's batch is a 404); writes call the services and
answer with a redirect. Members see and upload; accepting a quote and answering counter-offers commit
the company, so they are for its owners, as are its business details.
"""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import partner_member_required, require_partner_owner
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation
from marketplace.requests import PartnerRequest
from sellers.imports import decode_text, spreadsheet_safe
from tradein import batch_files, selectors
from tradein.documents.batch_render import (
    batch_certificates_zip,
    batch_credit_note_pdf,
    batch_labels_pdf,
    batch_report_pdf,
    credit_note_number,
)
from tradein.forms import BatchAcceptForm, BatchUploadForm, BusinessProfileForm
from tradein.models import Batch
from tradein.services.batches import (
    batch_accept,
    batch_counter_offers_answer,
    batch_is_expired,
    batch_quote_create,
    business_profile_set,
    business_sender,
)
from tradein.services.quotes import PayoutChoice
from tradein.states import BatchStatus, TradeInStatus

DEVICES_PER_PAGE = 100


def _partner(request: PartnerRequest) -> Organisation:
    return request.partner_membership.organisation


def _actor(request: PartnerRequest) -> Actor:
    return Actor.for_user(request.user)


def _is_owner(request: PartnerRequest) -> bool:
    return request.partner_membership.role == "owner"


def _batch(request: PartnerRequest, pk: int) -> Batch:
    return selectors.batch_get_for_partner(partner=_partner(request), id=pk)


@partner_member_required
def index(request: PartnerRequest) -> HttpResponse:
    partner = _partner(request)
    batches = Paginator(selectors.batch_list_for_partner(partner=partner), 25).get_page(request.GET.get("page"))
    tradeins = selectors.tradein_list_for_partner(partner=partner).filter(batch__isnull=True)[:25]
    context = {
        "batches": batches,
        "tradeins": tradeins,
        "profile": selectors.business_profile(partner=partner),
        "is_owner": _is_owner(request),
    }
    return render(request, "tradein/partner/index.html", context)


@partner_member_required
def batch_new(request: PartnerRequest) -> HttpResponse:
    """Upload a device list: all rows valid, or every error by row and column and nothing saved."""
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > batch_files.MAX_BYTES:
                raise batch_files.file_too_large()
            content = batch_files.read_bounded(upload)
            if (upload.name or "").lower().endswith(".json"):
                try:
                    parsed = json.loads(decode_text(content))
                except json.JSONDecodeError as error:
                    raise ApplicationError(ErrorCode.VALIDATION, f"The file is not valid JSON: {error}.") from None
                rows = batch_files.parse_json(parsed)
            else:
                rows = batch_files.parse_csv(content)
            batch = batch_quote_create(
                partner=_partner(request),
                actor=_actor(request),
                rows=rows,
                partner_reference=form.cleaned_data["reference"],
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
            errors = error.errors
        else:
            messages.success(request, _("Your batch quote is ready: check it, then accept it."))
            return redirect("tradein_partner:batch", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "errors": errors[:200], "more_errors": max(0, len(errors) - 200)}
    return render(request, "tradein/partner/batch_new.html", context, status=status)


@partner_member_required
def template_csv(request: PartnerRequest) -> HttpResponse:
    response = HttpResponse(batch_files.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="encore-trade-in-batch.csv"'
    return response


@partner_member_required
def batch_detail(request: PartnerRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    partner = _partner(request)
    wanted = request.GET.get("status") or ""
    devices = selectors.batch_devices(batch)
    if wanted in TradeInStatus.values:
        devices = devices.filter(status=wanted)
    page = Paginator(devices, DEVICES_PER_PAGE).get_page(request.GET.get("page"))
    counter_offered = list(selectors.batch_devices(batch).filter(status=TradeInStatus.COUNTER_OFFERED))
    progress = selectors.batch_progress(batch)
    context = {
        "batch": batch,
        "page": page,
        "status_filter": wanted,
        "statuses": [(value, label, progress.get(value, 0)) for value, label in TradeInStatus.choices],
        "progress": progress,
        "paid_count": progress.get(TradeInStatus.PAID, 0) + progress.get(TradeInStatus.ROUTED, 0),
        "counter_offered": counter_offered,
        "expired": batch_is_expired(batch),
        "accept_form": BatchAcceptForm(currency=batch.currency) if batch.status == BatchStatus.QUOTED else None,
        "sender": business_sender(partner),
        "is_owner": _is_owner(request),
        "parcels": list(batch.parcels.all()),
        "has_certificates": selectors.batch_devices(batch).filter(certificate__isnull=False).exists(),
        "has_paid": selectors.batch_devices(batch).filter(payout__status__in=["credited", "sent"]).exists(),
    }
    return render(request, "tradein/partner/batch.html", context)


@require_POST
@partner_member_required
def batch_accept_view(request: PartnerRequest, pk: int) -> HttpResponse:
    require_partner_owner(request)
    batch = _batch(request, pk)
    form = BatchAcceptForm(request.POST, currency=batch.currency)
    if not form.is_valid():
        messages.error(request, _("Choose how Encore pays you."))
        return redirect("tradein_partner:batch", pk=batch.pk)
    data = form.cleaned_data
    try:
        batch_accept(
            batch=batch,
            actor=_actor(request),
            payout=PayoutChoice(
                method=data["payout_method"], iban=data.get("iban", ""), account_holder=data.get("account_holder", "")
            ),
        )
    except ApplicationError as error:
        details = " ".join(item["message"] for item in error.errors if item.get("field", "").startswith("payout"))
        messages.error(request, f"{error.message} {details}".strip())
    else:
        messages.success(request, _("Accepted. Print the parcels' labels and send them within 21 days."))
    return redirect("tradein_partner:batch", pk=batch.pk)


@require_POST
@partner_member_required
def batch_counter_offers_view(request: PartnerRequest, pk: int) -> HttpResponse:
    """Every counter-offer of the batch answered at once: one radio per device (accept or decline)."""
    require_partner_owner(request)
    batch = _batch(request, pk)
    decisions: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("answer-") and key[7:].isdigit() and value in ("accept", "decline"):
            decisions[int(key[7:])] = value
    try:
        answered = batch_counter_offers_answer(batch=batch, actor=_actor(request), decisions=decisions)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Answered: %(accepted)s accepted (paid), %(declined)s declined (sent back).")
            % {"accepted": len(answered["accept"]), "declined": len(answered["decline"])},
        )
    return redirect("tradein_partner:batch", pk=batch.pk)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@partner_member_required
def batch_labels(request: PartnerRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status != BatchStatus.ACCEPTED:
        raise Http404("No labels before the batch is accepted")
    return _pdf(batch_labels_pdf(batch), f"labels-{batch.reference}.pdf")


@partner_member_required
def batch_report(request: PartnerRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return _pdf(batch_report_pdf(batch), f"report-{batch.reference}.pdf")


@partner_member_required
def batch_credit_note(request: PartnerRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    pdf = batch_credit_note_pdf(batch)
    if pdf is None:
        raise Http404("No device paid yet")
    return _pdf(pdf, f"credit-note-{credit_note_number(batch)}.pdf")


@partner_member_required
def batch_certificates(request: PartnerRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    archive = batch_certificates_zip(batch)
    if archive is None:
        raise Http404("No device wiped yet")
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"erasure-certificates-{batch.reference}.zip",
        content_type="application/zip",
    )


@partner_member_required
def batch_devices_csv(request: PartnerRequest, pk: int) -> HttpResponse:
    """The packing list and the follow-up in one: every device with its parcel, status and prices."""
    batch = _batch(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["trade_in", "parcel", "product", "variant", "identifier", "declared", "status", "offer", "final"])
    for device in selectors.batch_devices(batch).iterator(chunk_size=1000):
        writer.writerow(
            [
                device.reference,
                device.parcel.number if device.parcel else "",
                spreadsheet_safe(device.product.slug),
                device.variant_id,
                spreadsheet_safe(device.declared_identifier),
                device.declared_condition,
                device.status,
                device.offer.decimal,
                device.final_price.decimal if device.final_price is not None else "",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="devices-{batch.reference}.csv"'
    return response


@partner_member_required
def details(request: PartnerRequest) -> HttpResponse:
    """The company's business details: the sender of its parcels and the contact for its batches."""
    partner = _partner(request)
    profile = selectors.business_profile(partner=partner)
    initial = (
        {
            name: getattr(profile, name)
            for name in ("company_name", "contact_name", "email", "phone", "address_line", "postal_code", "city")
        }
        if profile
        else {"company_name": partner.name}
    )
    form = BusinessProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_partner_owner(request)
        if form.is_valid():
            try:
                business_profile_set(partner=partner, actor=_actor(request), values=form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Business details saved."))
                return redirect("tradein_partner:index")
    return render(
        request,
        "tradein/partner/details.html",
        {"form": form, "is_owner": _is_owner(request), "country": partner.country.upper(), "now": timezone.now()},
        status=400 if request.method == "POST" else 200,
    )
