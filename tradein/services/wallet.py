"""The device wallet's reminders: an e-mail before a warranty ends, and before a guaranteed buy-back
expires (DOMAIN.md: "reminders before the warranty ends or the value drops").

A daily job (beat) finds what ends within the next 30 days and sends each reminder once: the reminder's
row (`WalletReminder`, unique per kind and subject) is written first, in the same transaction that
queues the e-mail after commit, so a second run, or two at once, send nothing twice. Bounded per run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.buyback import LIVE_SELLER_ORDER_STATUSES
from orders.models import BuybackGuarantee, BuybackGuaranteeStatus
from orders.states import OrderStatus
from tradein import notifications
from tradein.models import WalletReminder
from tradein.states import ReminderKind
from warranty.models import Warranty

REMIND_DAYS_BEFORE = 30
BATCH = 500


def _remind(*, kind: str, subject_id: int, user_id: int, now: datetime) -> bool:
    """Write the reminder once and queue its e-mail after commit; False when it was sent already."""
    try:
        with transaction.atomic():
            reminder = WalletReminder.objects.create(kind=kind, subject_id=subject_id, user_id=user_id, sent_at=now)
            pk = reminder.pk
            transaction.on_commit(lambda: notifications.wallet_reminder_notify_task.delay(pk))
    except IntegrityError:
        return False
    return True


def wallet_reminders_send(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Remind shoppers of warranties ending and guaranteed buy-backs expiring within 30 days (each once).
    Returns the number of reminders sent this run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    sent = 0
    warranties = (
        Warranty.objects.filter(
            shopper__isnull=False,
            shopper__is_active=True,
            refunded_at__isnull=True,
            replaced_at__isnull=True,
            ends_on__gte=today,
            ends_on__lte=horizon,
        )
        .exclude(pk__in=WalletReminder.objects.filter(kind=ReminderKind.WARRANTY_ENDING).values("subject_id"))
        .order_by("ends_on", "pk")
        .values_list("pk", "shopper_id")[:batch]
    )
    for warranty_id, user_id in warranties:
        sent += _remind(kind=ReminderKind.WARRANTY_ENDING, subject_id=warranty_id, user_id=user_id, now=now)
    guarantees = (
        BuybackGuarantee.objects.filter(
            status=BuybackGuaranteeStatus.ACTIVE,
            ends_at__gt=now,
            ends_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE),
            line__seller_order__order__status=OrderStatus.PAID,
            line__seller_order__status__in=LIVE_SELLER_ORDER_STATUSES,
            line__seller_order__order__buyer__is_active=True,
        )
        .exclude(pk__in=WalletReminder.objects.filter(kind=ReminderKind.GUARANTEE_ENDING).values("subject_id"))
        .order_by("ends_at", "pk")
        .values_list("pk", "line__seller_order__order__buyer_id")[:batch]
    )
    for guarantee_id, user_id in guarantees:
        sent += _remind(kind=ReminderKind.GUARANTEE_ENDING, subject_id=guarantee_id, user_id=user_id, now=now)
    return sent
