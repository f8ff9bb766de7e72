"""Where each person lands after logging in: the one place that decides it, for every surface.

1. A `next` URL the login form carries, when it is safe (same host, no scheme switch):
   the page that sent the person to log in.
2. Otherwise, by who they are: a success manager lands on the console (`/console/`); a member of
   an organisation on its back-office, the organisation they last chose (`/accounts/organisation/`)
   first, else their first membership: `/seller/` for a seller, `/partner/` for a partner;
   anyone else on the storefront.

The login view (`marketplace.views.LoginView`), accepting an invitation and switching organisation
all ask here. URLs are named, never imported: the kernel knows the surfaces' routes, not their code.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.access import is_success_manager
from marketplace.models import Organisation, OrganisationKind
from marketplace.tenancy import SESSION_KEY, memberships_for

SURFACE_URL_NAMES = {
    OrganisationKind.SELLER: "seller:dashboard",
    OrganisationKind.PARTNER: "partner:dashboard",
}


def organisation_home_url(organisation: Organisation) -> str:
    """The back-office of an organisation's kind."""
    return reverse(SURFACE_URL_NAMES[OrganisationKind(organisation.kind)])


def safe_next_url(request: HttpRequest, next_url: str | None) -> str | None:
    """`next_url` when it stays on this site (allowed host, no downgrade to http), else None."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


def landing_url(request: HttpRequest, user: Any, next_url: str | None = None) -> str:
    """Where `user` (just logged in on `request`) goes: a safe `next`, else their surface."""
    safe = safe_next_url(request, next_url)
    if safe is not None:
        return safe
    if is_success_manager(user):
        return reverse("console:dashboard")
    # Read afresh (not the per-request cache): the user logged in during this request.
    memberships = list(memberships_for(user))
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    membership = next((m for m in memberships if m.organisation_id == chosen), None) or next(iter(memberships), None)
    if membership is not None:
        return organisation_home_url(membership.organisation)
    return reverse("home")
