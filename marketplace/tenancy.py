"""Tenancy: resolve the acting organisation once per request, and scope every query by it.

Every read and write made for a seller or a partner goes through `scope()` or
`get_scoped_or_404()`: the query filters on the organisation first, so another
tenant's object is a plain 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest

from marketplace.models import ApiKey, Membership, Organisation, OrganisationKind

M = TypeVar("M", bound=models.Model)

SESSION_KEY = "acting_organisation_id"
_CACHE_ATTR = "_encore_acting_organisation"


def memberships_for(user: Any, kind: OrganisationKind | str | None = None) -> models.QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    queryset = Membership.objects.filter(user=user).select_related("organisation").order_by("created_at", "id")
    if kind is not None:
        queryset = queryset.filter(organisation__kind=kind)
    return queryset


def acting_membership(request: Any, kind: OrganisationKind | str | None = None) -> Membership | None:
    """The session user's membership in the organisation they act for (the one chosen, else the first)."""
    cache = request.__dict__.setdefault(_CACHE_ATTR, {})
    cache_key = ("membership", kind)
    if cache_key not in cache:
        memberships = list(memberships_for(request.user, kind))
        chosen_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        chosen = next((m for m in memberships if m.organisation_id == chosen_id), None)
        cache[cache_key] = chosen or (memberships[0] if memberships else None)
    membership: Membership | None = cache[cache_key]
    return membership


def acting_organisation(request: Any, kind: OrganisationKind | str | None = None) -> Organisation | None:
    """The organisation a request acts for: the API key's, or the session user's chosen membership.

    Resolved once per request and cached on it. With `kind`, an organisation of
    another kind is treated as none.
    """
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        organisation = auth.organisation
        if kind is not None and organisation.kind != kind:
            return None
        return organisation
    membership = acting_membership(request, kind)
    return membership.organisation if membership else None


def switch_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    """Make the session act for one of the user's organisations; a foreign id is 404."""
    membership = memberships_for(request.user).filter(organisation_id=organisation_id).first()
    if membership is None:
        raise Http404("No such organisation")
    request.session[SESSION_KEY] = membership.organisation_id
    request.__dict__.pop(_CACHE_ATTR, None)
    return membership.organisation


def scope(
    queryset: models.QuerySet[M], organisation: Organisation | None, *, field: str = "organisation"
) -> models.QuerySet[M]:
    """Filter `queryset` to rows of `organisation` (`field` names the path, e.g. "seller__organisation")."""
    if organisation is None:
        return queryset.none()
    return queryset.filter(**{field: organisation})


def get_scoped_or_404(
    queryset: models.QuerySet[M], organisation: Organisation | None, *, field: str = "organisation", **lookups: Any
) -> M:
    """Fetch one row of `organisation`; missing and foreign are the same 404."""
    try:
        return scope(queryset, organisation, field=field).get(**lookups)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Not found") from None
