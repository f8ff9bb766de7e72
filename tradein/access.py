"""Who may use the trade-in console: warehouse operators (intake, inspection, erasure), finance (SEPA
files), and success managers (everything, the price grid and lots too). Groups are granted in the admin."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from marketplace.access import is_success_manager

WAREHOUSE_OPERATORS_GROUP = "warehouse operators"
FINANCE_GROUP = "finance"


def in_group(user: Any, name: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return False
    return bool(user.groups.filter(name=name).exists())


def may_operate(user: Any) -> bool:
    return is_success_manager(user) or in_group(user, WAREHOUSE_OPERATORS_GROUP)


def may_pay(user: Any) -> bool:
    return is_success_manager(user) or in_group(user, FINANCE_GROUP)


def _require(
    check: Callable[[Any], bool], message: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


warehouse_required = _require(may_operate, "Warehouse operators and success managers only.")
finance_required = _require(may_pay, "Finance and success managers only.")
staff_required = _require(lambda user: may_operate(user) or may_pay(user), "Trade-in staff only.")
