"""Success console pages (/console/): queues, the seller review page, decisions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import success_manager_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.requests import AuthenticatedRequest
from orders.models import SellerPayoutAccount
from orders.selectors import seller_disputes
from orders.services.connect import payout_account_state
from orders.services.measures import payout_measures_live, retained_balance
from sellers import selectors
from sellers.forms import DecisionForm
from sellers.models import Seller
from sellers.performance_views import performance_context
from sellers.selectors.metrics import window_of
from sellers.selectors.performance import performance_evidence, performance_get, sellers_suspended_by_score
from sellers.services.lifecycle import DECISIONS_BY_STATUS, seller_decide
from sellers.states import SellerStatus
from warranty.selectors import seller_feedback


@success_manager_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "counts": selectors.queue_counts(),
        "applications": selectors.seller_queue(status=SellerStatus.APPLIED)[:50],
        "under_review": selectors.seller_queue(status=SellerStatus.UNDER_REVIEW)[:50],
        "suspended": selectors.seller_queue(status=SellerStatus.SUSPENDED).exclude(ladder_step="suspended")[:50],
        "by_score": sellers_suspended_by_score()[:50],
    }
    return render(request, "console/dashboard.html", context)


@success_manager_required
def seller_review(request: AuthenticatedRequest, pk: int, form: DecisionForm | None = None) -> HttpResponse:
    seller = get_object_or_404(Seller.objects.select_related("organisation", "home_market"), pk=pk)
    performance = performance_get(seller=seller)
    window = performance.window or window_of(timezone.now().date(), performance.formula.window_days)
    context = {
        "seller": seller,
        "documents": seller.documents.all(),
        "members": seller.organisation.memberships.select_related("user").order_by("role", "user__email"),
        "probation": selectors.probation_progress(seller),
        "listing_counts": selectors.listing_counts(seller),
        "sales": selectors.sales_summary(seller),
        "feedback": seller_feedback(seller=seller.organisation),
        "history": selectors.seller_audit_history(seller),
        "decisions": DECISIONS_BY_STATUS.get(seller.status, ()),
        "form": form or DecisionForm(),
        **performance_context(performance),
        "evidence": performance_evidence(seller=seller, window=window),
        "measures": list(payout_measures_live(seller=seller.organisation).order_by("kind", "pk")),
        "retained": retained_balance(seller=seller.organisation),
        "disputes": list(seller_disputes(seller=seller.organisation)[:20]),
        "payout_account_state": payout_account_state(
            SellerPayoutAccount.objects.filter(seller=seller.organisation).first()
        ),
    }
    return render(request, "console/seller_review.html", context, status=400 if form is not None else 200)


@require_POST
@success_manager_required
def seller_decide_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seller = get_object_or_404(Seller.objects.select_related("organisation"), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "terminate":
                # A termination is confirmed on its own page, with its ground and statement of reasons.
                return redirect("console:seller_terminate", pk=seller.pk)
            seller_decide(
                seller=seller,
                decision=form.cleaned_data["decision"],
                actor=Actor.for_user(request.user),
                reason=form.cleaned_data["reason"],
                keep_cap=form.cleaned_data["keep_cap"],
            )
        except ApplicationError as error:
            form.add_error("reason" if any(e["field"] == "reason" for e in error.errors) else None, error.message)
        else:
            messages.success(
                request,
                _("%(seller)s is now %(status)s.")
                % {"seller": seller.organisation.name, "status": seller.get_status_display()},
            )
            return redirect("console:seller", pk=seller.pk)
    return seller_review(request, pk, form=form)
