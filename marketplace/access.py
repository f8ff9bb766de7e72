"""Who may open which surface: seller members, partner members, success managers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.request import Request

from marketplace.models import MembershipRole, OrganisationKind, User
from marketplace.requests import PartnerRequest, SellerRequest
from marketplace.tenancy import acting_membership


def is_success_manager(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff and user.groups.filter(name=settings.SUCCESS_MANAGERS_GROUP).exists())


def seller_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of the seller back-office: logged in, and a member of a seller organisation.

    The view gets `request.seller_membership` (the acting membership).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = acting_membership(request, OrganisationKind.SELLER)
        if membership is None:
            return render(request, "seller/not_a_seller.html", status=403)
        seller_request = cast(SellerRequest, request)
        seller_request.seller_membership = membership
        return view(seller_request, *args, **kwargs)

    return wrapper


def authenticated_user(request: HttpRequest | Request) -> User:
    """The logged-in user of a request behind a login check (PermissionDenied if there is none)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Log in first.")
    return request.user


def success_manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of the success console: platform staff in the success managers group."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_success_manager(request.user):
            raise PermissionDenied("Success managers only.")
        return view(request, *args, **kwargs)

    return wrapper


def require_owner(request: SellerRequest) -> None:
    """Inside a `seller_member_required` view: only the organisation's owners may go on."""
    if request.seller_membership.role != MembershipRole.OWNER:
        raise PermissionDenied("Only the organisation's owners may do this.")


def partner_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of the partner back-office: logged in, and a member of a partner organisation.

    The view gets `request.partner_membership` (the acting membership). Anyone else gets a 403 page
    that says what the back-office is for.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = acting_membership(request, OrganisationKind.PARTNER)
        if membership is None:
            return render(request, "partner/not_a_partner.html", status=403)
        partner_request = cast(PartnerRequest, request)
        partner_request.partner_membership = membership
        return view(partner_request, *args, **kwargs)

    return wrapper


def require_partner_owner(request: PartnerRequest) -> None:
    """Inside a `partner_member_required` view: only the organisation's owners may go on."""
    if request.partner_membership.role != MembershipRole.OWNER:
        raise PermissionDenied("Only the organisation's owners may do this.")
