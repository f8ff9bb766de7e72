"""Business days per market: Monday to Friday minus the market's public holidays (DOMAIN.md, After-sales).

Public holidays come from the maintained `holidays` package (pinned in pyproject), never from a
list in the code. A market's code is its country's ISO 3166-1 code in lower case, so the country
calendar is the code upper-cased; where a country's holidays differ by region, the table below
names the region whose calendar the market keeps (the United Kingdom: England and Wales, where
most of its trade is; the national calendar alone would drop Easter Monday and the August bank
holiday).

Every deadline counted in business days goes through `add_business_days`: the seller's ship-by
(orders), the seller's answer to a claim and the repair time (warranty).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# market code -> (country code for `holidays`, subdivision or None). Markets absent here use their
# code upper-cased with the national calendar.
MARKET_HOLIDAY_CALENDARS: dict[str, tuple[str, str | None]] = {
    "gb": ("GB", "ENG"),
}
WEEKEND = (5, 6)  # Saturday, Sunday


@lru_cache(maxsize=256)
def _holidays(market_code: str, year: int) -> frozenset[date]:
    country, subdivision = MARKET_HOLIDAY_CALENDARS.get(market_code, (market_code.upper(), None))
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        # A market whose country the package does not know yet: weekends only (said in its docs).
        return frozenset()
    return frozenset(calendar)


def public_holidays(market_code: str, year: int) -> frozenset[date]:
    """The market's public holidays in `year` (cached per market and year)."""
    return _holidays(market_code.lower(), year)


def is_business_day(day: date, *, market_code: str) -> bool:
    """Monday to Friday and not one of the market's public holidays. Pure (given the calendar)."""
    return day.weekday() not in WEEKEND and day not in public_holidays(market_code, day.year)


def add_business_days(moment: datetime, days: int, *, time_zone: str, market_code: str) -> datetime:
    """The end (23:59:59.999999, local time) of the `days`-th business day after `moment`'s local day.

    The local day is `moment` in the market's time zone. With `days=1`, a moment on a Friday gives
    the end of Monday, or of Tuesday when Monday is a public holiday. `days=0` gives the end of
    `moment`'s own local day.
    """
    zone = ZoneInfo(time_zone)
    day = moment.astimezone(zone).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, market_code=market_code):
            remaining -= 1
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999_999, tzinfo=zone)


def business_days_between(start: date, end: date, *, market_code: str) -> int:
    """Business days after `start` up to and including `end` (0 when `end` <= `start`)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day, market_code=market_code):
            count += 1
    return count
