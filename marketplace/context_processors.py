from typing import Any

from django.conf import settings
from django.http import HttpRequest

from marketplace.access import is_success_manager
from marketplace.models import OrganisationKind
from marketplace.tenancy import memberships_for

# The units in the visitor's cart, kept in the session by the orders app whenever it reads or writes the
# cart (`orders.views.remember_cart_count`, and at login): the header shows it on every storefront page
# without a query (the session is loaded anyway; a visitor without a session has no cart).
CART_COUNT_SESSION_KEY = "encore_cart_count"


def surface(request: HttpRequest) -> dict[str, Any]:
    """What every layout needs: the user's organisations and roles, lazily."""
    user = getattr(request, "user", None)

    def seller_memberships() -> list[Any]:
        return list(memberships_for(user, OrganisationKind.SELLER)) if user is not None else []

    def partner_memberships() -> list[Any]:
        return list(memberships_for(user, OrganisationKind.PARTNER)) if user is not None else []

    return {
        "payments_test_mode_notice": settings.PAYMENTS_TEST_MODE_NOTICE,
        "seller_memberships": seller_memberships,
        "partner_memberships": partner_memberships,
        "is_success_manager": lambda: is_success_manager(user),
        "cart_count": lambda: _cart_count(request),
    }


def _cart_count(request: HttpRequest) -> int:
    session = getattr(request, "session", None)
    if session is None or (session.session_key is None and not session.modified):
        return 0
    try:
        return int(session.get(CART_COUNT_SESSION_KEY, 0))
    except (TypeError, ValueError):
        return 0
