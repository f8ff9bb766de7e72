"""Ratings: the Bayesian average that "Best rated" sorts by. Pure rules, no query.

**Bayesian average** (`bayesian_average`): a product with few ratings is pulled towards a prior,
as if it had `PRIOR_WEIGHT` extra ratings of `PRIOR_MEAN` stars:

    score = (PRIOR_WEIGHT x PRIOR_MEAN + sum of stars) / (PRIOR_WEIGHT + number of ratings)

With the prior of 10 ratings of 4.0 stars, one 5-star rating scores 4.09 while a hundred ratings
averaging 4.8 score 4.73: one lucky review does not beat a long record. A product with no rating
scores the prior, 4.0. The prior mean is a typical refurbished-marketplace product rating (most
sit between 4 and 4.8); the weight is about the number of ratings after which a product's own
record should dominate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PRIOR_MEAN = Decimal(4)
PRIOR_WEIGHT = 10
PRIOR_SCORE_MILLI = int(PRIOR_MEAN * 1000)


def bayesian_average(
    *, count: int, total: int, prior_mean: Decimal = PRIOR_MEAN, prior_weight: int = PRIOR_WEIGHT
) -> Decimal:
    """The Bayesian average of `count` ratings summing to `total` stars (see the module's docstring). Pure."""
    if count < 0 or total < 0 or prior_weight < 0 or count + prior_weight == 0:
        raise ValueError("counts and weights are non-negative, and not both zero")
    return (prior_weight * prior_mean + total) / Decimal(prior_weight + count)


def bayesian_score_milli(*, count: int, total: int) -> int:
    """`bayesian_average` x 1000, rounded half up once: the integer "Best rated" sorts by. Pure."""
    score = bayesian_average(count=count, total=total) * 1000
    return int(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))
