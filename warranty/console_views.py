"""Success console after-sales pages (mounted at /console/): the escalation queue and a claim's whole file
with the decision (repair, replace, refund, or reject what the warranty does not cover, with a reason),
the review moderation queue (hide with a reason, or keep), and carrier scans recorded by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import success_manager_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.requests import AuthenticatedRequest
from marketplace.uploads import add_oversized_upload_errors
from warranty import selectors
from warranty.forms import DecisionForm, MessageForm, ModerationForm, ScanForm, add_service_errors
from warranty.models import Review
from warranty.services import claims as claim_services
from warranty.services.labels import carrier_scan_record
from warranty.services.reviews import review_moderate
from warranty.states import ClaimStatus, MessageAuthor, ScanSource
from warranty.views import private_file


@success_manager_required
def claim_queue(request: AuthenticatedRequest) -> HttpResponse:
    claims = list(selectors.claim_queue_for_managers()[:200])
    return render(request, "warranty/console/claims.html", {"claims": claims, "now": timezone.now()})


def _claim_page(request: AuthenticatedRequest, pk: int, **forms: Any) -> HttpResponse:
    claim = selectors.claim_get_for_manager(id=pk)
    allowed = selectors.claim_allowed_resolutions(claim) if claim.status == ClaimStatus.ESCALATED else frozenset()
    context = {
        "claim": claim,
        "timeline": selectors.claim_timeline(claim),
        "time_zone": claim.market.time_zone,
        "position": selectors.claim_position(claim),
        "history": selectors.claim_unit_history(claim),
        "allowed": allowed,
        "decision_form": forms.get("decision_form") or DecisionForm(allowed=allowed),
        "message_form": forms.get("message_form") or MessageForm(),
    }
    return render(request, "warranty/console/claim.html", context, status=400 if forms else 200)


@success_manager_required
def claim_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _claim_page(request, pk)


@require_POST
@success_manager_required
def claim_decide_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get_for_manager(id=pk)
    form = DecisionForm(request.POST, allowed=selectors.claim_allowed_resolutions(claim))
    if form.is_valid():
        try:
            claim = claim_services.claim_decide(
                claim=claim,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decided: %(status)s.") % {"status": claim.get_status_display()})
            return redirect("console_warranty:claim", pk=claim.pk)
    return _claim_page(request, pk, decision_form=form)


@require_POST
@success_manager_required
def claim_message_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get_for_manager(id=pk)
    form = MessageForm(request.POST, request.FILES)
    form.is_valid()
    add_oversized_upload_errors(request, form)
    if form.is_valid():
        try:
            claim_services.claim_message_post(
                claim=claim,
                role=MessageAuthor.MANAGER,
                actor=Actor.for_user(request.user),
                body=form.cleaned_data["message"],
                photos=form.cleaned_data["photos"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Message sent to the customer and the seller."))
            return redirect("console_warranty:claim", pk=claim.pk)
    return _claim_page(request, pk, message_form=form)


@success_manager_required
def claim_photo(request: AuthenticatedRequest, pk: int, photo: int) -> HttpResponse:
    claim = selectors.claim_get_for_manager(id=pk)
    return private_file(selectors.claim_photo_get(claim=claim, photo_id=photo))


# --- reviews ----------------------------------------------------------------------------------------------
@success_manager_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    reviews = list(selectors.review_reports_queue()[:100])
    return render(request, "warranty/console/reviews.html", {"reviews": reviews, "form": ModerationForm()})


@require_POST
@success_manager_required
def review_moderate_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = Review.objects.select_related("seller").filter(pk=pk).first()
    if review is None:
        messages.error(request, _("This review no longer exists."))
        return redirect("console_warranty:reviews")
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            review_moderate(
                review=review,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if form.cleaned_data["decision"] == "hide":
                messages.success(request, _("Review hidden; the seller's rating no longer counts it."))
            else:
                messages.success(request, _("Review kept; its reports are closed."))
    else:
        messages.error(request, _("Choose hide or keep."))
    return redirect("console_warranty:reviews")


# --- carrier scans by hand ------------------------------------------------------------------------------------
@success_manager_required
def scan_record(request: AuthenticatedRequest) -> HttpResponse:
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        occurred_at = form.cleaned_data["occurred_at"] or timezone.now()
        try:
            scan = carrier_scan_record(
                tracking_number=form.cleaned_data["tracking_number"],
                status=form.cleaned_data["status"],
                occurred_at=min(occurred_at, timezone.now()),
                event_id=f"manual-{request.user.pk}-{timezone.now().timestamp()}",
                source=ScanSource.MANUAL,
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            if scan is not None and scan.label_id is None:
                messages.warning(request, _("Recorded, but no after-sales label has this tracking number."))
            else:
                messages.success(request, _("Scan recorded."))
            return redirect("console_warranty:scans")
    return render(request, "warranty/console/scans.html", {"form": form})
