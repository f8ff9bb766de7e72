from typing import Any

from django.conf import settings
from django.http import HttpRequest

from marketplace.access import is_success_manager
from marketplace.models import OrganisationKind
from marketplace.tenancy import memberships_for


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
    }
