"""The scheduled sweeps of trade-in (the beat schedule in settings): thin, idempotent, bounded; each
calls one service. The e-mail tasks live beside their e-mails in `tradein/notifications.py`."""

from __future__ import annotations

from celery import shared_task

from tradein.services.counter_offers import counter_offers_lapse
from tradein.services.lots import lots_close_due
from tradein.services.quotes import tradeins_expire_quotes, tradeins_expire_unsent


@shared_task(acks_late=True)
def tradeins_expire_quotes_task() -> int:
    """Quotes not accepted within 14 days expire."""
    return tradeins_expire_quotes()


@shared_task(acks_late=True)
def tradeins_expire_unsent_task() -> int:
    """Accepted trade-ins not received within 21 days expire."""
    return tradeins_expire_unsent()


@shared_task(acks_late=True)
def counter_offers_lapse_task() -> int:
    """Counter-offers unanswered after 14 days: the device goes back."""
    return counter_offers_lapse()


@shared_task(acks_late=True)
def lots_close_due_task() -> int:
    """Lots whose 48 hours of bidding are over go to the best bid (or close unsold)."""
    return lots_close_due()
