"""What warranty tells the floors above it, inside the transaction of the change (see `marketplace/hooks.py`)."""

from __future__ import annotations

from marketplace.hooks import Hook, Provider

carrier_scan_recorded = Hook(
    "carrier_scan_recorded",
    doc=(
        "A carrier scan was recorded for a parcel that is not one of warranty's labels (returns, repairs): "
        "fired by `warranty.services.labels.carrier_scan_record` inside its transaction, once per event id, "
        "with `tracking_number=` (str), `status=` ('in_transit' or 'delivered'), `occurred_at=` (aware "
        "datetime) and `source=` ('carrier' or 'manual'). Apps with their own labels (trade-in) connect here, "
        "so the one signed carrier-events endpoint serves every Encore label."
    ),
)

return_received = Hook(
    "return_received",
    doc=(
        "The seller marked a customer's return received: fired by `warranty.services.returns.return_receive` "
        "inside its transaction, before the refund, with `ret=` (the Return, status received) and `units=` "
        "(the OrderUnit rows sent back, each with its `line`). Connected by the workshop: each unit sent back "
        "arrives on the seller's board as a unit again."
    ),
)

unit_history_links = Provider(
    "unit_history_links",
    doc=(
        "Asked by the shopper's warranties page with `warranties=` (the page's Warranty rows): each answer "
        "maps a warranty's id to the URL of its unit's refurbishment record. The workshop answers for the "
        "units it refurbished (the grade checks and repairs before the sale, without the seller's costs)."
    ),
)
