"""Warranty reads."""

from __future__ import annotations

from django.db.models import QuerySet

from marketplace.models import User
from warranty.models import Warranty


def warranty_list_for_shopper(*, shopper: User) -> QuerySet[Warranty]:
    return (
        Warranty.objects.filter(shopper=shopper)
        .select_related("line__seller_order__order", "seller")
        .order_by("-starts_on", "-id")
    )
