"""E-mails about trade-ins, and the Celery tasks that send them (queued by the services after commit).

The owner is written to in their market's language (`marketplace.i18n.email_language`): the
instructions with the label and the deadline, received, the counter-offer, sent back, paid, the
erasure certificate, expired. Partners' customers are not e-mailed: the partner hears of every
step through its webhooks (the outbox's `tradein.*` events) and answers over the API. A held device
is reported to the success managers. Each task re-checks the status its e-mail speaks of.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.i18n import email_language
from marketplace.mail import send_message
from marketplace.models import Market, MembershipRole
from orders.buyback import guaranteed_price
from orders.models import BuybackGuarantee
from tradein.documents.batch_render import batch_labels_pdf
from tradein.documents.render import certificate_pdf, label_pdf, language_of, verify_url
from tradein.models import Batch, BusinessProfile, Lot, TradeIn, WalletReminder
from tradein.states import LotStatus, ReminderKind, TradeInStatus
from warranty.models import Warranty


def _send(
    template: str,
    context: dict[str, object],
    recipients: list[str],
    language: str,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> int:
    if not recipients:
        return 0
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"tradein/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"tradein/email/{template}_body.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    return send_message(message)


def _owner_recipients(tradein: TradeIn) -> list[str]:
    if tradein.partner_id is not None:
        return []  # the partner is told through its webhooks
    email = tradein.email or (tradein.owner.email if tradein.owner else "")
    return [email] if email else []


def _load(pk: int, *statuses: str) -> TradeIn | None:
    return (
        TradeIn.objects.select_related(
            "product", "variant", "market", "owner", "counter_offer", "certificate", "payout"
        )
        .filter(pk=pk, status__in=statuses)
        .first()
    )


def _account_url(tradein: TradeIn) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("tradein:account_detail", args=[tradein.reference])


def send_owner(tradein: TradeIn, template: str, attachments: list[tuple[str, bytes, str]] | None = None) -> int:
    return _send(
        template,
        {"tradein": tradein, "url": _account_url(tradein)},
        _owner_recipients(tradein),
        language_of(tradein),
        attachments,
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_accepted_notify_task(pk: int) -> int:
    """The instructions: pack, stick the label (attached), send by the deadline (21 days)."""
    tradein = _load(pk, TradeInStatus.ACCEPTED)
    if tradein is None:
        return 0
    return send_owner(tradein, "accepted", [(f"label-{tradein.reference}.pdf", label_pdf(tradein), "application/pdf")])


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_received_notify_task(pk: int) -> int:
    tradein = _load(pk, TradeInStatus.RECEIVED)
    return send_owner(tradein, "received") if tradein else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_counter_offered_notify_task(pk: int) -> int:
    tradein = _load(pk, TradeInStatus.COUNTER_OFFERED)
    return send_owner(tradein, "counter_offered") if tradein else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_returned_notify_task(pk: int) -> int:
    tradein = _load(pk, TradeInStatus.RETURNED)
    return send_owner(tradein, "returned") if tradein else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_paid_notify_task(pk: int) -> int:
    tradein = _load(pk, TradeInStatus.PAID, TradeInStatus.ROUTED)
    return send_owner(tradein, "paid") if tradein else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_expired_notify_task(pk: int) -> int:
    tradein = _load(pk, TradeInStatus.EXPIRED)
    return send_owner(tradein, "expired") if tradein and tradein.accepted_at else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_certificate_notify_task(pk: int) -> int:
    """The data-erasure certificate, attached, with the public page that confirms it."""
    tradein = _load(pk, *TradeInStatus.values)
    if tradein is None or not hasattr(tradein, "certificate"):
        return 0
    return _send(
        "certificate",
        {"tradein": tradein, "url": _account_url(tradein), "verify_url": verify_url(tradein.certificate.number)},
        _owner_recipients(tradein),
        language_of(tradein),
        [(f"erasure-certificate-{tradein.certificate.number}.pdf", certificate_pdf(tradein), "application/pdf")],
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def tradein_held_report_task(pk: int) -> int:
    """A device on the stolen-device blocklist arrived: reported to the success managers (in English)."""
    tradein = _load(pk, TradeInStatus.HELD)
    if tradein is None:
        return 0
    managers = list(
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=settings.SUCCESS_MANAGERS_GROUP))
        .filter(is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
    url = settings.SITE_URL.rstrip("/") + reverse("tradein_console:detail", args=[tradein.reference])
    return _send("held", {"tradein": tradein, "url": url}, sorted(managers), "en")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lot_sold_notify_task(pk: int) -> int:
    """To the buyer's owners: the lot is theirs, its price taken from their balance, the devices on their way."""
    lot = Lot.objects.select_related("buyer", "product").filter(pk=pk, status=LotStatus.SOLD).first()
    if lot is None or lot.buyer is None:
        return 0
    owners = sorted(set(lot.buyer.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True)))
    url = settings.SITE_URL.rstrip("/") + reverse("tradein_seller:lots")
    language = Market.objects.filter(code=lot.buyer.country).values_list("language", flat=True).first()
    return _send("lot_sold", {"lot": lot, "count": lot.devices.count(), "url": url}, owners, email_language(language))


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def batch_accepted_notify_task(pk: int) -> int:
    """To the company's contact (its business details, else its owners): the parcel labels (attached),
    the packing instructions and the deadline, in its market's language."""
    batch = Batch.objects.select_related("partner", "market").filter(pk=pk, status="accepted").first()
    if batch is None:
        return 0
    profile = BusinessProfile.objects.filter(organisation=batch.partner).first()
    recipients = (
        [profile.email]
        if profile is not None
        else sorted(
            set(batch.partner.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True))
        )
    )
    url = settings.SITE_URL.rstrip("/") + reverse("tradein_partner:batch", args=[batch.pk])
    return _send(
        "batch_accepted",
        {"batch": batch, "parcels": batch.parcels.count(), "url": url},
        recipients,
        email_language(batch.market.language),
        [(f"labels-{batch.reference}.pdf", batch_labels_pdf(batch), "application/pdf")],
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def wallet_reminder_notify_task(pk: int) -> int:
    """A device wallet reminder: a warranty ending, or a guaranteed buy-back expiring, within 30 days
    (in the language of the market the device was bought in), with one link to the wallet."""
    reminder = WalletReminder.objects.select_related("user").filter(pk=pk).first()
    if reminder is None or not reminder.user.is_active:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("tradein:account_devices")
    if reminder.kind == ReminderKind.WARRANTY_ENDING:
        warranty = (
            Warranty.objects.select_related("line__seller_order__order__market").filter(pk=reminder.subject_id).first()
        )
        if warranty is None:
            return 0
        context: dict[str, object] = {"device": warranty.line.product_name, "ends_on": warranty.ends_on, "url": url}
        language = warranty.line.seller_order.order.market.language
    else:
        guarantee = (
            BuybackGuarantee.objects.select_related("line__seller_order__order__market")
            .filter(pk=reminder.subject_id, status="active")
            .first()
        )
        if guarantee is None:
            return 0
        price = guaranteed_price(
            guarantee.schedule, currency=guarantee.currency, starts_at=guarantee.starts_at, now=timezone.now()
        )
        context = {"device": guarantee.line.product_name, "ends_on": guarantee.ends_at, "price": price, "url": url}
        language = guarantee.line.seller_order.order.market.language
    return _send(f"wallet_{reminder.kind}", context, [reminder.user.email], email_language(language))
