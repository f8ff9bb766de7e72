"""The payloads of seller events: `seller.status_changed` (one shape wherever the status moves) and
`seller.score_changed` (the seller's performance as `GET /api/v1/seller/performance/` returns it)."""

from __future__ import annotations

from typing import Any

from marketplace.events import emit
from marketplace.models import EventType
from sellers.models import Seller
from sellers.selectors.performance import performance_data, performance_get


def seller_status_event_data(seller: Seller, from_status: str, to_status: str, reason: str) -> dict[str, Any]:
    return {
        "seller": {"id": seller.pk, "slug": seller.organisation.slug, "name": seller.organisation.name},
        "from": from_status,
        "to": to_status,
        "reason": reason,
    }


def score_changed_emit(seller: Seller) -> None:
    """Emit `seller.score_changed` with the seller's performance now (inside the change's transaction)."""
    emit(EventType.SELLER_SCORE_CHANGED, performance_data(performance_get(seller=seller)), seller.organisation)
