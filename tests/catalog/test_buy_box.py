"""The buy box rule on its own (pure), and price to win."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from catalog.selectors.buy_box import adjusted_price, buy_box_winner, price_to_win, seller_quality_score
from catalog.selectors.product_page import product_page
from catalog.services.standing import seller_standing_set
from marketplace.money import Money
from tests.factories.catalog import VariantFactory, make_listing, market

NOW = timezone.now()


def offer(pk, price, seller, *, status="active", stock=1, age=0):
    return Listing(
        pk=pk,
        price_amount=price,
        seller_id=seller,
        status=status,
        stock=stock,
        currency="EUR",
        created_at=NOW - timedelta(days=age),
    )


def test_the_cheapest_visible_offer_wins_with_neutral_scores():
    offers = [
        offer(1, 50000, 10),
        offer(2, 48000, 11),
        offer(3, 40000, 12, stock=0),
        offer(4, 30000, 13, status="paused"),
    ]

    assert buy_box_winner(offers).pk == 2


def test_a_better_scored_seller_wins_at_a_slightly_higher_price_but_not_a_much_higher_one():
    scores = {10: 100, 11: 50}

    assert buy_box_winner([offer(1, 50000, 10), offer(2, 48000, 11)], seller_scores=scores).pk == 1  # +4.2 %
    assert buy_box_winner([offer(1, 50000, 10), offer(2, 45000, 11)], seller_scores=scores).pk == 2  # +11 %


def test_ties_are_deterministic_older_offer_then_lower_id():
    assert buy_box_winner([offer(2, 50000, 10, age=1), offer(1, 50000, 11, age=0)]).pk == 2
    assert buy_box_winner([offer(2, 50000, 10), offer(1, 50000, 11)]).pk == 1
    assert buy_box_winner([offer(1, 50000, 11), offer(2, 50000, 10)]).pk == 1


def test_no_visible_offer_no_winner():
    assert buy_box_winner([offer(1, 100, 1, stock=0)]) is None
    assert buy_box_winner([]) is None


def test_adjusted_price_is_integer_and_neutral_at_fifty():
    assert adjusted_price(10000, 50) == 10000 * 1000
    assert adjusted_price(10000, 100) == 10000 * 950
    assert adjusted_price(10000, 0) == 10000 * 1050


@pytest.mark.django_db
def test_price_to_win_is_the_highest_price_that_beats_every_competitor():
    variant = VariantFactory()
    mine = make_listing(variant=variant, price_amount=52000)
    make_listing(variant=variant, price_amount=49900)
    make_listing(variant=variant, price_amount=45000, stock=0)  # not visible: does not compete

    standing = price_to_win(mine)

    assert standing.holds_buy_box is False
    assert standing.price_to_win == Money(49899, "EUR")


@pytest.mark.django_db
def test_price_to_win_alone_holds_the_buy_box_at_any_price():
    standing = price_to_win(make_listing())

    assert standing.holds_buy_box is True
    assert standing.price_to_win is None


@pytest.mark.django_db
def test_the_buy_box_reads_scores_from_the_catalogs_seller_standing_neutral_without_one():
    variant = VariantFactory()
    dearer = make_listing(variant=variant, price_amount=50000)
    cheaper = make_listing(variant=variant, price_amount=48000)
    assert seller_quality_score({dearer.seller_id, cheaper.seller_id}) == {dearer.seller_id: 50, cheaper.seller_id: 50}
    assert price_to_win(cheaper).holds_buy_box is True

    # The sellers app writes a score into the standing (no import of sellers here): a 100-scored seller
    # wins 4 % dearer, and the product page's featured offer follows.
    seller_standing_set(organisation=dearer.seller, score=100)

    assert seller_quality_score({dearer.seller_id, cheaper.seller_id}) == {dearer.seller_id: 100, cheaper.seller_id: 50}
    assert price_to_win(dearer).holds_buy_box is True
    page = product_page(product=variant.product, market=market("fr"), variant_id=variant.pk)
    assert page.featured_ids == {dearer.pk}


# The rule with real scores, as a table: (case, offers as (pk, price, seller), scores, winner).
WINNER_CASES = [
    ("neutral scores: the cheapest wins", [(1, 27900, 10), (2, 27899, 11)], {}, 2),
    ("a 100 beats a 50 up to 5.26 % dearer", [(1, 29300, 10), (2, 27900, 11)], {10: 100, 11: 50}, 1),
    ("but not 5.3 % dearer", [(1, 29400, 10), (2, 27900, 11)], {10: 100, 11: 50}, 2),
    ("a 72 beats a 50 at 2.2 % dearer", [(1, 28510, 10), (2, 27900, 11)], {10: 72, 11: 50}, 1),
    ("a 72 loses at 2.3 % dearer", [(1, 28545, 10), (2, 27900, 11)], {10: 72, 11: 50}, 2),
    ("a new seller (no score) counts as 50", [(1, 27900, 10), (2, 27900, 11)], {10: 51}, 1),
    ("a 0 must be 4.8 % cheaper than a 50", [(1, 26571, 10), (2, 27900, 11)], {10: 0, 11: 50}, 1),
    ("a 0 loses at 4.7 % cheaper", [(1, 26600, 10), (2, 27900, 11)], {10: 0, 11: 50}, 2),
    ("equal adjusted prices: the lower real price wins", [(1, 2000, 10), (2, 1900, 11)], {10: 100, 11: 50}, 2),
    ("three sellers", [(1, 30000, 10), (2, 29000, 11), (3, 28500, 12)], {10: 95, 11: 80, 12: 20}, 2),
]


@pytest.mark.parametrize(("case", "offers", "scores", "winner"), WINNER_CASES, ids=[c[0] for c in WINNER_CASES])
def test_the_buy_box_winner_with_scores(case, offers, scores, winner):
    listings = [offer(pk, price, seller) for pk, price, seller in offers]

    assert buy_box_winner(listings, seller_scores=scores).pk == winner, case


@pytest.mark.parametrize(
    ("own_score", "competitor_score", "competitor_price", "price_to_win", "leeway"),
    [
        (50, 50, 27900, 27899, "0.0"),  # "you would win at 278.99"
        (72, 50, 27900, 28527, "2.2"),
        (100, 50, 27900, 29368, "5.3"),
        (30, 50, 27900, 27352, "-2.0"),
        (72, 90, 27900, 27386, "2.2"),  # a better-scored competitor raises the bar
    ],
)
def test_what_wins_and_why(own_score, competitor_score, competitor_price, price_to_win, leeway):
    from decimal import Decimal

    from catalog.selectors.buy_box import standing_among

    mine, theirs = offer(1, 30000, 10), offer(2, competitor_price, 11)

    standing = standing_among(mine, [theirs], seller_scores={10: own_score, 11: competitor_score})

    assert standing.holds_buy_box is False
    assert standing.price_to_win == Money(price_to_win, "EUR")
    assert standing.best_offer == Money(competitor_price, "EUR")
    assert (standing.own_score, standing.leeway) == (own_score, Decimal(leeway))
