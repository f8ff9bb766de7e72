"""Verified reviews: only the buyer, after delivery, one per line, editable 30 days; one reply; reports and
moderation; ratings on the catalog's rows; invitations 7 days after delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.models import ProductRating, SellerStanding
from marketplace.errors import ApplicationError, ErrorCode
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, paid
from tests.factories.warranty import delivered_units
from warranty.models import Review, ReviewInvitation, ReviewReport
from warranty.services.reviews import (
    review_invitations_send,
    review_moderate,
    review_reply,
    review_report,
    review_submit,
)
from warranty.states import ReviewStatus

pytestmark = pytest.mark.django_db


def _review(warranty, *, seller_stars=5, unit_stars=4, text="Like new, fast delivery.", **kwargs):
    return review_submit(
        line=warranty.line,
        shopper=warranty.shopper,
        seller_stars=seller_stars,
        unit_stars=unit_stars,
        text=text,
        actor=SYSTEM,
        **kwargs,
    )


def test_the_buyer_reviews_a_delivered_line_and_the_catalogs_ratings_follow(warranty):
    review = _review(warranty)

    assert (review.seller_stars, review.unit_stars, review.status) == (5, 4, ReviewStatus.VISIBLE)
    assert review.author_name.endswith(".")
    standing = SellerStanding.objects.get(organisation=warranty.seller)
    assert (standing.rating_count, standing.rating_sum) == (1, 5)
    rating = ProductRating.objects.get(product=review.product)
    assert (rating.rating_count, rating.rating_sum, rating.score_milli) == (1, 4, 4000)


def test_an_edit_within_thirty_days_moves_the_ratings_by_the_difference(warranty):
    review = _review(warranty)
    edited = _review(
        warranty, seller_stars=2, unit_stars=1, text="It died after a week.", now=review.created_at + timedelta(days=29)
    )

    assert edited.pk == review.pk
    assert Review.objects.count() == 1
    assert edited.edited_at is not None
    standing = SellerStanding.objects.get(organisation=warranty.seller)
    assert (standing.rating_count, standing.rating_sum) == (1, 2)
    with pytest.raises(ApplicationError) as error:
        _review(warranty, now=review.created_at + timedelta(days=31))
    assert error.value.code == ErrorCode.REVIEW_EDIT_WINDOW_CLOSED


def test_only_the_buyer_after_delivery_may_review(shopper, warranty):
    with pytest.raises(ApplicationError) as error:
        review_submit(line=warranty.line, shopper=UserFactory(), seller_stars=1, unit_stars=1, text="", actor=SYSTEM)
    assert error.value.code == ErrorCode.REVIEW_NOT_ALLOWED

    undelivered = paid((make_listing(stock=1), 1), buyer=shopper).seller_orders.get().lines.get()
    with pytest.raises(ApplicationError) as error:
        review_submit(line=undelivered, shopper=shopper, seller_stars=5, unit_stars=5, text="", actor=SYSTEM)
    assert error.value.code == ErrorCode.REVIEW_NOT_ALLOWED
    assert Review.objects.count() == 0


def test_stars_are_one_to_five(warranty):
    with pytest.raises(ApplicationError) as error:
        _review(warranty, seller_stars=0, unit_stars="six", text="x" * 2001)
    assert {e["field"] for e in error.value.errors} == {"seller_stars", "unit_stars", "text"}
    assert Review.objects.count() == 0


def test_the_seller_replies_once(warranty):
    review = _review(warranty)
    review = review_reply(review=review, seller=warranty.seller, text="Thank you, enjoy it!", actor=SYSTEM)
    assert review.reply_text == "Thank you, enjoy it!"

    with pytest.raises(ApplicationError) as error:
        review_reply(review=review, seller=warranty.seller, text="Again", actor=SYSTEM)
    assert error.value.code == ErrorCode.REVIEW_ALREADY_REPLIED
    assert error.value.status == 409


def test_a_reported_review_hidden_by_a_manager_leaves_the_ratings(warranty):
    review = _review(warranty)
    reporter = UserFactory()
    first = review_report(review=review, reporter=reporter, reason="offensive", details="Insults.", actor=SYSTEM)
    again = review_report(review=review, reporter=reporter, reason="spam", details="", actor=SYSTEM)
    assert first.pk == again.pk  # once per person

    with pytest.raises(ApplicationError):
        review_moderate(review=review, decision="hide", reason="", actor=SYSTEM)
    review = review_moderate(review=review, decision="hide", reason="Insults the seller's staff.", actor=SYSTEM)

    assert (review.status, review.hidden_reason) == (ReviewStatus.HIDDEN, "Insults the seller's staff.")
    assert ReviewReport.objects.get().resolution == "hidden"
    standing = SellerStanding.objects.get(organisation=warranty.seller)
    assert (standing.rating_count, standing.rating_sum) == (0, 0)
    assert ProductRating.objects.get(product=review.product).rating_count == 0


def test_a_kept_review_closes_its_reports(warranty):
    review = _review(warranty, seller_stars=1)
    review_report(review=review, reporter=UserFactory(), reason="other", details="Unfair.", actor=SYSTEM)

    review = review_moderate(review=review, decision="keep", reason="An honest opinion.", actor=SYSTEM)

    assert review.status == ReviewStatus.VISIBLE
    assert ReviewReport.objects.get().resolution == "kept"


def test_invitations_go_out_seven_days_after_delivery_once(shopper, django_capture_on_commit_callbacks):
    from django.core import mail

    from warranty.notifications import review_invitation_notify_task

    warranty = delivered_units(shopper)[0]
    seller_order = warranty.line.seller_order
    delivered_at = seller_order.delivered_at

    assert review_invitations_send(now=delivered_at + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks() as callbacks:
        assert review_invitations_send(now=delivered_at + timedelta(days=7, minutes=1)) == 1
    assert len(callbacks) == 1
    assert review_invitations_send(now=delivered_at + timedelta(days=8)) == 0

    assert review_invitation_notify_task(seller_order.pk) == 1
    assert review_invitation_notify_task(seller_order.pk) == 0  # sent once
    (message,) = mail.outbox
    assert message.to == ["buyer@example.test"]
    assert seller_order.order.number in message.body
    invitation = ReviewInvitation.objects.get()
    assert invitation.sent_at is not None
    assert invitation.created_at == delivered_at + timedelta(days=7, minutes=1)


def test_no_invitation_for_a_parcel_already_reviewed(warranty):
    _review(warranty)
    delivered_at = warranty.line.seller_order.delivered_at
    assert review_invitations_send(now=delivered_at + timedelta(days=8)) == 0
