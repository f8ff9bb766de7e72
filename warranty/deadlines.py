"""After-sales deadlines (DOMAIN.md), one pure function each. Business days are the market's
(`marketplace.calendar`: weekends and the country's public holidays); a deadline in business days
ends at the end of its local day.

| deadline | rule |
|---|---|
| the seller answers a claim | 2 business days after it opened |
| a repair or replacement is done | 5 business days after the unit arrived (see below) |
| the shopper accepts or disputes an answer | 7 days after it; silence accepts |
| a resolved claim closes | 14 days after its resolution |
| a return is refunded by itself | 14 days after the label's carrier delivery, if the seller did nothing |
| a return may be opened | until 30 days after delivery (`SellerOrder.return_window_ends_at`) |
| a review may be edited | 30 days after it was written |
| a review invitation is sent | 7 days after delivery |

A unit has arrived when the seller marks it received, or when the carrier delivers its label if the
seller has not marked it yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from marketplace.calendar import add_business_days
from marketplace.models import Market

ANSWER_BUSINESS_DAYS = 2
REPAIR_BUSINESS_DAYS = 5
ACCEPT_SILENTLY_AFTER = timedelta(days=7)
CLOSE_AFTER = timedelta(days=14)
RETURN_AUTO_REFUND_AFTER = timedelta(days=14)
REVIEW_EDITABLE_FOR = timedelta(days=30)
REVIEW_INVITATION_AFTER = timedelta(days=7)


def answer_due(opened_at: datetime, *, market: Market) -> datetime:
    """The end of the 2nd business day after the claim opened, in the market's time zone."""
    return add_business_days(opened_at, ANSWER_BUSINESS_DAYS, time_zone=market.time_zone, market_code=market.code)


def repair_due(arrived_at: datetime, *, market: Market) -> datetime:
    """The end of the 5th business day after the unit arrived at the seller's, in the market's time zone."""
    return add_business_days(arrived_at, REPAIR_BUSINESS_DAYS, time_zone=market.time_zone, market_code=market.code)


def accept_by(answered_at: datetime) -> datetime:
    """After this moment an answer the shopper left without a reply counts as accepted."""
    return answered_at + ACCEPT_SILENTLY_AFTER


def close_after(resolved_at: datetime) -> datetime:
    return resolved_at + CLOSE_AFTER


def return_refund_due(label_delivered_at: datetime) -> datetime:
    """The moment a return is refunded by itself when the seller has not marked it received."""
    return label_delivered_at + RETURN_AUTO_REFUND_AFTER


def review_editable_until(written_at: datetime) -> datetime:
    return written_at + REVIEW_EDITABLE_FOR
