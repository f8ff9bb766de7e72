"""Storefront after-sales pages: the shopper's warranties, claims, returns and reviews; a seller's public
reviews; the signed carrier-events endpoint.

Views are thin: they scope to the logged-in shopper (another's object is a 404), check the form's shape,
call one service with an `Actor`, and show the service's refusal next to the field it names.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalog.markets import current_market
from catalog.selectors.reference import categories_tree, markets_active
from marketplace.actors import Actor
from marketplace.api.errors import problem_json_response
from marketplace.errors import ApplicationError
from marketplace.requests import AuthenticatedRequest
from marketplace.signatures import signature_verify
from marketplace.uploads import add_oversized_upload_errors
from warranty import selectors
from warranty.forms import ClaimForm, DisputeForm, MessageForm, ReportForm, ReturnForm, ReviewForm, add_service_errors
from warranty.hooks import unit_history_links
from warranty.models import ClaimPhoto
from warranty.services import claims as claim_services
from warranty.services import returns as return_services
from warranty.services.claims import Claimant
from warranty.services.labels import carrier_scan_record, label_pdf
from warranty.services.reviews import review_report, review_submit
from warranty.states import ClaimStatus, MessageAuthor, ScanSource

logger = logging.getLogger(__name__)


def _store(request: HttpRequest, **context: Any) -> dict[str, Any]:
    return {
        "market": current_market(request),
        "markets": markets_active(),
        "nav_categories": categories_tree(),
        **context,
    }


def private_file(photo: ClaimPhoto) -> FileResponse:
    """A claim photo for someone allowed to see it: an attachment, never sniffed, never a page."""
    extension = photo.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        photo.file.open("rb"),
        content_type=photo.content_type,
        as_attachment=True,
        filename=f"photo-{photo.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=300"
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- warranties and claims ------------------------------------------------------------------------------
@login_required
def account_warranties(request: AuthenticatedRequest) -> HttpResponse:
    warranties = list(selectors.warranty_list_for_shopper(shopper=request.user)[:200])
    # A unit refurbished on Encore's workshop board has its record (its checks and repairs before the sale).
    for answer in unit_history_links.collect(warranties=warranties):
        for warranty in warranties:
            if warranty.pk in answer:
                warranty.history_url = answer[warranty.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "warranty/account_warranties.html",
        _store(request, warranties=warranties, today=timezone.localdate(), now=timezone.now()),
    )


@login_required
def claim_new(request: AuthenticatedRequest, warranty_id: int) -> HttpResponse:
    warranty = selectors.warranty_get_for_shopper(shopper=request.user, id=warranty_id)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        form.is_valid()
        add_oversized_upload_errors(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_services.claim_open(
                line=warranty.line,
                identifier=warranty.identifier,
                claimant=Claimant(shopper=request.user),
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                photos=form.cleaned_data["photos"],
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your claim is open. The seller answers within 2 business days."))
            return redirect("warranty:account_claim", pk=claim.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "warranty/claim_new.html", _store(request, warranty=warranty, form=form), status=status)


@login_required
def account_claims(request: AuthenticatedRequest) -> HttpResponse:
    claims = list(selectors.claim_list_for_shopper(shopper=request.user)[:100])
    returns = list(selectors.return_list_for_shopper(shopper=request.user)[:100])
    return render(request, "warranty/account_claims.html", _store(request, claims=claims, returns=returns))


def _claim_page(request: AuthenticatedRequest, pk: int, **forms: Any) -> HttpResponse:
    claim = selectors.claim_get_for_shopper(shopper=request.user, id=pk)
    context = _store(
        request,
        claim=claim,
        timeline=selectors.claim_timeline(claim),
        message_form=forms.get("message_form") or MessageForm(),
        dispute_form=forms.get("dispute_form") or DisputeForm(),
        time_zone=claim.market.time_zone,
    )
    return render(request, "warranty/account_claim.html", context, status=400 if forms else 200)


@login_required
def account_claim(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _claim_page(request, pk)


@login_required
@require_POST
def account_claim_action(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    claim = selectors.claim_get_for_shopper(shopper=request.user, id=pk)
    actor = Actor.for_user(request.user)
    if action == "message":
        form = MessageForm(request.POST, request.FILES)
        form.is_valid()
        add_oversized_upload_errors(request, form)
        if form.is_valid():
            try:
                claim_services.claim_message_post(
                    claim=claim,
                    role=MessageAuthor.SHOPPER,
                    actor=actor,
                    body=form.cleaned_data["message"],
                    photos=form.cleaned_data["photos"],
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Message sent."))
                return redirect("warranty:account_claim", pk=claim.pk)
        return _claim_page(request, pk, message_form=form)
    if action == "dispute":
        dispute = DisputeForm(request.POST)
        if dispute.is_valid():
            try:
                claim_services.claim_dispute(claim=claim, actor=actor, message=dispute.cleaned_data["message"])
            except ApplicationError as error:
                add_service_errors(dispute, error)
            else:
                messages.success(request, _("Encore's team takes your claim over and will write to you here."))
                return redirect("warranty:account_claim", pk=claim.pk)
        return _claim_page(request, pk, dispute_form=dispute)
    if action == "accept":
        try:
            claim = claim_services.claim_accept(claim=claim, actor=actor)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if claim.status == ClaimStatus.IN_REPAIR:
                messages.success(request, _("Accepted. Print your prepaid label and send the unit."))
            else:
                messages.success(request, _("Accepted. Your refund is on its way."))
        return redirect("warranty:account_claim", pk=claim.pk)
    return redirect("warranty:account_claim", pk=claim.pk)


@login_required
def account_claim_label(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get_for_shopper(shopper=request.user, id=pk)
    label = getattr(claim, "label", None)
    if label is None:
        messages.info(request, _("The label is issued once a repair or a replacement starts."))
        return redirect("warranty:account_claim", pk=claim.pk)
    return pdf_response(label_pdf(label=label), f"encore-repair-label-{claim.reference}.pdf")


@login_required
def account_claim_photo(request: AuthenticatedRequest, pk: int, photo: int) -> HttpResponse:
    claim = selectors.claim_get_for_shopper(shopper=request.user, id=pk)
    return private_file(selectors.claim_photo_get(claim=claim, photo_id=photo))


# --- returns ------------------------------------------------------------------------------------------------
@login_required
def return_new(request: AuthenticatedRequest, number: str, seller_order_id: int) -> HttpResponse:
    choice = selectors.return_choice_for_shopper(shopper=request.user, number=number, seller_order_id=seller_order_id)
    units = [
        (item.unit.pk, f"{item.line.product_name} · {item.unit.identifier}")
        for item in choice.units
        if not item.blocked_by
    ]
    form = ReturnForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        chosen = [item.unit for item in choice.units if item.unit.pk in form.cleaned_data["units"]]
        try:
            ret = return_services.return_open(
                seller_order=choice.seller_order,
                units=chosen,
                reason=form.cleaned_data["reason"],
                buyer=Claimant(shopper=request.user),
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your return is authorised. Print the prepaid label and send the parcel."))
            return redirect("warranty:account_return", pk=ret.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "warranty/return_new.html",
        _store(request, choice=choice, form=form, time_zone=choice.seller_order.order.market.time_zone),
        status=status,
    )


@login_required
def account_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ret = selectors.return_get_for_shopper(shopper=request.user, id=pk)
    return render(request, "warranty/account_return.html", _store(request, ret=ret, time_zone=ret.market.time_zone))


@login_required
def account_return_label(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ret = selectors.return_get_for_shopper(shopper=request.user, id=pk)
    return pdf_response(label_pdf(label=ret.label), f"encore-return-label-{ret.reference}.pdf")


@login_required
@require_POST
def account_return_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ret = selectors.return_get_for_shopper(shopper=request.user, id=pk)
    try:
        return_services.return_cancel(ret=ret, actor=Actor.for_user(request.user))
    except ApplicationError:
        messages.error(request, _("This return can no longer be cancelled: the seller has received it."))
    else:
        messages.success(request, _("Return cancelled: you keep the units."))
    return redirect("warranty:account_return", pk=ret.pk)


# --- reviews --------------------------------------------------------------------------------------------------
@login_required
def account_review(request: AuthenticatedRequest, line_id: int) -> HttpResponse:
    line, review = selectors.review_for_line(shopper=request.user, line_id=line_id)
    initial = (
        {"seller_stars": review.seller_stars, "unit_stars": review.unit_stars, "text": review.text} if review else {}
    )
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review_submit(
                line=line,
                shopper=request.user,
                seller_stars=form.cleaned_data["seller_stars"],
                unit_stars=form.cleaned_data["unit_stars"],
                text=form.cleaned_data["text"],
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your review is published."))
            return redirect("warranty:account_review", line_id=line.pk)
    editable = review is None or timezone.now() <= review.editable_until
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "warranty/account_review.html",
        _store(request, line=line, review=review, form=form, editable=editable),
        status=status,
    )


def seller_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    """A seller's public reviews with its replies; anyone logged in may report one."""
    seller, reviews = selectors.reviews_public_for_seller(slug=slug)
    page = Paginator(reviews, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "warranty/seller_reviews.html",
        _store(request, seller=seller, page=page, report_form=ReportForm()),
    )


@require_POST
@login_required
def review_report_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = selectors.review_public_get(id=pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        review_report(
            review=review,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            actor=Actor.for_user(request.user),
        )
        messages.success(request, _("Thank you: Encore's team will look at this review."))
    else:
        messages.error(request, _("Choose why you report this review."))
    return redirect("warranty:seller_reviews", slug=review.seller.slug)


# --- carrier events ------------------------------------------------------------------------------------------
SIGNATURE_HEADER = "Encore-Carrier-Signature"


@csrf_exempt
@require_POST
def carrier_events(request: HttpRequest) -> HttpResponse:
    """A carrier's scan events, signed: `Encore-Carrier-Signature: t=<unix>,v1=<hex hmac_sha256(secret,
    "<t>.<body>")>`, within 5 minutes. Body: `{"id", "tracking_number", "status": "in_transit"|"delivered",
    "occurred_at": ISO 8601}` or `{"events": [...]}`. Each event id acts once (a replay answers 200,
    changing nothing). 400 for a bad signature or body; never a 500 for bad input."""
    if not signature_verify(
        header=request.headers.get(SIGNATURE_HEADER, ""), body=request.body, secrets=settings.CARRIER_WEBHOOK_SECRETS
    ):
        return problem_json_response(400, "signature-invalid", "The signature is missing, wrong or too old.")
    try:
        payload = json.loads(request.body)
        events = payload["events"] if isinstance(payload, dict) and "events" in payload else [payload]
        parsed = [_parse_event(event) for event in events]
    except (ValueError, KeyError, TypeError) as error:
        return problem_json_response(400, "validation-error", f"Malformed event: {error}")
    actor = Actor.system("carrier")
    recorded = 0
    with transaction.atomic():
        for event_id, tracking, status, occurred_at in parsed:
            try:
                scan = carrier_scan_record(
                    tracking_number=tracking,
                    status=status,
                    occurred_at=occurred_at,
                    event_id=event_id,
                    source=ScanSource.CARRIER,
                    actor=actor,
                )
            except ApplicationError as error:
                return problem_json_response(400, error.code.value, error.message)
            recorded += scan is not None
    return JsonResponse({"received": len(parsed), "recorded": recorded})


def _parse_event(event: Any) -> tuple[str, str, str, datetime]:
    if not isinstance(event, dict):
        raise TypeError("an event is an object")
    event_id, tracking, status = str(event["id"]), str(event["tracking_number"]), str(event["status"])
    if not event_id or not tracking or len(event_id) > 100 or len(tracking) > 40:
        raise ValueError("id and tracking_number are 1-100 and 1-40 characters")
    if status not in ("in_transit", "delivered"):
        raise ValueError("status is in_transit or delivered")
    occurred_at = datetime.fromisoformat(str(event["occurred_at"]))
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at needs its UTC offset")
    return event_id, tracking, status, min(occurred_at.astimezone(UTC), timezone.now())
