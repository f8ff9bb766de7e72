"""Success console: partner organisations. Platform staff create one and invite its first owner by e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import success_manager_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import Membership, MembershipRole, Organisation, OrganisationKind
from marketplace.requests import AuthenticatedRequest
from partners.forms import InvitationForm, PartnerOrganisationForm
from partners.services.organisations import partner_organisation_create
from sellers.models import Invitation
from sellers.services.team import invitation_create
from sellers.views import add_service_errors


@success_manager_required
def partner_list(request: AuthenticatedRequest) -> HttpResponse:
    form = PartnerOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation, invitation = partner_organisation_create(
                name=data["name"],
                country=data["country"],
                owner_email=data["owner_email"],
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is created; %(email)s is invited as its owner.")
                % {"name": organisation.name, "email": invitation.email},
            )
            return redirect("console_partners:list")
    partners = (
        Organisation.objects.filter(kind=OrganisationKind.PARTNER)
        .annotate(
            owner_count=Count("memberships", filter=Q(memberships__role=MembershipRole.OWNER), distinct=True),
            endpoint_count=Count("webhook_endpoints", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=MembershipRole.OWNER).select_related("user"),
                to_attr="owners",
            ),
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()),
                to_attr="pending_invitations",
            ),
        )
        .order_by("name")
    )
    return render(
        request,
        "console/partners.html",
        {"form": form, "partners": partners, "invite_form": InvitationForm(initial={"role": MembershipRole.OWNER})},
    )


@require_POST
@success_manager_required
def partner_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Invite someone (again) to a partner organisation: a lost or expired first invitation, another owner."""
    organisation = get_object_or_404(Organisation, pk=pk, kind=OrganisationKind.PARTNER)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an e-mail address and a role."))
        return redirect("console_partners:list")
    try:
        invitation_create(
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=Actor.for_user(request.user),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Invitation sent to %(email)s for %(name)s.")
            % {"email": form.cleaned_data["email"], "name": organisation.name},
        )
    return redirect("console_partners:list")
