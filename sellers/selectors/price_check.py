"""A price far below the variant's other offers: most often a typo (129 for 1290), sometimes a bait.

The seller's listing forms warn before and after saving (`price_far_below`); nothing is refused: a seller
may clear stock cheaply on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from catalog.models import Listing
from marketplace.money import Money

FAR_BELOW_PERCENT = 40  # below the median of the other offers by more than this: warn
MIN_OTHER_OFFERS = 2  # one other offer is no market


@dataclass(frozen=True)
class PriceWarning:
    percent_below: int
    median: Money
    offers: int


def price_far_below(
    *, variant_id: int, market_id: str, price_amount: int, currency: str, exclude_pk: int | None = None
) -> PriceWarning | None:
    """The warning for `price_amount` when it lies more than FAR_BELOW_PERCENT under the median price of the
    variant's other visible offers in the market (any grade, any seller); None otherwise."""
    others = Listing.objects.visible().filter(variant_id=variant_id, market_id=market_id, currency=currency)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    prices = list(others.values_list("price_amount", flat=True)[:500])
    if len(prices) < MIN_OTHER_OFFERS or price_amount <= 0:
        return None
    middle = int(median(prices))
    if middle <= 0:
        return None
    below = round(100 * (middle - price_amount) / middle)
    if below <= FAR_BELOW_PERCENT:
        return None
    return PriceWarning(percent_below=below, median=Money(middle, currency), offers=len(prices))
