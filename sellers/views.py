"""Seller back-office pages (/seller/) and the seller application."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import is_success_manager, require_owner, seller_member_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.landing import organisation_home_url
from marketplace.models import ApiKey, Membership, OrganisationKind, User
from marketplace.requests import AuthenticatedRequest, SellerRequest
from marketplace.services import api_key_create, api_key_revoke, membership_remove
from marketplace.tenancy import SESSION_KEY, acting_membership, get_scoped_or_404, scope
from marketplace.uploads import add_oversized_upload_errors
from sellers import selectors
from sellers.forms import AcceptInvitationForm, ApiKeyForm, ApplicationForm, InvitationForm
from sellers.models import Invitation, SellerDocument
from sellers.selectors import invitation_for_token, invitation_has_account
from sellers.services.applications import Application, seller_apply
from sellers.services.team import invitation_accept, invitation_create


def add_service_errors(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's field errors next to their fields (unknown fields go on top)."""
    if not error.errors:
        form.add_error(None, error.message)
    for item in error.errors:
        field = item["field"] if item["field"] in form.fields else None
        form.add_error(field, item["message"])


@login_required
def apply(request: AuthenticatedRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        form.is_valid()
        add_oversized_upload_errors(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            seller = seller_apply(
                user=request.user,
                application=Application(
                    company_name=data["company_name"],
                    legal_form=data["legal_form"],
                    vat_id=data["vat_id"],
                    home_market=data["home_market"],
                    address_line=data["address_line"],
                    postal_code=data["postal_code"],
                    city=data["city"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    monthly_capacity=data["monthly_capacity"],
                    capacity_description=data["capacity_description"],
                    charter_accepted=data["charter_accepted"],
                ),
                documents=data["documents"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            request.session[SESSION_KEY] = seller.organisation_id
            messages.success(request, _("Thank you: your application is with our success team."))
            return redirect("seller:dashboard")
    return render(request, "seller/apply.html", {"form": form})


@seller_member_required
def dashboard(request: SellerRequest) -> HttpResponse:
    membership = request.seller_membership
    seller = selectors.seller_get(organisation=membership.organisation)
    context = {
        "membership": membership,
        "seller": seller,
        "probation": selectors.probation_progress(seller),
        "cap": selectors.daily_cap_progress(seller),
        "listing_counts": selectors.listing_counts(seller),
        "sales": selectors.sales_summary(seller),
        "out_of_stock": selectors.active_out_of_stock(seller),
    }
    return render(request, "seller/dashboard.html", context)


NEW_API_KEY_SESSION = "seller_new_api_key"


@seller_member_required
def api_keys(request: SellerRequest) -> HttpResponse:
    organisation = request.seller_membership.organisation
    form = ApiKeyForm(request.POST or None)
    # The key made by the POST just before, shown once: the POST redirects here (a refresh of the page
    # must not make a second key), and the secret leaves the session as it is shown.
    new_key = request.session.pop(NEW_API_KEY_SESSION, None) if request.method == "GET" else None
    if request.method == "POST":
        require_owner(request)
        if form.is_valid():
            try:
                _, secret = api_key_create(
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    actor=Actor.for_user(request.user),
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                request.session[NEW_API_KEY_SESSION] = secret
                return redirect("seller:api_keys")
    keys = scope(ApiKey.objects.all(), organisation).order_by("-created_at")
    return render(request, "seller/api_keys.html", {"form": form, "keys": keys, "new_key": new_key})


@require_POST
@seller_member_required
def api_key_revoke_view(request: SellerRequest, pk: int) -> HttpResponse:
    require_owner(request)
    api_key = get_scoped_or_404(ApiKey.objects.all(), request.seller_membership.organisation, pk=pk)
    api_key_revoke(api_key=api_key, actor=Actor.for_user(request.user), reason="revoked in the back-office")
    messages.success(request, _("The key %(name)s is revoked.") % {"name": api_key.name})
    return redirect("seller:api_keys")


@seller_member_required
def team(request: SellerRequest) -> HttpResponse:
    organisation = request.seller_membership.organisation
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        require_owner(request)
        if form.is_valid():
            try:
                invitation_create(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    actor=Actor.for_user(request.user),
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("seller:team")
    members = scope(Membership.objects.select_related("user"), organisation).order_by("role", "user__email")
    invitations = scope(Invitation.objects.filter(accepted_at__isnull=True), organisation)
    return render(request, "seller/team.html", {"form": form, "members": members, "invitations": invitations})


@require_POST
@seller_member_required
def team_remove(request: SellerRequest, pk: int) -> HttpResponse:
    require_owner(request)
    membership = get_scoped_or_404(
        Membership.objects.select_related("user", "organisation"),
        request.seller_membership.organisation,
        pk=pk,
    )
    try:
        membership_remove(membership=membership, actor=Actor.for_user(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s no longer has access.") % {"email": membership.user.email})
    return redirect("seller:team")


def document(request: SellerRequest, pk: int) -> HttpResponse:
    """A proof document, for members of its seller and for success managers only (404 for anyone else)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    documents = SellerDocument.objects.select_related("seller")
    if is_success_manager(request.user):
        item = get_object_or_404(documents, pk=pk)
    else:
        membership = acting_membership(request, OrganisationKind.SELLER)
        organisation = membership.organisation if membership else None
        item = get_scoped_or_404(documents, organisation, field="seller__organisation", pk=pk)
    # Always a download (Content-Disposition: attachment): an uploaded file never renders in our origin.
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name, as_attachment=True
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
    return response


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    item = invitation_for_token(token)
    if item is None:
        return render(request, "seller/invitation_accept.html", {"invalid": True}, status=404)
    if not request.user.is_authenticated and invitation_has_account(item):
        # The address has an account: its owner logs in (password, second factor) and comes back here.
        messages.info(request, _("You already have an Encore account: log in to accept the invitation."))
        return redirect_to_login(request.get_full_path())
    form = AcceptInvitationForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = invitation_accept(
                token=token,
                user=request.user if isinstance(request.user, User) else None,
                password=form.cleaned_data["password"] if form else None,
                full_name=form.cleaned_data["full_name"] if form else "",
            )
        except ApplicationError as error:
            if form is not None:
                add_service_errors(form, error)
            else:
                messages.error(request, error.message)
        else:
            if not request.user.is_authenticated:
                # A new account, its address verified by the link: logged in as after allauth's verification.
                login(request, membership.user, backend="marketplace.auth_backends.AuthenticationBackend")
            request.session[SESSION_KEY] = membership.organisation_id
            messages.success(request, _("Welcome to %(name)s.") % {"name": membership.organisation.name})
            return redirect(organisation_home_url(membership.organisation))
    return render(request, "seller/invitation_accept.html", {"invitation": item, "form": form})
