"""After-sales pages run the same number of queries for 1 and for 4 rows (claims, messages, returns, reviews)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import MembershipFactory, UserFactory
from tests.factories.orders import SYSTEM
from tests.factories.warranty import delivered_units, jpeg, open_claim
from warranty.models import Claim
from warranty.services.claims import Claimant, claim_message_post, claims_escalate_overdue
from warranty.services.returns import return_open
from warranty.services.reviews import review_reply, review_submit
from warranty.states import MessageAuthor

pytestmark = pytest.mark.django_db

# page -> queries, whatever the number of rows (pinned: a new query per row would change it).
PINNED = {
    # Signed in, the user comes from the cache (marketplace/usercache.py).
    "account_claims": 3,  # session, claims, returns
    "account_claim": 3,  # session, the claim with its order, label and refund, its messages and photos
    "seller_claims": 5,
    "seller_claim": 7,
    "seller_returns": 4,
    "seller_reviews": 4,
    "public_reviews": 3,
    "console_claims": 2,
}


def _world(rows: int, settings) -> dict:
    shopper = UserFactory()
    warranties = delivered_units(shopper, quantity=rows * 2)
    seller = warranties[0].seller
    claims = [open_claim(w) for w in warranties[:rows]]
    for claim in claims:
        for n in range(rows):
            claim_message_post(
                claim=claim, role=MessageAuthor.SELLER, actor=SYSTEM, body=f"Question {n}", photos=[jpeg()]
            )
    line = warranties[0].line
    for w in warranties[rows:]:
        return_open(
            seller_order=line.seller_order,
            units=[w.unit],
            reason="changed_mind",
            buyer=Claimant(shopper=shopper),
            actor=SYSTEM,
        )
    # One review per line: one line here, and more lines from other orders of the same seller.
    reviewed = [line] + [delivered_units(shopper, seller=seller)[0].line for _ in range(rows - 1)]
    for reviewed_line in reviewed:
        review = review_submit(
            line=reviewed_line, shopper=shopper, seller_stars=4, unit_stars=5, text="Good.", actor=SYSTEM
        )
        review_reply(review=review, seller=seller, text="Thanks!", actor=SYSTEM)
    claims_escalate_overdue(now=max(c.answer_due_at for c in claims) + timedelta(seconds=1))
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    owner = MembershipFactory(organisation=seller, role="owner").user
    claim = Claim.objects.filter(seller=seller).order_by("pk").first()
    return {
        "account_claims": (shopper, "/account/claims/"),
        "account_claim": (shopper, f"/account/claims/{claim.pk}/"),
        "seller_claims": (owner, "/seller/claims/"),
        "seller_claim": (owner, f"/seller/claims/{claim.pk}/"),
        "seller_returns": (owner, "/seller/returns/"),
        "seller_reviews": (owner, "/seller/reviews/"),
        "public_reviews": (None, f"/sellers/{seller.slug}/reviews/"),
        "console_claims": (manager, "/console/after-sales/claims/"),
    }


@pytest.mark.parametrize("rows", [1, 4])
def test_after_sales_pages_have_a_fixed_query_count(rows, settings, django_assert_num_queries):
    pages = _world(rows, settings)
    for name, (user, url) in pages.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        client.get(url)  # warm: the session, the catalog's reference lists in the cache
        with django_assert_num_queries(PINNED[name]):
            response = client.get(url)
        assert response.status_code == 200, name
