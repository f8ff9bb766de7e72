"""After-sales e-mails and the Celery tasks that send them, each in its reader's language.

The shopper reads in the language of the market the order was placed in; the seller's owners in
the language of their home market; success managers in English (the console's language). Services
queue a task after their transaction commits; each task loads the row, re-checks that it is still
in the state the e-mail speaks of (a stale task sends nothing), and sends. Partners' orders have no
shopper e-mail from Encore: partners hear through their webhooks. This module never imports the
services.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.i18n import email_language
from marketplace.mail import send_mail
from marketplace.models import Market, MembershipRole, Organisation, User
from orders.models import SellerOrder
from warranty.models import Claim, ClaimMessage, Return, Review, ReviewInvitation
from warranty.states import ClaimStatus, MessageAuthor, ReturnStatus


def _send(template: str, context: dict[str, Any], recipients: list[str], language: str) -> int:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"warranty/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"warranty/email/{template}_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def _url(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _seller_owners(seller: Organisation) -> list[str]:
    return list(seller.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True))


def _seller_language(seller: Organisation) -> str:
    language = Market.objects.filter(code=seller.country).values_list("language", flat=True).first()
    return email_language(language)


def _success_managers() -> list[str]:
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=settings.SUCCESS_MANAGERS_GROUP).values_list(
            "email", flat=True
        )
    )


def _claim(claim_id: int, *statuses: str) -> Claim | None:
    queryset = Claim.objects.select_related("line__seller_order__order", "market", "seller", "label").filter(
        pk=claim_id
    )
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.first()


def _shopper_email(claim_or_return: Claim | Return) -> str:
    """The buyer's address for a storefront order; none for a partner's (the partner hears by webhook)."""
    if claim_or_return.partner_id is not None:
        return ""
    order = (
        claim_or_return.line.seller_order.order
        if isinstance(claim_or_return, Claim)
        else claim_or_return.seller_order.order
    )
    return order.email


def _claim_context(claim: Claim) -> dict[str, Any]:
    return {
        "claim": claim,
        "time_zone": claim.market.time_zone,
        "shopper_url": _url("warranty:account_claim", claim.pk),
        "seller_url": _url("seller_warranty:claim", claim.pk),
        "console_url": _url("console_warranty:claim", claim.pk),
    }


def send_claim_opened(claim: Claim) -> int:
    """To the seller's owners: a new claim, and the date its answer is due."""
    return _send("claim_opened", _claim_context(claim), _seller_owners(claim.seller), _seller_language(claim.seller))


def send_claim_answered(claim: Claim) -> int:
    """To the shopper: the seller's proposal, and until when to accept or dispute it."""
    return _send(
        "claim_answered", _claim_context(claim), [_shopper_email(claim)], email_language(claim.market.language)
    )


def send_claim_escalated(claim: Claim) -> int:
    """To success managers (the queue), the seller and the shopper: Encore's team takes it over."""
    context = _claim_context(claim)
    sent = _send("claim_escalated_managers", context, _success_managers(), "en")
    sent += _send("claim_escalated", context, _seller_owners(claim.seller), _seller_language(claim.seller))
    sent += _send("claim_escalated", context, [_shopper_email(claim)], email_language(claim.market.language))
    return sent


def send_claim_in_repair(claim: Claim) -> int:
    """To the shopper: print the label and send the unit."""
    context = {**_claim_context(claim), "label_url": _url("warranty:account_claim_label", claim.pk)}
    return _send("claim_in_repair", context, [_shopper_email(claim)], email_language(claim.market.language))


def send_claim_resolved(claim: Claim) -> int:
    context = _claim_context(claim)
    sent = _send("claim_resolved", context, [_shopper_email(claim)], email_language(claim.market.language))
    sent += _send("claim_resolved", context, _seller_owners(claim.seller), _seller_language(claim.seller))
    return sent


def send_claim_message(message: ClaimMessage) -> int:
    """To the other side of the conversation: the shopper when the seller or Encore wrote, the seller when
    the shopper or Encore wrote."""
    claim = message.claim
    context = {**_claim_context(claim), "message": message}
    sent = 0
    if message.author_role != MessageAuthor.SHOPPER:
        sent += _send(
            "claim_message",
            {**context, "url": context["shopper_url"]},
            [_shopper_email(claim)],
            email_language(claim.market.language),
        )
    if message.author_role != MessageAuthor.SELLER:
        sent += _send(
            "claim_message",
            {**context, "url": context["seller_url"]},
            _seller_owners(claim.seller),
            _seller_language(claim.seller),
        )
    return sent


def _return_context(ret: Return) -> dict[str, Any]:
    return {
        "ret": ret,
        "time_zone": ret.market.time_zone,
        "shopper_url": _url("warranty:account_return", ret.pk),
        "label_url": _url("warranty:account_return_label", ret.pk),
        "seller_url": _url("seller_warranty:return", ret.pk),
    }


def send_return_opened(ret: Return) -> int:
    context = _return_context(ret)
    sent = _send("return_opened", context, [_shopper_email(ret)], email_language(ret.market.language))
    sent += _send("return_opened_seller", context, _seller_owners(ret.seller), _seller_language(ret.seller))
    return sent


def send_return_refunded(ret: Return) -> int:
    return _send("return_refunded", _return_context(ret), [_shopper_email(ret)], email_language(ret.market.language))


def send_review_invitation(seller_order: SellerOrder) -> int:
    order = seller_order.order
    context = {"seller_order": seller_order, "order": order, "url": _url("orders:account_order", order.number)}
    return _send("review_invitation", context, [order.email], email_language(order.market.language))


def send_review_replied(review: Review) -> int:
    order = review.line.seller_order.order
    if review.shopper is None:
        return 0
    context = {"review": review, "url": _url("warranty:account_review", review.line_id)}
    return _send("review_replied", context, [review.shopper.email], email_language(order.market.language))


# --- tasks: ids in, the row re-checked, one e-mail function called ------------------------------------------
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def claim_opened_notify_task(claim_id: int) -> int:
    claim = _claim(claim_id)
    return send_claim_opened(claim) if claim else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def claim_answered_notify_task(claim_id: int) -> int:
    claim = _claim(claim_id, ClaimStatus.ANSWERED)
    return send_claim_answered(claim) if claim else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def claim_escalated_notify_task(claim_id: int) -> int:
    claim = _claim(claim_id, ClaimStatus.ESCALATED)
    return send_claim_escalated(claim) if claim else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def claim_in_repair_notify_task(claim_id: int) -> int:
    claim = _claim(claim_id, ClaimStatus.IN_REPAIR)
    return send_claim_in_repair(claim) if claim else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def claim_resolved_notify_task(claim_id: int) -> int:
    claim = _claim(claim_id, ClaimStatus.RESOLVED, ClaimStatus.CLOSED)
    return send_claim_resolved(claim) if claim else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def claim_message_notify_task(message_id: int) -> int:
    message = (
        ClaimMessage.objects.select_related(
            "claim__line__seller_order__order", "claim__market", "claim__seller", "claim__label"
        )
        .filter(pk=message_id)
        .first()
    )
    return send_claim_message(message) if message else 0


def _return(return_id: int, *statuses: str) -> Return | None:
    return (
        Return.objects.select_related("seller_order__order", "market", "seller", "refund", "label")
        .filter(pk=return_id, status__in=statuses)
        .first()
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def return_opened_notify_task(return_id: int) -> int:
    ret = _return(return_id, ReturnStatus.OPENED)
    return send_return_opened(ret) if ret else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def return_refunded_notify_task(return_id: int) -> int:
    ret = _return(return_id, ReturnStatus.REFUNDED)
    return send_return_refunded(ret) if ret else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def review_invitation_notify_task(seller_order_id: int) -> int:
    """Sends the invitation once: the row is marked sent in the same step (a retry finds it sent)."""
    invitation = ReviewInvitation.objects.filter(seller_order_id=seller_order_id, sent_at__isnull=True).first()
    if invitation is None:
        return 0
    seller_order = SellerOrder.objects.select_related("order__market", "seller").get(pk=seller_order_id)
    sent = send_review_invitation(seller_order)
    ReviewInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return sent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def review_replied_notify_task(review_id: int) -> int:
    review = Review.objects.select_related("line__seller_order__order__market", "shopper").filter(pk=review_id).first()
    return send_review_replied(review) if review else 0
