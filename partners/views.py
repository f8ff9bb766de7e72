"""The partner back-office (mounted at /partner/), for members of a partner organisation.

Pages: dashboard, orders placed (list, detail), invoices and credit notes (PDF), API keys,
webhook endpoints with their delivery log (filters, attempts, redeliver, ping, secret rotation)
and the team. Every read is scoped to the acting partner (another's object is a 404); writes
call services and answer with a redirect, so that a refresh never repeats them. A new secret (API
key, webhook signing secret) rides in the session to the next page, which shows it once.
Owners manage keys, endpoints and the team; staff members see everything and may ping and
redeliver.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import partner_member_required, require_partner_owner
from marketplace.actors import Actor
from marketplace.backoffice import secret_show_once, secret_take
from marketplace.errors import ApplicationError
from marketplace.models import ApiKey, Membership, Organisation
from marketplace.requests import PartnerRequest
from marketplace.services import api_key_create, api_key_revoke, membership_remove, membership_role_set
from marketplace.tenancy import get_scoped_or_404, scope
from orders import selectors as order_selectors
from orders.states import OrderStatus
from partners import invoices, selectors
from partners.forms import (
    DeliveryFilterForm,
    EndpointForm,
    InvitationForm,
    OrderFilterForm,
    PartnerApiKeyForm,
    RoleForm,
)
from partners.models import ALL_EVENTS
from partners.services.delivery import delivery_redeliver
from partners.services.endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_ping,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)
from sellers.models import Invitation
from sellers.services.team import invitation_create
from sellers.views import add_service_errors

PAGE_SIZE = 25


def _organisation(request: PartnerRequest) -> Organisation:
    return request.partner_membership.organisation


def _actor(request: PartnerRequest) -> Actor:
    return Actor.for_user(request.user)


def _page(request: PartnerRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@partner_member_required
def dashboard(request: PartnerRequest) -> HttpResponse:
    partner = _organisation(request)
    context = {
        "figures": selectors.partner_dashboard(partner=partner),
        "recent_orders": order_selectors.partner_order_list(partner=partner).order_by("-created_at", "-id")[:5],
        "endpoints": selectors.webhook_endpoint_list(organisation=partner),
    }
    return render(request, "partner/dashboard.html", context)


# --- Orders and invoices ---------------------------------------------------------------


@partner_member_required
def order_list(request: PartnerRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    orders = order_selectors.partner_order_list(partner=_organisation(request)).order_by("-created_at", "-id")
    if form.is_valid() and form.cleaned_data["status"]:
        orders = orders.filter(status=form.cleaned_data["status"])
    return render(request, "partner/orders.html", {"form": form, "page": _page(request, orders)})


@partner_member_required
def order_detail(request: PartnerRequest, pk: int) -> HttpResponse:
    partner = _organisation(request)
    order = order_selectors.partner_order_get(partner=partner, id=pk)
    invoice_month = None
    if order.status == OrderStatus.PAID and order.paid_at is not None:
        invoice_month = order.paid_at.astimezone(selectors.partner_time_zone(partner)).date().replace(day=1)
    return render(request, "partner/order.html", {"order": order, "invoice_month": invoice_month})


@partner_member_required
def invoice_list(request: PartnerRequest) -> HttpResponse:
    partner = _organisation(request)
    context = {
        "months": selectors.invoice_months(partner=partner),
        "credit_notes": selectors.credit_notes(partner=partner)[:100],
    }
    return render(request, "partner/invoices.html", context)


def _pdf(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@partner_member_required
def invoice_pdf(request: PartnerRequest, year: int, month: int) -> HttpResponse:
    if not 1 <= month <= 12 or not 2000 <= year <= timezone.now().year + 1:
        raise Http404("No such month")
    filename, content = invoices.monthly_invoice_pdf(partner=_organisation(request), year=year, month=month)
    return _pdf(filename, content)


@partner_member_required
def credit_note_pdf(request: PartnerRequest, pk: int) -> HttpResponse:
    refund = selectors.credit_note_get(partner=_organisation(request), id=pk)
    filename, content = invoices.credit_note_pdf(refund=refund)
    return _pdf(filename, content)


# --- API keys ------------------------------------------------------------------------------


@partner_member_required
def api_keys(request: PartnerRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = PartnerApiKeyForm(request.POST or None)
    if request.method == "POST":
        require_partner_owner(request)
        if form.is_valid():
            try:
                api_key, secret = api_key_create(
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    actor=_actor(request),
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                secret_show_once(request, name="api_key", value=secret)
                messages.success(request, _("The key %(name)s is created.") % {"name": api_key.name})
                return redirect("partner:api_keys")
    keys = scope(ApiKey.objects.all(), organisation).order_by("-created_at")
    context = {"form": form, "keys": keys, "new_key": secret_take(request, name="api_key")}
    return render(request, "partner/api_keys.html", context)


@require_POST
@partner_member_required
def api_key_revoke_view(request: PartnerRequest, pk: int) -> HttpResponse:
    require_partner_owner(request)
    api_key = get_scoped_or_404(ApiKey.objects.all(), _organisation(request), pk=pk)
    api_key_revoke(api_key=api_key, actor=_actor(request), reason="revoked in the partner back-office")
    messages.success(request, _("The key %(name)s is revoked.") % {"name": api_key.name})
    return redirect("partner:api_keys")


# --- Webhooks -------------------------------------------------------------------------------


@partner_member_required
def webhooks(request: PartnerRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        require_partner_owner(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                endpoint, secret = webhook_endpoint_create(
                    organisation=organisation,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                    enabled=data["enabled"],
                    actor=_actor(request),
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                secret_show_once(request, name=f"webhook:{endpoint.pk}", value=secret)
                messages.success(request, _("The endpoint is added."))
                return redirect("partner:webhook", pk=endpoint.pk)
    context = {"form": form, "endpoints": selectors.webhook_endpoint_list(organisation=organisation)}
    return render(request, "partner/webhooks.html", context)


@partner_member_required
def webhook(request: PartnerRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    endpoint = selectors.webhook_endpoint_get(organisation=organisation, id=pk)
    initial = {
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_partner_owner(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhook_endpoint_update(
                    endpoint=endpoint,
                    actor=_actor(request),
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                    enabled=data["enabled"],
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The endpoint is saved."))
                return redirect("partner:webhook", pk=endpoint.pk)
    filters = DeliveryFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    deliveries = selectors.delivery_list(
        organisation=organisation,
        endpoint=endpoint,
        status=wanted.get("status") or None,
        event_type=wanted.get("event_type") or None,
    ).order_by("-created_at", "-id")
    context = {
        "endpoint": endpoint,
        "form": form,
        "filters": filters,
        "page": _page(request, deliveries),
        "new_secret": secret_take(request, name=f"webhook:{endpoint.pk}"),
        "all_events": ALL_EVENTS in endpoint.events,
    }
    template = "partner/partials/deliveries.html" if request.htmx else "partner/webhook.html"
    return render(request, template, context)


@require_POST
@partner_member_required
def webhook_rotate_secret(request: PartnerRequest, pk: int) -> HttpResponse:
    require_partner_owner(request)
    endpoint = selectors.webhook_endpoint_get(organisation=_organisation(request), id=pk)
    endpoint, secret = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=_actor(request))
    secret_show_once(request, name=f"webhook:{endpoint.pk}", value=secret)
    messages.success(request, _("A new secret signs from now on; the previous one keeps signing for 24 hours."))
    return redirect("partner:webhook", pk=endpoint.pk)


@require_POST
@partner_member_required
def webhook_ping(request: PartnerRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get(organisation=_organisation(request), id=pk)
    webhook_endpoint_ping(endpoint=endpoint, actor=_actor(request))
    messages.success(request, _("A ping is on its way; its delivery appears below."))
    return redirect("partner:webhook", pk=endpoint.pk)


@require_POST
@partner_member_required
def webhook_delete(request: PartnerRequest, pk: int) -> HttpResponse:
    require_partner_owner(request)
    endpoint = selectors.webhook_endpoint_get(organisation=_organisation(request), id=pk)
    webhook_endpoint_delete(endpoint=endpoint, actor=_actor(request))
    messages.success(request, _("The endpoint %(url)s is deleted.") % {"url": endpoint.url})
    return redirect("partner:webhooks")


@partner_member_required
def delivery_detail(request: PartnerRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(organisation=_organisation(request), id=pk)
    body = json.dumps(delivery.event.as_payload(), indent=2, ensure_ascii=False)
    return render(request, "partner/delivery.html", {"delivery": delivery, "body": body})


@require_POST
@partner_member_required
def delivery_redeliver_view(request: PartnerRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(organisation=_organisation(request), id=pk)
    try:
        delivery_redeliver(delivery=delivery, actor=_actor(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The delivery is queued again."))
    return redirect("partner:webhook", pk=delivery.endpoint_id)


# --- Team -----------------------------------------------------------------------------------


@partner_member_required
def team(request: PartnerRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        require_partner_owner(request)
        if form.is_valid():
            try:
                invitation_create(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    actor=_actor(request),
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("partner:team")
    members = scope(Membership.objects.select_related("user"), organisation).order_by("role", "user__email")
    invitations = scope(
        Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()), organisation
    )
    context = {"form": form, "members": members, "invitations": invitations, "role_form": RoleForm()}
    return render(request, "partner/team.html", context)


def _member(request: PartnerRequest, pk: int) -> Membership:
    return get_scoped_or_404(Membership.objects.select_related("user", "organisation"), _organisation(request), pk=pk)


@require_POST
@partner_member_required
def team_remove(request: PartnerRequest, pk: int) -> HttpResponse:
    require_partner_owner(request)
    membership = _member(request, pk)
    try:
        membership_remove(membership=membership, actor=_actor(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s no longer has access.") % {"email": membership.user.email})
    return redirect("partner:team")


@require_POST
@partner_member_required
def team_role(request: PartnerRequest, pk: int) -> HttpResponse:
    require_partner_owner(request)
    membership = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("partner:team")
    try:
        membership_role_set(membership=membership, role=form.cleaned_data["role"], actor=_actor(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {"email": membership.user.email, "role": membership.get_role_display().lower()},
        )
    return redirect("partner:team")
