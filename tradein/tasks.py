"""The scheduled sweeps of trade-in (the beat schedule in settings): thin, idempotent, bounded; each
calls one service. The e-mail tasks live beside their e-mails in `tradein/notifications.py`.

Beat calls them without arguments (now). `now` (an ISO 8601 time with its offset) lets an operator,
or a test through a real worker, run a sweep as of another time; it is passed to the service as is.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from tradein.services.batches import batches_expire_due
from tradein.services.counter_offers import counter_offers_lapse
from tradein.services.lots import lots_close_due
from tradein.services.quotes import tradeins_expire_quotes, tradeins_expire_unsent
from tradein.services.wallet import wallet_reminders_send


def _when(now: str | None) -> datetime | None:
    """The sweep's time: None (the service takes the current time), or an aware ISO 8601 time."""
    if now is None:
        return None
    when = datetime.fromisoformat(now)
    if when.tzinfo is None:
        raise ValueError("A sweep's time carries its offset (ISO 8601, e.g. 2026-01-31T10:00:00+00:00)")
    return when


@shared_task(acks_late=True)
def tradeins_expire_quotes_task(now: str | None = None) -> int:
    """Quotes not accepted within 14 days expire."""
    return tradeins_expire_quotes(now=_when(now))


@shared_task(acks_late=True)
def tradeins_expire_unsent_task(now: str | None = None) -> int:
    """Accepted trade-ins not received within 21 days expire."""
    return tradeins_expire_unsent(now=_when(now))


@shared_task(acks_late=True)
def counter_offers_lapse_task(now: str | None = None) -> int:
    """Counter-offers unanswered after 14 days: the device goes back."""
    return counter_offers_lapse(now=_when(now))


@shared_task(acks_late=True)
def lots_close_due_task(now: str | None = None) -> int:
    """Lots whose 48 hours of bidding are over go to the best bid (or close unsold)."""
    return lots_close_due(now=_when(now))


@shared_task(acks_late=True)
def batches_expire_due_task(now: str | None = None) -> int:
    """Business batch quotes not accepted within 14 days expire; parcels not received within 21 days too."""
    return batches_expire_due(now=_when(now))


@shared_task(acks_late=True)
def wallet_reminders_send_task(now: str | None = None) -> int:
    """The device wallet's reminders: warranties ending and guaranteed buy-backs expiring within 30 days."""
    return wallet_reminders_send(now=_when(now))
