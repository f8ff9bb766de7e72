"""What warranty tells the floors above it, inside the transaction of the change (see `marketplace/hooks.py`)."""

from __future__ import annotations

from marketplace.hooks import Hook

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
