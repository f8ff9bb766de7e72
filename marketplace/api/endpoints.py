"""One organisation-scoped endpoint base for every app's API (Sentry's `OrganizationEndpoint` is the model).

`OrganisationEndpoint.initial()` runs DRF's authentication, scope permission and
throttling, then resolves, once per request:

- `self.organisation`: the API key's organisation, or the session user's acting
  organisation of the view's `organisation_kind` (None on a public read without one);
- `self.actor`: who acts (`Actor.for_api_key` or `Actor.for_user`), passed to services.

Querysets are scoped through `self.scoped()` / `self.get_scoped_or_404()`, which call
`marketplace.tenancy`: another organisation's object is a plain 404. Apps subclass
`SellerEndpoint` or `PartnerEndpoint` (or this base for endpoints open to both kinds)
and never resolve the organisation or the actor themselves.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models
from rest_framework.request import Request
from rest_framework.views import APIView

from marketplace.access import authenticated_user
from marketplace.actors import Actor
from marketplace.models import ApiKey, Organisation, OrganisationKind
from marketplace.tenancy import acting_organisation, get_scoped_or_404, scope

M = TypeVar("M", bound=models.Model)


def request_actor(request: Request) -> Actor:
    """Who acts in an API request: its key, else its session user."""
    if isinstance(request.auth, ApiKey):
        return Actor.for_api_key(request.auth)
    return Actor.for_user(authenticated_user(request))  # authenticated: HasScope ran first


class OrganisationEndpoint(APIView):
    """An endpoint acting for one organisation; `HasScope` has checked its kind and scopes first.

    Class attributes: `organisation_kind` (seller, partner, or None for either), `required_scopes`
    (method -> scope), optional `public_methods`, and `scope_field`: the path from the endpoint's
    rows to their organisation (e.g. `"seller"` for a listing), used by `scoped()` by default.
    """

    organisation_kind: ClassVar[OrganisationKind | None] = None
    scope_field: ClassVar[str] = "organisation"

    # Class defaults: the schema generator instantiates views without running a request through them.
    organisation: Organisation | None = None
    actor: Actor = Actor.system("schema")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.organisation = acting_organisation(request, self.organisation_kind)
        self.actor = request_actor(request) if (request.auth or request.user.is_authenticated) else Actor.system()

    def scoped(self, queryset: models.QuerySet[M], *, field: str | None = None) -> models.QuerySet[M]:
        """`queryset` narrowed to the acting organisation's rows (none without one)."""
        return scope(queryset, self.organisation, field=field or self.scope_field)

    def get_scoped_or_404(self, queryset: models.QuerySet[M], *, field: str | None = None, **lookups: Any) -> M:
        """One row of the acting organisation; missing and foreign are the same 404."""
        return get_scoped_or_404(queryset, self.organisation, field=field or self.scope_field, **lookups)

    def require_organisation(self) -> Organisation:
        """The acting organisation, for writes (HasScope guarantees one on non-public methods)."""
        assert self.organisation is not None, "HasScope lets no request without an organisation reach a write"  # noqa: S101
        return self.organisation


class SellerEndpoint(OrganisationEndpoint):
    """For seller organisations: a seller API key, or a session member of a seller."""

    organisation_kind = OrganisationKind.SELLER
    scope_field = "seller"


class PartnerEndpoint(OrganisationEndpoint):
    """For partner organisations: a partner API key, or a session member of a partner."""

    organisation_kind = OrganisationKind.PARTNER
    scope_field = "partner"
