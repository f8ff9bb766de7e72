"""The catalog's view of a seller (`catalog.models.SellerStanding`), kept in step with its status.

The catalog lives on a lower floor and never imports sellers: whatever it needs to know (may
this seller create, publish and resume listings; later its score) is written here, in the
transaction of the change, through the catalog's own service.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.services.standing import seller_standing_set, seller_standings_bulk_set
from sellers.models import Seller
from sellers.states import SELLING_STATUSES


def seller_standing_sync(*, seller: Seller) -> None:
    """Write the seller's standing from its current status (in the caller's transaction)."""
    seller_standing_set(organisation=seller.organisation, may_sell=seller.status in SELLING_STATUSES)


def seller_standings_sync_many(*, sellers: Iterable[Seller]) -> int:
    """Set-based `seller_standing_sync` for many sellers (demo and bench data). Returns the rows written."""
    return seller_standings_bulk_set(
        may_sell_by_organisation={seller.organisation_id: seller.status in SELLING_STATUSES for seller in sellers}
    )
