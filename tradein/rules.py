"""The numbers of trade-in (DOMAIN.md, Trade-in), in one place, and the one pricing function.

- A quote is valid 14 days; an accepted trade-in must be received within 21 days; a counter-offer
  is answered within 14 days (silence: the device goes back); a lot takes bids for 48 hours.
- Store credit pays the price plus 10 %; bank transfers exist in euro markets only.
- Without a row in the price grid, the offer is derived from the current resale prices of the
  variant's model and storage in that market by `offer_from_resale` (below); its data is
  `RESALE_PRICING`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from statistics import median_low

from marketplace.money import Money, exponent

QUOTE_VALID_DAYS = 14
SEND_WITHIN_DAYS = 21
COUNTER_OFFER_DAYS = 14
LOT_BIDDING_HOURS = 48
STORE_CREDIT_BONUS_BASIS_POINTS = 1000  # +10 %
BANK_TRANSFER_CURRENCIES = frozenset({"EUR"})  # SEPA: euro markets only, for now
SWEEP_BATCH = 200  # rows per sweep run: bounded, the next run picks up the rest


@dataclass(frozen=True)
class ResalePricing:
    """What the platform keeps from a resale price: the share a condition is worth to a refurbisher,
    its margin, and the refurbishing cost per condition (in major units of each currency)."""

    condition_share_basis_points: dict[str, int]
    margin_basis_points: int
    refurbishing_cost: dict[str, dict[str, int]]  # currency -> condition -> major units
    round_down_to: dict[str, int]  # currency -> minor units (offers are whole amounts)


RESALE_PRICING = ResalePricing(
    # A broken device is worth its parts; a like-new one almost a refurbished one.
    condition_share_basis_points={"like_new": 10_000, "good": 9_000, "fair": 7_500, "broken": 2_000},
    margin_basis_points=2_500,
    refurbishing_cost={
        "EUR": {"like_new": 15, "good": 30, "fair": 55, "broken": 0},
        "GBP": {"like_new": 13, "good": 26, "fair": 48, "broken": 0},
        "USD": {"like_new": 16, "good": 33, "fair": 60, "broken": 0},
        "JPY": {"like_new": 2_400, "good": 4_800, "fair": 8_800, "broken": 0},
    },
    round_down_to={"EUR": 100, "GBP": 100, "USD": 100, "JPY": 100},
)


def offer_from_resale(
    resale_prices: Sequence[Money], condition: str, pricing: ResalePricing = RESALE_PRICING
) -> Money | None:
    """The offer for a device in `condition`, from the current resale prices of its model and storage.

        offer = round_down( median * share[condition] * (1 - margin) - refurbishing_cost[condition] )

    `median` is the lower median of the prices (robust to one odd listing), `share` what that
    condition is worth next to a refurbished unit, `margin` the platform's; the result is rounded
    down to a whole amount (`round_down_to`) and never below zero. None when there is no price to
    start from. Pure: tested on its own.
    """
    if not resale_prices:
        return None
    currency = resale_prices[0].currency
    reference = Decimal(median_low(sorted(price.amount for price in resale_prices)))
    share = Decimal(pricing.condition_share_basis_points[condition]) / Decimal(10_000)
    keep = (Decimal(10_000) - Decimal(pricing.margin_basis_points)) / Decimal(10_000)
    cost = Decimal(pricing.refurbishing_cost.get(currency, {}).get(condition, 0)) * (10 ** exponent(currency))
    raw = reference * share * keep - cost
    step = Decimal(pricing.round_down_to.get(currency, 1))
    amount = int((raw / step).to_integral_value(rounding=ROUND_FLOOR) * step)
    return Money(max(amount, 0), currency)


def store_credit_amount(price: Money) -> Money:
    """Store credit pays the price plus the bonus (+10 %), rounded down to the minor unit."""
    bonus = Decimal(price.amount) * Decimal(STORE_CREDIT_BONUS_BASIS_POINTS) / Decimal(10_000)
    return Money(price.amount + int(bonus.to_integral_value(rounding=ROUND_FLOOR)), price.currency)


# Where traded-in devices are sent (the label's recipient), and who sends them back.
WAREHOUSE_ADDRESS: tuple[str, ...] = (
    "Encore Trade-in Centre",
    "Zone d'activité des Bruyères",
    "12 rue de l'Industrie",
    "93200 Saint-Denis",
    "France",
)
