"""The buy box: on a product page each grade shows one featured offer (DOMAIN.md, Catalog and grades).

`buy_box_winner` is the rule, one documented pure function; the rest feeds it. A seller's
quality score comes from the catalog's own `SellerStanding` row (kept current by the sellers
app): a better-scored seller may win at a slightly higher price; a seller without a score yet
counts as the middle of the scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from catalog.models import Listing, SellerStanding
from marketplace.models import Organisation
from marketplace.money import Money

# --- seller quality ------------------------------------------------------------------------
NEUTRAL_SELLER_SCORE = 50


def seller_quality_score(organisation_ids: Iterable[int]) -> dict[int, int]:
    """Each seller's quality score, 0-100, for the buy box: one query for all ids.

    From the seller's `SellerStanding`; a seller with no score yet (too few units delivered,
    or no standing row) is neutral (50).
    """
    ids = set(organisation_ids)
    scores = dict.fromkeys(ids, NEUTRAL_SELLER_SCORE)
    if ids:
        for organisation_id, score in SellerStanding.objects.filter(organisation_id__in=ids).values_list(
            "organisation_id", "score"
        ):
            if score is not None:
                scores[organisation_id] = score
    return scores


def seller_scores_of(listings: Iterable[Listing]) -> dict[int, int]:
    """The scores of the listings' sellers, read from the standing loaded with them when it was
    (listings just read with `select_related("seller__catalog_standing")`: no query), else in one query."""
    scores: dict[int, int] = {}
    missing: set[int] = set()
    for listing in listings:
        if Listing.seller.is_cached(listing) and Organisation.catalog_standing.is_cached(listing.seller):
            standing = getattr(listing.seller, "catalog_standing", None)
            score = standing.score if standing is not None else None
            scores[listing.seller_id] = NEUTRAL_SELLER_SCORE if score is None else score
        else:
            missing.add(listing.seller_id)
    if missing - set(scores):
        scores.update(seller_quality_score(missing - set(scores)))
    return scores


# --- the rule --------------------------------------------------------------------------------
# A seller's score moves its price by at most +/-5 % in the comparison: adjusted = price * (1050 - score) / 1000.
# Score 50 (neutral) compares at the true price; 100 compares 5 % cheaper; 0 compares 5 % dearer.
SCORE_WEIGHT_BASE = 1050


def adjusted_price(price_amount: int, score: int) -> int:
    """The comparison key of an offer, in thousandths of a minor unit (integers only, exact)."""
    score = max(0, min(100, score))
    return price_amount * (SCORE_WEIGHT_BASE - score)


def score_leeway(score: int | None) -> Decimal:
    """How much above a neutral seller's price (score 50) a seller with `score` still wins, in percent
    (one decimal, exact rounding half up): 100 -> 5.3, 72 -> 2.2, 50 or no score -> 0.0, 0 -> -4.8."""
    own = NEUTRAL_SELLER_SCORE if score is None else max(0, min(100, score))
    ratio = Decimal(SCORE_WEIGHT_BASE - NEUTRAL_SELLER_SCORE) / Decimal(SCORE_WEIGHT_BASE - own)
    return ((ratio - 1) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _buy_box_key(listing: Listing, scores: Mapping[int, int]) -> tuple[Any, ...]:
    score = scores.get(listing.seller_id, NEUTRAL_SELLER_SCORE)
    # Ties: lower adjusted price, then lower price, then better score, then the older offer, then the lower id.
    return (adjusted_price(listing.price_amount, score), listing.price_amount, -score, listing.created_at, listing.pk)


def buy_box_winner(listings: Iterable[Listing], *, seller_scores: Mapping[int, int] | None = None) -> Listing | None:
    """The featured offer among `listings` (all of one variant, grade and market).

    Only visible listings (active, stock > 0) compete. Each is ranked by its price
    adjusted for its seller's quality score (`adjusted_price`), so a better-scored
    seller may win at a slightly higher price; ties go to the lower real price, the
    better score, the older listing, then the lower id: the result is deterministic.
    `seller_scores` maps organisation id -> score 0-100; missing sellers are neutral.
    Pure: no query.
    """
    candidates = [listing for listing in listings if listing.is_visible]
    if not candidates:
        return None
    scores = seller_scores or {}
    return min(candidates, key=lambda listing: _buy_box_key(listing, scores))


def buy_boxes(
    listings: Iterable[Listing], *, seller_scores: Mapping[int, int] | None = None
) -> dict[tuple[int, str, str], Listing]:
    """The winner of every (variant id, grade code, market code) group found in `listings`. Pure."""
    groups: dict[tuple[int, str, str], list[Listing]] = {}
    for listing in listings:
        groups.setdefault((listing.variant_id, listing.grade_id, listing.market_id), []).append(listing)
    winners = {}
    for key, group in groups.items():
        winner = buy_box_winner(group, seller_scores=seller_scores)
        if winner is not None:
            winners[key] = winner
    return winners


@dataclass(frozen=True)
class BuyBoxStanding:
    holds_buy_box: bool
    price_to_win: Money | None  # None: no competitor, the offer wins at any price
    # What wins and why: the best competing offer's real price, and this seller's score (None: new).
    best_offer: Money | None = None
    own_score: int | None = None

    @property
    def leeway(self) -> Decimal:
        """The percentage above a neutral seller's price this seller's score lets it win at."""
        return score_leeway(self.own_score)

    @property
    def handicap(self) -> Decimal:
        """A score below neutral as a positive percentage (how much cheaper than a neutral seller to win)."""
        return -self.leeway


def price_to_win(listing: Listing, *, seller_scores: Mapping[int, int] | None = None) -> BuyBoxStanding:
    """Whether `listing` holds the buy box of its variant, grade and market, and the price that wins it.

    `price_to_win` is the highest price (minor units) at which this offer's adjusted
    price is strictly below every visible competitor's (other listings, any seller),
    so it wins whatever the tie-breaks; `None` when nobody competes. One query.
    """
    competitors = list(
        Listing.objects.visible()
        .filter(variant_id=listing.variant_id, grade_id=listing.grade_id, market_id=listing.market_id)
        .exclude(pk=listing.pk)
    )
    if seller_scores is None:
        seller_scores = seller_quality_score({listing.seller_id, *(c.seller_id for c in competitors)})
    scores = dict(seller_scores)
    return standing_among(listing, competitors, seller_scores=scores)


def price_to_win_many(listings: list[Listing]) -> dict[int, BuyBoxStanding]:
    """`price_to_win` for a page of listings in one query (the seller back-office table)."""
    if not listings:
        return {}
    keys = Q()
    for listing in listings:
        keys |= Q(variant_id=listing.variant_id, grade_id=listing.grade_id, market_id=listing.market_id)
    groups: dict[tuple[int, str, str], list[Listing]] = {}
    for other in (
        Listing.objects.visible()
        .filter(keys)
        .only("pk", "variant_id", "grade_id", "market_id", "seller_id", "price_amount", "status", "stock", "created_at")
    ):
        groups.setdefault((other.variant_id, other.grade_id, other.market_id), []).append(other)
    scores = seller_quality_score(
        {listing.seller_id for listing in listings} | {o.seller_id for group in groups.values() for o in group}
    )
    return {
        listing.pk: standing_among(
            listing,
            [
                o
                for o in groups.get((listing.variant_id, listing.grade_id, listing.market_id), [])
                if o.pk != listing.pk
            ],
            seller_scores=scores,
        )
        for listing in listings
    }


def standing_among(listing: Listing, competitors: list[Listing], *, seller_scores: Mapping[int, int]) -> BuyBoxStanding:
    """Pure: `listing`'s buy-box standing against `competitors` (other listings of its variant, grade, market)."""
    scores = seller_scores
    winner = buy_box_winner([listing, *competitors], seller_scores=scores)
    holds = winner is not None and winner.pk == listing.pk
    own_score = scores.get(listing.seller_id)  # None: no score yet (neutral)
    visible_competitors = [c for c in competitors if c.is_visible]
    if not visible_competitors:
        return BuyBoxStanding(holds_buy_box=holds, price_to_win=None, own_score=own_score)
    best_competitor = buy_box_winner(visible_competitors, seller_scores=scores)
    best = min(adjusted_price(c.price_amount, scores.get(c.seller_id, NEUTRAL_SELLER_SCORE)) for c in competitors)
    weight = SCORE_WEIGHT_BASE - max(0, min(100, scores.get(listing.seller_id, NEUTRAL_SELLER_SCORE)))
    target = (best - 1) // weight  # strictly below the best competitor's adjusted price
    return BuyBoxStanding(
        holds_buy_box=holds,
        price_to_win=Money(max(target, 1), listing.currency),
        best_offer=Money(best_competitor.price_amount, best_competitor.currency) if best_competitor else None,
        own_score=own_score,
    )
