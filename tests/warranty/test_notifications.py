"""After-sales e-mails, sent by tasks after commit, each in its reader's language; a stale task sends nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from tests.factories import MembershipFactory, UserFactory
from tests.factories.orders import SYSTEM
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import delivered_units, open_claim
from warranty import notifications
from warranty.services.claims import Claimant, claim_accept, claim_dispute, claim_message_post, claim_respond
from warranty.services.returns import return_open, return_receive
from warranty.services.reviews import review_reply, review_submit
from warranty.states import MessageAuthor

pytestmark = pytest.mark.django_db


def test_claim_e_mails_go_to_the_seller_in_its_language_and_to_the_shopper_in_the_markets(shopper, settings):
    seller = SellerFactory(organisation__country="de").organisation
    owner = MembershipFactory(organisation=seller, role="owner").user
    claim = open_claim(delivered_units(shopper, seller=seller, market="fr")[0])

    assert notifications.claim_opened_notify_task(claim.pk) == 1
    (to_seller,) = mail.outbox
    assert to_seller.to == [owner.email]
    assert claim.reference in to_seller.subject
    assert f"/seller/claims/{claim.pk}/" in to_seller.body

    claim = claim_respond(claim=claim, resolution="repair", message="Wir reparieren es.", actor=SYSTEM)
    assert notifications.claim_answered_notify_task(claim.pk) == 1
    assert mail.outbox[-1].to == ["buyer@example.test"]
    assert "Wir reparieren es." in mail.outbox[-1].body
    assert f"/account/claims/{claim.pk}/" in mail.outbox[-1].body

    claim = claim_accept(claim=claim, actor=SYSTEM)
    assert notifications.claim_in_repair_notify_task(claim.pk) == 1
    assert claim.label.tracking_number in mail.outbox[-1].body
    assert notifications.claim_answered_notify_task(claim.pk) == 0  # stale: no longer answered


def test_an_escalation_tells_success_managers_the_seller_and_the_shopper(shopper, settings):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    warranty = delivered_units(shopper)[0]
    MembershipFactory(organisation=warranty.seller, role="owner")
    claim = claim_respond(claim=open_claim(warranty), resolution="repair", message="Repair.", actor=SYSTEM)
    claim = claim_dispute(claim=claim, actor=SYSTEM, message="No.")

    assert notifications.claim_escalated_notify_task(claim.pk) == 3
    assert {tuple(m.to) for m in mail.outbox} == {(manager.email,), ("buyer@example.test",), (mail.outbox[1].to[0],)}
    assert f"/console/after-sales/claims/{claim.pk}/" in mail.outbox[0].body


def test_a_message_reaches_the_other_side(shopper):
    warranty = delivered_units(shopper)[0]
    owner = MembershipFactory(organisation=warranty.seller, role="owner").user
    claim = open_claim(warranty)

    from_seller = claim_message_post(claim=claim, role=MessageAuthor.SELLER, actor=SYSTEM, body="A photo please?")
    assert notifications.claim_message_notify_task(from_seller.pk) == 1
    assert mail.outbox[-1].to == ["buyer@example.test"]
    from_shopper = claim_message_post(claim=claim, role=MessageAuthor.SHOPPER, actor=SYSTEM, body="Here.")
    assert notifications.claim_message_notify_task(from_shopper.pk) == 1
    assert mail.outbox[-1].to == [owner.email]


def test_return_e_mails_with_the_label_then_the_refund(shopper):
    warranty = delivered_units(shopper, price_amount=19900)[0]
    MembershipFactory(organisation=warranty.seller, role="owner")
    ret = return_open(
        seller_order=warranty.line.seller_order,
        units=[warranty.unit],
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )

    assert notifications.return_opened_notify_task(ret.pk) == 2
    to_shopper = next(m for m in mail.outbox if m.to == ["buyer@example.test"])
    assert f"/account/returns/{ret.pk}/label.pdf" in to_shopper.body
    assert ret.label.tracking_number in to_shopper.body
    return_receive(ret=ret, actor=SYSTEM)
    assert notifications.return_refunded_notify_task(ret.pk) == 1
    assert "199,00" in mail.outbox[-1].body or "199.00" in mail.outbox[-1].body
    assert notifications.return_opened_notify_task(ret.pk) == 0  # stale


def test_a_reply_tells_the_reviewer(shopper):
    warranty = delivered_units(shopper)[0]
    review = review_submit(line=warranty.line, shopper=shopper, seller_stars=3, unit_stars=4, text="OK.", actor=SYSTEM)
    review_reply(review=review, seller=warranty.seller, text="Thank you for your feedback.", actor=SYSTEM)

    assert notifications.review_replied_notify_task(review.pk) == 1
    assert mail.outbox[-1].to == [shopper.email]
    assert "Thank you for your feedback." in mail.outbox[-1].body
