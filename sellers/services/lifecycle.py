"""The seller lifecycle: success managers' decisions and the day-40 job.

applied -> probation | rejected; probation -> under_review (the scheduled job at day 40);
under_review -> active | probation (extended) | terminated; active -> suspended -> active | terminated.

Every move goes through `_seller_transition`: one row lock (the kernel's `transition`: table
check, audit row), then, inside that lock and transaction, the `seller.status_changed` event,
the catalog standing (may it sell) and the move's effect on the seller's listings (set-based,
through the catalog's bulk services); the e-mail is queued after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from catalog.services.listings import listings_deactivate, listings_pause_by_platform, listings_resume_by_platform
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import EventType
from marketplace.transitions import transition
from sellers import notifications
from sellers.models import Seller
from sellers.selectors import probation_ended_sellers
from sellers.services.events import seller_status_event_data
from sellers.services.standing import seller_standing_sync
from sellers.states import TRANSITIONS, SellerStatus

ListingEffect = Callable[[Seller], object]  # what the move does to the seller's listings


def _require_reason(actor: Actor, reason: str) -> str:
    reason = reason.strip()
    if not reason and not actor.is_system:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "Give the reason for this decision.",
            errors=[{"field": "reason", "message": "Give the reason for this decision."}],
        )
    return reason


def _seller_transition(
    seller: Seller,
    *,
    to: SellerStatus,
    actor: Actor,
    reason: str,
    extra_updates: dict[str, object] | None = None,
    listings: ListingEffect | None = None,
    notify_managers: str = "",
) -> Seller:
    """Move the seller (one lock), record the event and the standing, apply `listings`, e-mail on commit."""
    reason = _require_reason(actor, reason)

    def effects(locked: Seller, from_status: str) -> None:
        emit(
            EventType.SELLER_STATUS_CHANGED,
            seller_status_event_data(locked, from_status, to, reason),
            locked.organisation,
        )
        seller_standing_sync(seller=locked)  # before the listings: resuming needs a seller that may sell
        if listings is not None:
            listings(locked)

    seller_id = seller.pk

    def notify() -> None:
        notifications.notify_seller_status_task.delay(seller_id, to, reason)
        if notify_managers:
            notifications.notify_success_managers_task.delay(seller_id, notify_managers)

    transition(
        seller,
        to=to,
        actor=actor,
        transitions=TRANSITIONS,
        reason=reason,
        organisation=seller.organisation,
        extra_updates=extra_updates,
        then=effects,
        on_commit=notify,
        related=("organisation",),
    )
    seller.refresh_from_db()
    return seller


def _probation_period(start: datetime) -> dict[str, object]:
    return {"probation_started_at": start, "probation_ends_at": start + timedelta(days=settings.PROBATION_DAYS)}


def _pause_listings(actor: Actor, reason: str) -> ListingEffect:
    return lambda locked: listings_pause_by_platform(seller=locked.organisation, actor=actor, reason=reason)


def _resume_listings(actor: Actor, reason: str) -> ListingEffect:
    return lambda locked: listings_resume_by_platform(seller=locked.organisation, actor=actor, reason=reason)


def seller_approve(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """applied -> probation. Starts the 40-day clock; the seller may list (5 new listings a day)."""
    now = timezone.now()
    return _seller_transition(
        seller,
        to=SellerStatus.PROBATION,
        actor=actor,
        reason=reason,
        extra_updates={"approved_at": now, **_probation_period(now)},
    )


def seller_reject(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """applied -> rejected."""
    return _seller_transition(seller, to=SellerStatus.REJECTED, actor=actor, reason=reason)


def seller_start_review(*, seller: Seller, actor: Actor, reason: str = "") -> Seller:
    """probation -> under_review (the scheduled job at day 40): pauses every active listing.

    Listings the platform pauses become `paused_by_platform`, kept apart from the ones the
    seller paused, so activation resumes exactly these. Emits `listing.paused` per listing
    and notifies the success managers.
    """
    reason = reason or f"End of the {settings.PROBATION_DAYS}-day probation."
    return _seller_transition(
        seller,
        to=SellerStatus.UNDER_REVIEW,
        actor=actor,
        reason=reason,
        listings=_pause_listings(actor, reason),
        notify_managers="review",
    )


def seller_activate(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review -> active: no cap any more; resumes exactly the listings the platform paused."""
    return _seller_transition(
        seller, to=SellerStatus.ACTIVE, actor=actor, reason=reason, listings=_resume_listings(actor, reason)
    )


def seller_extend_probation(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review -> probation with a new 40-day period; paused listings resume under the cap."""
    return _seller_transition(
        seller,
        to=SellerStatus.PROBATION,
        actor=actor,
        reason=reason,
        extra_updates=_probation_period(timezone.now()),
        listings=_resume_listings(actor, reason),
    )


def seller_suspend(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """active -> suspended (by score or by hand): pauses every active listing."""
    return _seller_transition(
        seller, to=SellerStatus.SUSPENDED, actor=actor, reason=reason, listings=_pause_listings(actor, reason)
    )


def seller_reinstate(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """suspended -> active: resumes exactly the listings the platform paused."""
    return _seller_transition(
        seller, to=SellerStatus.ACTIVE, actor=actor, reason=reason, listings=_resume_listings(actor, reason)
    )


def seller_terminate(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review | suspended -> terminated: every listing deactivated for good; open orders still ship."""
    return _seller_transition(
        seller,
        to=SellerStatus.TERMINATED,
        actor=actor,
        reason=reason,
        listings=lambda locked: listings_deactivate(seller=locked.organisation, actor=actor, reason=reason),
    )


# Console decisions by name, and the ones each status offers (the console shows only these).
DECISIONS: dict[str, Callable[..., Seller]] = {
    "approve": seller_approve,
    "reject": seller_reject,
    "activate": seller_activate,
    "extend": seller_extend_probation,
    "terminate": seller_terminate,
    "suspend": seller_suspend,
    "reinstate": seller_reinstate,
}
DECISIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    SellerStatus.APPLIED: ("approve", "reject"),
    SellerStatus.UNDER_REVIEW: ("activate", "extend", "terminate"),
    SellerStatus.ACTIVE: ("suspend",),
    SellerStatus.SUSPENDED: ("reinstate", "terminate"),
}


def seller_decide(*, seller: Seller, decision: str, actor: Actor, reason: str) -> Seller:
    """Apply a console decision by name; refuses a decision the seller's status does not offer."""
    if decision not in DECISIONS_BY_STATUS.get(seller.status, ()):
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION, f"'{decision}' is not a decision for a seller in status {seller.status}."
        )
    return DECISIONS[decision](seller=seller, actor=actor, reason=reason)


def probation_end_due(*, now: datetime | None = None, batch_size: int = 100) -> int:
    """Move every seller whose probation is over to under_review, in bounded batches. Idempotent.

    Each seller is moved in its own transaction (a failure leaves the others done); the
    transition re-checks the status under a row lock, so a second run, or two workers at
    once, move nobody twice.
    """
    moved = 0
    actor = Actor.system("probation scheduler")
    while True:
        batch = probation_ended_sellers(now=now, limit=batch_size)
        if not batch:
            return moved
        for seller in Seller.objects.select_related("organisation").filter(pk__in=batch).order_by("pk"):
            try:
                seller_start_review(seller=seller, actor=actor)
                moved += 1
            except ApplicationError:
                continue  # moved meanwhile by someone else: nothing to do
        if len(batch) < batch_size:
            return moved
