"""Success console pages about seller performance: search across every seller, scoring on demand, the
score formula's versions, payout measures, and the confirmation before a termination."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.states import ListingStatus
from marketplace.access import success_manager_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.requests import AuthenticatedRequest
from orders.models import PayoutMeasure, SellerOrder
from orders.services.measures import payout_deferral_place, payout_measure_lift, payout_retainer_place
from orders.states import SellerOrderStatus
from sellers.forms import ScoreFormulaForm, TerminationForm
from sellers.models import ScoreFormula, Seller
from sellers.selectors.performance import score_formula_current, sellers_search
from sellers.services.caps import seller_listing_cap_lift
from sellers.services.formula import FORMULA_FIELDS, score_formula_publish
from sellers.services.lifecycle import DECISIONS_BY_STATUS, TERMINATION_NOTICE, seller_terminate
from sellers.services.performance import seller_score_now
from sellers.states import IMMEDIATE_TERMINATION_GROUNDS, LadderStep, SellerStatus
from sellers.tasks import sellers_score_task
from sellers.views import add_service_errors

PAGE_SIZE = 50


@success_manager_required
def seller_search(request: AuthenticatedRequest) -> HttpResponse:
    """Every seller, whatever its status, by name, slug, VAT id or contact e-mail."""
    params = {key: request.GET.get(key, "").strip() for key in ("q", "status", "step")}
    sellers = sellers_search(query=params["q"], status=params["status"], step=params["step"])
    page = Paginator(sellers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "params": params,
        "statuses": SellerStatus.choices,
        "steps": LadderStep.choices,
        "query_string": request.GET.copy(),
    }
    return render(request, "console/sellers.html", context)


@require_POST
@success_manager_required
def seller_score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Score one seller now (its history row for today, its catalog score, the ladder)."""
    seller = get_object_or_404(Seller.objects.select_related("organisation"), pk=pk)
    run = seller_score_now(seller=seller, actor=Actor.for_user(request.user))
    seller.refresh_from_db()
    if seller.score is None:
        messages.success(
            request,
            _("Scored: %(seller)s has no score yet (too few units delivered).") % {"seller": seller.organisation.name},
        )
    else:
        messages.success(
            request,
            _("Scored: %(seller)s has a score of %(score)d (formula v%(version)d).")
            % {"seller": seller.organisation.name, "score": seller.score, "version": run.formula_version},
        )
    return redirect("console:seller", pk=seller.pk)


@require_POST
@success_manager_required
def sellers_score_all(request: AuthenticatedRequest) -> HttpResponse:
    """Queue a scoring run of every seller now (the daily job, on the scoring queue)."""
    transaction.on_commit(lambda: sellers_score_task.delay())
    messages.success(
        request, _("Scoring of every seller has started; the scores and the queues update within a minute.")
    )
    return redirect("console:dashboard")


@success_manager_required
def seller_terminate_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Confirm a termination: what it does, its ground and the statement of reasons, then the decision."""
    seller = get_object_or_404(Seller.objects.select_related("organisation", "home_market"), pk=pk)
    if "terminate" not in DECISIONS_BY_STATUS.get(seller.status, ()) or seller.terminates_at is not None:
        messages.error(request, _("This seller cannot be terminated in its current status."))
        return redirect("console:seller", pk=seller.pk)
    form = TerminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seller = seller_terminate(
                seller=seller,
                actor=Actor.for_user(request.user),
                reason=form.cleaned_data["reason"],
                ground=form.cleaned_data["ground"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            if seller.status == SellerStatus.TERMINATED:
                messages.success(request, _("%(seller)s is terminated.") % {"seller": seller.organisation.name})
            else:
                messages.success(
                    request,
                    _("Notice of termination given to %(seller)s: it takes effect on %(date)s.")
                    % {"seller": seller.organisation.name, "date": seller.terminates_at.date().isoformat()},  # type: ignore[union-attr]
                )
            return redirect("console:seller", pk=seller.pk)
    open_orders = SellerOrder.objects.filter(
        seller=seller.organisation,
        status__in=[SellerOrderStatus.PAID, SellerOrderStatus.ACCEPTED, SellerOrderStatus.SHIPPED],
    ).count()
    listings = seller.organisation.listings.exclude(status=ListingStatus.DEACTIVATED).count()
    context = {
        "seller": seller,
        "form": form,
        "open_orders": open_orders,
        "listings": listings,
        "notice_ends": timezone.now() + TERMINATION_NOTICE,
        "immediate_grounds": sorted(IMMEDIATE_TERMINATION_GROUNDS),
    }
    return render(request, "console/seller_terminate.html", context, status=400 if form.errors else 200)


@require_POST
@success_manager_required
def seller_measures(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Place a payout retainer or defer payouts (orders' services), or lift one; each with a reason."""
    seller = get_object_or_404(Seller.objects.select_related("organisation"), pk=pk)
    actor = Actor.for_user(request.user)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if action == "retainer":
            percent = int(request.POST.get("percent", "0") or 0)
            days = int(request.POST.get("days", "90") or 90)
            payout_retainer_place(
                seller=seller.organisation,
                basis_points=percent * 100,
                until=timezone.now() + timedelta(days=days),
                reason=reason,
                actor=actor,
            )
            messages.success(
                request, _("Payout retainer placed: %(percent)d %% of each sale, held 60 days.") % {"percent": percent}
            )
        elif action == "deferral":
            until = date.fromisoformat(request.POST.get("until", ""))
            payout_deferral_place(seller=seller.organisation, until=until, reason=reason, actor=actor)
            messages.success(request, _("Payouts deferred until %(date)s.") % {"date": until.isoformat()})
        elif action == "lift":
            measure = get_object_or_404(PayoutMeasure, pk=request.POST.get("measure", "0"), seller=seller.organisation)
            payout_measure_lift(measure=measure, reason=reason, actor=actor)
            messages.success(request, _("Measure lifted."))
        else:
            messages.error(request, _("Unknown action."))
    except (ValueError, TypeError):
        messages.error(request, _("Enter a whole percentage, a number of days and a date (YYYY-MM-DD)."))
    except ApplicationError as error:
        messages.error(request, "; ".join(e["message"] for e in error.errors) or error.message)
    return redirect("console:seller", pk=seller.pk)


@require_POST
@success_manager_required
def seller_cap_lift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Lift the listing cap kept on at a reinstatement before its date, with a reason."""
    seller = get_object_or_404(Seller.objects.select_related("organisation"), pk=pk)
    try:
        seller = seller_listing_cap_lift(
            seller=seller, actor=Actor.for_user(request.user), reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if seller.ladder_step == LadderStep.CAP:
            messages.success(
                request, _("Cap lifted; the seller's score still caps it until the score is back above the threshold.")
            )
        else:
            messages.success(request, _("Listing cap lifted: the seller may publish new listings without a daily cap."))
    return redirect("console:seller", pk=seller.pk)


def _formula_labels() -> dict[str, str]:
    return {name: str(ScoreFormula._meta.get_field(name).verbose_name) for name in FORMULA_FIELDS}


@success_manager_required
def score_formula(request: AuthenticatedRequest) -> HttpResponse:
    """The current formula and its versions; publishing a new version (never an edit in place)."""
    current = score_formula_current()
    initial: dict[str, Any] = model_to_dict(current, fields=list(FORMULA_FIELDS))
    form = ScoreFormulaForm(request.POST or None, initial=initial, field_labels=_formula_labels())
    if request.method == "POST" and form.is_valid():
        try:
            published = score_formula_publish(
                actor=Actor.for_user(request.user),
                values={name: form.cleaned_data[name] for name in FORMULA_FIELDS},
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(version)d published: the next scoring run uses it.") % {"version": published.version},
            )
            return redirect("console:score_formula")
    versions = ScoreFormula.objects.select_related("created_by").order_by("-version")[:20]
    return render(
        request,
        "console/score_formula.html",
        {"form": form, "current": current, "versions": versions},
        status=400 if form.errors else 200,
    )
