"""Forward trade-in: the guaranteed buy-back a buyer may take, free, at checkout (DOMAIN.md, Trade-in).

The guarantee is a price for each month up to 24 after the purchase, fixed at checkout from the price
paid and a **depreciation curve per category** (the data below: the share of the price paid that the
platform guarantees at 0, 6, 12, 18 and 24 months). Between two points of a curve the share falls in
a straight line, month by month, so the price never jumps; each month's price is rounded down to a
whole unit of the currency. The guarantee is redeemable during months 0 to 23 (24 months) if the unit
is in good condition (it powers on, its screen is intact, no liquid damage, its accounts signed out):
trade-in checks that and redeems it (`tradein.services.guarantees`).

Why on the orders floor: the buyer takes it at checkout, so orders stores it (`BuybackGuarantee`, one
per unit bought with it) with its schedule, and shows the prices before the order is placed; trade-in,
above, reads the row and claims it through `orders.services.buyback` when it starts the trade-in.
Orders never imports trade-in.

The curves are business parameters (what the platform is willing to guarantee), not measurements:
they sit below the trade-in grid's typical prices so that a guarantee stays a promise the platform
can keep. Pure functions, tested with frozen time.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from itertools import pairwise

from marketplace.money import Money, exponent

GUARANTEE_MONTHS = 24
# A guarantee counts while its order is paid and its parcel was not cancelled or refunded.
LIVE_SELLER_ORDER_STATUSES = frozenset({"paid", "accepted", "shipped", "delivered", "completed"})
# Category (root slug) -> (month, share of the price paid in basis points), month 0 first, 24 last.
DEPRECIATION_CURVES: dict[str, tuple[tuple[int, int], ...]] = {
    "smartphones": ((0, 6000), (6, 5000), (12, 4000), (18, 3200), (24, 2500)),
    "tablets": ((0, 6000), (6, 5000), (12, 4200), (18, 3400), (24, 2800)),
    "laptops": ((0, 6000), (6, 5200), (12, 4400), (18, 3700), (24, 3000)),
    "consoles": ((0, 5500), (6, 4800), (12, 4200), (18, 3600), (24, 3000)),
    "smartwatches": ((0, 5000), (6, 4000), (12, 3200), (18, 2500), (24, 2000)),
    "audio": ((0, 4500), (6, 3500), (12, 2800), (18, 2200), (24, 1600)),
}
DEFAULT_CURVE = "smartphones"


def curve_for(category_slug: str) -> tuple[tuple[int, int], ...]:
    """The curve of a root category (an unknown one gets the smartphones')."""
    return DEPRECIATION_CURVES.get(category_slug, DEPRECIATION_CURVES[DEFAULT_CURVE])


def share_at(curve: tuple[tuple[int, int], ...], month: int) -> Decimal:
    """The guaranteed share of the price paid in `month` (0-based), on the straight line between the
    curve's points around it (basis points as a Decimal)."""
    for (start, low_share), (end, high_share) in pairwise(curve):
        if start <= month <= end:
            return Decimal(low_share) + (Decimal(high_share) - Decimal(low_share)) * (month - start) / (end - start)
    return Decimal(curve[-1][1])


def buyback_schedule(price_paid: Money, category_slug: str) -> list[Money]:
    """The guaranteed price of each month 0..23, from the price paid and the category's curve, each
    rounded down to a whole unit of the currency (never above the price paid)."""
    curve = curve_for(category_slug)
    unit = 10 ** exponent(price_paid.currency)
    prices = []
    for month in range(GUARANTEE_MONTHS):
        raw = Decimal(price_paid.amount) * share_at(curve, month) / Decimal(10_000)
        whole = int((raw / unit).to_integral_value(rounding=ROUND_FLOOR)) * unit
        prices.append(Money(min(whole, price_paid.amount), price_paid.currency))
    return prices


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months; a day the target month lacks becomes its last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def months_elapsed(start: datetime, now: datetime) -> int:
    """Whole calendar months from `start` to `now` (0 in the first month; negative before `start`)."""
    months = (now.year - start.year) * 12 + (now.month - start.month)
    if add_months(start, months) > now:
        months -= 1
    return months


def guaranteed_price(schedule: list[int], *, currency: str, starts_at: datetime, now: datetime) -> Money | None:
    """The price the guarantee pays at `now`, or None once its 24 months are over (or before it starts)."""
    month = months_elapsed(starts_at, now)
    if month < 0 or month >= len(schedule):
        return None
    return Money(schedule[month], currency)
