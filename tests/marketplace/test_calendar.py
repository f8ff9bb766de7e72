"""Business days per market: weekends and each market's public holidays (the `holidays` package)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.calendar import add_business_days, business_days_between, is_business_day, public_holidays


@pytest.mark.parametrize(
    ("market", "day", "business"),
    [
        ("fr", date(2026, 7, 14), False),  # Bastille Day
        ("de", date(2026, 7, 14), True),
        ("de", date(2026, 10, 3), False),  # German Unity Day (a Saturday anyway)
        ("de", date(2027, 10, 4), True),  # the Monday after: not moved
        ("be", date(2026, 7, 21), False),  # Belgian National Day
        ("fr", date(2026, 7, 21), True),
        ("gb", date(2026, 8, 31), False),  # Summer bank holiday (England and Wales)
        ("gb", date(2026, 4, 6), False),  # Easter Monday (England and Wales)
        ("us", date(2026, 11, 26), False),  # Thanksgiving
        ("us", date(2026, 11, 27), True),
        ("jp", date(2026, 11, 3), False),  # Culture Day
        ("it", date(2026, 6, 2), False),  # Republic Day
        ("es", date(2026, 10, 12), False),  # National Day
        ("fr", date(2026, 11, 21), False),  # a Saturday
        ("fr", date(2026, 11, 23), True),
    ],
)
def test_business_days_follow_each_markets_public_holidays(market, day, business):
    assert is_business_day(day, market_code=market) is business


def test_the_calendar_comes_from_the_package_not_a_list():
    assert date(2026, 12, 25) in public_holidays("fr", 2026)
    assert date(2027, 3, 29) in public_holidays("fr", 2027)  # Easter Monday moves each year


@pytest.mark.parametrize(
    ("market", "zone", "moment", "days", "deadline"),
    [
        # Opened on Friday 20 Nov 2026 in Paris: 2 business days -> Tuesday 24th, end of day.
        ("fr", "Europe/Paris", datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("UTC")), 2, date(2026, 11, 24)),
        # Thursday before Easter in France: Fri 3 Apr, (weekend), Mon 6 Apr holiday -> Tue 7 Apr.
        ("fr", "Europe/Paris", datetime(2026, 4, 2, 9, 0, tzinfo=ZoneInfo("UTC")), 2, date(2026, 4, 7)),
        # The local day counts: 23:30 UTC on Friday is already Saturday in Tokyo.
        ("jp", "Asia/Tokyo", datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("UTC")), 1, date(2026, 11, 24)),
        # US Thanksgiving (Thu 26 Nov): opened Wednesday, 2 business days -> Friday 27th, then Monday.
        ("us", "America/New_York", datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("UTC")), 2, date(2026, 11, 30)),
        # Six business days over Christmas in Germany (25, 26 Dec and 1 Jan are holidays).
        ("de", "Europe/Berlin", datetime(2026, 12, 23, 10, 0, tzinfo=ZoneInfo("UTC")), 6, date(2027, 1, 4)),
    ],
)
def test_add_business_days_ends_at_the_end_of_the_local_day(market, zone, moment, days, deadline):
    result = add_business_days(moment, days, time_zone=zone, market_code=market)

    assert result.date() == deadline
    assert (result.hour, result.minute, result.second) == (23, 59, 59)
    assert str(result.tzinfo) == zone


def test_business_days_between_counts_after_start_up_to_end():
    assert business_days_between(date(2026, 11, 20), date(2026, 11, 24), market_code="fr") == 2
    assert business_days_between(date(2026, 11, 24), date(2026, 11, 20), market_code="fr") == 0
