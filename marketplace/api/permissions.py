"""Scopes per view and method.

A view declares `required_scopes = {"GET": Scope.CATALOG_READ, "POST": Scope.LISTINGS_WRITE}`
and, for endpoints that anyone may read, `public_methods = {"GET"}`. It may also
declare `organisation_kind` (seller or partner): a key or session of another
kind of organisation is refused (403).

- API key: the key must carry the method's scope (else 403).
- Session: the user must be a member of an organisation of the view's kind;
  members act with every scope of that organisation.
- Nobody: allowed on public methods, otherwise 401.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, permissions

from marketplace.models import ApiKey
from marketplace.tenancy import acting_organisation


def required_scope(view: Any, method: str) -> str | tuple[str, ...] | None:
    """The scope a method needs; a tuple means any one of them (a return is read with `claims:write`,
    and also by the `orders:write` key that created it)."""
    scopes = getattr(view, "required_scopes", {}) or {}
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    return scopes.get(method)


class HasScope(permissions.BasePermission):
    message = "This API key lacks the scope this endpoint needs."

    def has_permission(self, request: Any, view: Any) -> bool:
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        if not hasattr(view, request.method.lower()):
            return True  # let the view answer 405 rather than 401/403 for a method it does not have
        kind = getattr(view, "organisation_kind", None)
        auth = request.auth
        if isinstance(auth, ApiKey):
            if kind is not None and auth.organisation.kind != kind:
                raise exceptions.PermissionDenied(f"This endpoint is for {kind} API keys.")
            scope = required_scope(view, method)
            if isinstance(scope, tuple):
                if not any(one in auth.scopes for one in scope):
                    raise exceptions.PermissionDenied(f"This API key needs one of the scopes {', '.join(scope)}.")
            elif scope is not None and scope not in auth.scopes:
                raise exceptions.PermissionDenied(f"This API key lacks the scope '{scope}'.")
            return True
        if method in getattr(view, "public_methods", set()):
            return True
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if kind is not None and acting_organisation(request, kind) is None:
            raise exceptions.PermissionDenied(f"You are not a member of a {kind} organisation.")
        return True
