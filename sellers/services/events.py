"""The payload of seller events (`seller.status_changed`): one shape wherever the status moves."""

from __future__ import annotations

from typing import Any

from sellers.models import Seller


def seller_status_event_data(seller: Seller, from_status: str, to_status: str, reason: str) -> dict[str, Any]:
    return {
        "seller": {"id": seller.pk, "slug": seller.organisation.slug, "name": seller.organisation.name},
        "from": from_status,
        "to": to_status,
        "reason": reason,
    }
