"""Typed requests: what Encore's middleware and access decorators add to Django's `HttpRequest`.

Views annotate their `request` with the narrowest of these (a seller back-office view takes a
`SellerRequest`, a partner one a `PartnerRequest`), so that `request.user`, the membership and
`request.htmx` are typed instead of ignored. `request_memo` keeps a value for the rest of one request (the
market, the catalog version) without ad-hoc private attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from marketplace.models import Membership, User

T = TypeVar("T")


class EncoreRequest(HttpRequest):
    """Every request: `htmx` (django-htmx's middleware)."""

    htmx: HtmxDetails


class AuthenticatedRequest(EncoreRequest):
    """Behind `login_required` (or an access decorator that implies it): the user is a `User`."""

    user: User


class SellerRequest(AuthenticatedRequest):
    """Behind `seller_member_required`: the membership the user acts with."""

    seller_membership: Membership


class PartnerRequest(AuthenticatedRequest):
    """Behind `partner_member_required`: the membership the user acts with."""

    partner_membership: Membership


def request_memo(request: HttpRequest, name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per request and name; later calls in the same request get the same value."""
    memo: dict[str, object] = request.__dict__.setdefault("_encore_memo", {})
    if name not in memo:
        memo[name] = compute()
    return cast(T, memo[name])
