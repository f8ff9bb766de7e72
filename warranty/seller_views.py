"""Seller back-office after-sales pages (mounted at /seller/): the claims inbox (filters by status and
deadline, the conversation, answers within the rule of three, unit received, repaired or replaced), the
returns inbox (mark received: the refund is paid) and the reviews (reply once, report abuse).

Every read is scoped to the acting seller (`warranty.selectors`): another seller's object is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.access import seller_member_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import Organisation
from marketplace.requests import SellerRequest
from marketplace.uploads import add_oversized_upload_errors
from warranty import selectors
from warranty.forms import MessageForm, ReplyForm, ReportForm, ResolveForm, RespondForm, add_service_errors
from warranty.services import claims as claim_services
from warranty.services import returns as return_services
from warranty.services.reviews import review_reply, review_report
from warranty.states import ClaimStatus, MessageAuthor, Resolution, ReturnStatus, ReviewStatus
from warranty.views import private_file

CLAIM_TABS = [
    ("", gettext_lazy("All")),
    (ClaimStatus.OPENED, gettext_lazy("To answer")),
    (ClaimStatus.ANSWERED, gettext_lazy("Awaiting the customer")),
    (ClaimStatus.IN_REPAIR, gettext_lazy("In repair")),
    (ClaimStatus.ESCALATED, gettext_lazy("With Encore")),
    (ClaimStatus.RESOLVED, gettext_lazy("Resolved")),
    (ClaimStatus.CLOSED, gettext_lazy("Closed")),
]
DEADLINE_CHOICES = [
    ("", gettext_lazy("Any deadline")),
    ("overdue", gettext_lazy("Overdue")),
    ("today", gettext_lazy("Due today")),
    ("soon", gettext_lazy("Due within 2 days")),
]


def _seller(request: SellerRequest) -> Organisation:
    return request.seller_membership.organisation


@seller_member_required
def claim_list(request: SellerRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ClaimStatus.values else ""
    deadline = request.GET.get("deadline", "")
    deadline = deadline if deadline in selectors.DEADLINE_FILTERS else ""
    claims = list(
        selectors.claim_list_for_seller(seller=_seller(request), status=status or None, deadline=deadline or None)[:100]
    )
    return render(
        request,
        "warranty/seller/claims.html",
        {"claims": claims, "status": status, "deadline": deadline, "tabs": CLAIM_TABS, "deadlines": DEADLINE_CHOICES},
    )


def _claim_page(request: SellerRequest, pk: int, **forms: Any) -> HttpResponse:
    claim = selectors.claim_get_for_seller(seller=_seller(request), id=pk)
    allowed = selectors.claim_allowed_resolutions(claim) if claim.status == ClaimStatus.OPENED else frozenset()
    context = {
        "claim": claim,
        "timeline": selectors.claim_timeline(claim),
        "time_zone": claim.market.time_zone,
        "position": selectors.claim_position(claim),
        "allowed": allowed,
        "respond_form": forms.get("respond_form") or RespondForm(allowed=allowed),
        "message_form": forms.get("message_form") or MessageForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "history": selectors.claim_unit_history(claim),
    }
    return render(request, "warranty/seller/claim.html", context, status=400 if forms else 200)


@seller_member_required
def claim_detail(request: SellerRequest, pk: int) -> HttpResponse:
    return _claim_page(request, pk)


@seller_member_required
@require_POST
def claim_action(request: SellerRequest, pk: int, action: str) -> HttpResponse:
    claim = selectors.claim_get_for_seller(seller=_seller(request), id=pk)
    actor = Actor.for_user(request.user)
    if action == "respond":
        allowed = selectors.claim_allowed_resolutions(claim)
        form = RespondForm(request.POST, allowed=allowed)
        if form.is_valid():
            try:
                claim_services.claim_respond(
                    claim=claim,
                    resolution=form.cleaned_data["resolution"],
                    message=form.cleaned_data["message"],
                    actor=actor,
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Answer sent. The customer has 7 days to accept or dispute it."))
                return redirect("seller_warranty:claim", pk=claim.pk)
        return _claim_page(request, pk, respond_form=form)
    if action == "message":
        message_form = MessageForm(request.POST, request.FILES)
        message_form.is_valid()
        add_oversized_upload_errors(request, message_form)
        if message_form.is_valid():
            try:
                claim_services.claim_message_post(
                    claim=claim,
                    role=MessageAuthor.SELLER,
                    actor=actor,
                    body=message_form.cleaned_data["message"],
                    photos=message_form.cleaned_data["photos"],
                )
            except ApplicationError as error:
                add_service_errors(message_form, error)
            else:
                messages.success(request, _("Message sent."))
                return redirect("seller_warranty:claim", pk=claim.pk)
        return _claim_page(request, pk, message_form=message_form)
    if action == "unit-received":
        try:
            claim_services.claim_unit_received(claim=claim, actor=actor)
            messages.success(request, _("Unit received: the repair clock has started (5 business days)."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("seller_warranty:claim", pk=claim.pk)
    if action == "resolve":
        resolve_form = ResolveForm(request.POST)
        if resolve_form.is_valid():
            try:
                claim_services.claim_resolve(
                    claim=claim, actor=actor, identifier=resolve_form.cleaned_data["identifier"]
                )
            except ApplicationError as error:
                add_service_errors(resolve_form, error)
            else:
                if claim.resolution == Resolution.REPLACE:
                    messages.success(request, _("Replacement recorded. The customer is told."))
                else:
                    messages.success(request, _("Repair recorded. The customer is told."))
                return redirect("seller_warranty:claim", pk=claim.pk)
        return _claim_page(request, pk, resolve_form=resolve_form)
    return redirect("seller_warranty:claim", pk=claim.pk)


@seller_member_required
def claim_photo(request: SellerRequest, pk: int, photo: int) -> HttpResponse:
    claim = selectors.claim_get_for_seller(seller=_seller(request), id=pk)
    return private_file(selectors.claim_photo_get(claim=claim, photo_id=photo))


# --- returns -----------------------------------------------------------------------------------------------
@seller_member_required
def return_list(request: SellerRequest) -> HttpResponse:
    status = request.GET.get("status", ReturnStatus.OPENED)
    status = status if status in ReturnStatus.values else ReturnStatus.OPENED
    returns = list(selectors.return_list_for_seller(seller=_seller(request), status=status)[:100])
    tabs = [(value, ReturnStatus(value).label) for value in ReturnStatus.values]
    return render(request, "warranty/seller/returns.html", {"returns": returns, "status": status, "tabs": tabs})


@seller_member_required
def return_detail(request: SellerRequest, pk: int) -> HttpResponse:
    ret = selectors.return_get_for_seller(seller=_seller(request), id=pk)
    return render(request, "warranty/seller/return.html", {"ret": ret, "time_zone": ret.market.time_zone})


@seller_member_required
@require_POST
def return_receive(request: SellerRequest, pk: int) -> HttpResponse:
    ret = selectors.return_get_for_seller(seller=_seller(request), id=pk)
    try:
        return_services.return_receive(ret=ret, actor=Actor.for_user(request.user))
        messages.success(request, _("Marked received. The customer is refunded."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("seller_warranty:return", pk=ret.pk)


# --- reviews -----------------------------------------------------------------------------------------------
@seller_member_required
def review_list(request: SellerRequest) -> HttpResponse:
    seller = _seller(request)
    reviews = list(selectors.review_list_for_seller(seller=seller)[:100])
    return render(
        request,
        "warranty/seller/reviews.html",
        {
            "reviews": reviews,
            "seller": seller,
            "reply_form": ReplyForm(),
            "report_form": ReportForm(),
            "hidden": ReviewStatus.HIDDEN,
        },
    )


@seller_member_required
@require_POST
def review_reply_view(request: SellerRequest, pk: int) -> HttpResponse:
    seller = _seller(request)
    review = selectors.review_get_for_seller(seller=seller, id=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            review_reply(
                review=review, seller=seller, text=form.cleaned_data["text"], actor=Actor.for_user(request.user)
            )
            messages.success(request, _("Your reply is published under the review."))
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Write a reply of 1 to 2000 characters."))
    return redirect("seller_warranty:reviews")


@seller_member_required
@require_POST
def review_report_view(request: SellerRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for_seller(seller=_seller(request), id=pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        review_report(
            review=review,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            actor=Actor.for_user(request.user),
        )
        messages.success(request, _("Reported: Encore's team will look at it."))
    else:
        messages.error(request, _("Choose why you report this review."))
    return redirect("seller_warranty:reviews")
