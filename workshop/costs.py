"""A unit's cost and the price its listing form suggests: pure functions over integer minor units.

**Cost** = purchase + every part's cost + every labour entry's cost. A labour entry is priced when it
is recorded, at the seller's hourly rate then (`labour_cost_amount`: minutes x rate / 60, rounded half
up to the minor unit), so a later change of rate does not rewrite past work.

**Price suggestion** (`price_suggest`): the floor is the lowest all-in price that still leaves the
seller's target margin once Encore's commission is taken:

    price x (1 - commission - margin) >= cost   ->   floor = ceil(cost / (1 - commission - margin))

with the commission of the unit's category (basis points) and the margin in percent of the price. Then:
- a competitor holds the buy box and its price to win is at least the floor: suggest the price to win
  (the unit sells first and keeps the margin);
- the price to win is below the floor: suggest the floor (the margin is kept, the buy box is not won);
- nobody competes: suggest the floor (the price is the seller's to set; this is its margin's floor).
VAT is not modelled: a seller who owes VAT on its sales sets a margin that includes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from marketplace.money import Money

BASIS_POINTS = 10_000


def labour_cost_amount(minutes: int, rate_per_hour_amount: int) -> int:
    """`minutes` of work at `rate_per_hour_amount` (minor units per hour), rounded half up."""
    if minutes < 0 or rate_per_hour_amount < 0:
        raise ValueError("labour minutes and rate are not negative")
    return (minutes * rate_per_hour_amount * 2 + 60) // 120


def unit_cost_amount(*, purchase_amount: int, part_amounts: Iterable[int], labour_amounts: Iterable[int]) -> int:
    """Purchase + parts + labour, all in the same currency's minor units."""
    return purchase_amount + sum(part_amounts) + sum(labour_amounts)


def floor_price_amount(cost_amount: int, *, margin_percent: int, commission_basis_points: int) -> int | None:
    """The lowest price (minor units) keeping `margin_percent` of the price after the commission; at
    least 1. None when commission and margin take the whole price (no price can keep them)."""
    denominator = BASIS_POINTS - commission_basis_points - margin_percent * 100
    if denominator <= 0:
        return None
    return max(1, -(-cost_amount * BASIS_POINTS // denominator))


class PriceBasis(StrEnum):
    WINS_BUY_BOX = "wins_buy_box"
    MARGIN_ABOVE_BUY_BOX = "margin_above_buy_box"
    NO_COMPETITOR = "no_competitor"
    NO_FLOOR = "no_floor"


@dataclass(frozen=True)
class PriceSuggestion:
    price: Money | None
    floor: Money | None
    price_to_win: Money | None
    basis: PriceBasis


def price_suggest(
    *,
    cost: Money,
    margin_percent: int,
    commission_basis_points: int,
    price_to_win_amount: int | None,
) -> PriceSuggestion:
    """The listing form's price (see the module's docstring). Pure."""
    currency = cost.currency
    floor_amount = floor_price_amount(
        cost.amount, margin_percent=margin_percent, commission_basis_points=commission_basis_points
    )
    to_win = Money(price_to_win_amount, currency) if price_to_win_amount is not None else None
    if floor_amount is None:
        return PriceSuggestion(price=to_win, floor=None, price_to_win=to_win, basis=PriceBasis.NO_FLOOR)
    floor = Money(floor_amount, currency)
    if to_win is None:
        return PriceSuggestion(price=floor, floor=floor, price_to_win=None, basis=PriceBasis.NO_COMPETITOR)
    if to_win.amount >= floor_amount:
        return PriceSuggestion(price=to_win, floor=floor, price_to_win=to_win, basis=PriceBasis.WINS_BUY_BOX)
    return PriceSuggestion(price=floor, floor=floor, price_to_win=to_win, basis=PriceBasis.MARGIN_ABOVE_BUY_BOX)
