"""The delivery estimate shown on each offer: the seller's handling time, then the carrier's transit
time in the market, both in business days of the market's calendar (`marketplace.calendar`: weekends and
the market's public holidays skipped), counted from now in the market's time zone.

Transit times are the standard tracked parcel services Encore's sellers use in each market (published
service levels: domestic next-day to two-day in the European markets, the UK and Japan; two to five
business days in the US ground networks). Data, not template text: a change is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from marketplace.calendar import add_business_days
from marketplace.models import Market

# market code -> (fewest, most) business days in transit
TRANSIT_BUSINESS_DAYS: dict[str, tuple[int, int]] = {
    "fr": (1, 2),
    "de": (1, 2),
    "es": (1, 3),
    "it": (1, 3),
    "be": (1, 2),
    "gb": (1, 2),
    "us": (2, 5),
    "jp": (1, 2),
}
DEFAULT_TRANSIT = (2, 4)


@dataclass(frozen=True)
class DeliveryEstimate:
    earliest: date
    latest: date

    @property
    def single_day(self) -> bool:
        return self.earliest == self.latest


def delivery_estimate(*, market: Market, handling_days: int, now: datetime) -> DeliveryEstimate:
    """When a unit ordered `now` arrives: after `handling_days` business days to ship (the same day
    when 0) and the market's transit time."""
    fewest, most = TRANSIT_BUSINESS_DAYS.get(market.code, DEFAULT_TRANSIT)
    zone, code = market.time_zone, market.code
    shipped = add_business_days(now, max(0, handling_days), time_zone=zone, market_code=code)
    earliest = add_business_days(shipped, fewest, time_zone=zone, market_code=code).date()
    latest = add_business_days(shipped, most, time_zone=zone, market_code=code).date()
    return DeliveryEstimate(earliest, latest)
