"""The seller lifecycle: success managers' decisions and the day-40 job.

applied -> probation | rejected; probation -> under_review (the scheduled job at day 40);
under_review -> active | probation (extended) | terminated; active -> suspended (by hand, or by the
score: `sellers_suspend_by_score`, the ladder's last step, set-based) -> active (reinstated: 30 days' grace from
the ladder) | terminated.

Termination comes with a statement of reasons and a ground; except for fraud or safety it takes
effect after 30 days' notice (`seller_terminate` gives the notice, `terminations_due` ends it);
the seller's listings stay paused meanwhile, and a reinstatement withdraws the notice.

Every move goes through `_seller_transition`: one row lock (the kernel's `transition`: table
check, audit row), then, inside that lock and transaction, the `seller.status_changed` event,
the catalog standing (may it sell) and the move's effect on the seller's listings (set-based,
through the catalog's bulk services); the e-mail is queued after commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services.listings import (
    listings_deactivate,
    listings_pause_by_platform,
    listings_pause_by_platform_many,
    listings_resume_by_platform,
)
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit, emit_many
from marketplace.models import EventType
from marketplace.transitions import audit_record, bulk_transition, transition
from sellers import notifications
from sellers.models import PerformanceDay, Seller
from sellers.scoring import defect_rate_exceeds, ladder_step
from sellers.selectors import probation_ended_sellers, terminations_due_sellers
from sellers.selectors.performance import counts_of, formula_of, score_formula_current
from sellers.services.events import score_changed_emit, seller_status_event_data
from sellers.services.standing import seller_standing_sync, seller_standings_sync_many
from sellers.states import (
    IMMEDIATE_TERMINATION_GROUNDS,
    TRANSITIONS,
    LadderStep,
    SellerStatus,
    TerminationGround,
)

TERMINATION_NOTICE = timedelta(days=30)
# Fields cleared when a seller is back in good standing (a notice of termination is withdrawn).
NO_NOTICE: dict[str, object] = {
    "termination_ground": "",
    "termination_statement": "",
    "termination_notice_at": None,
    "terminates_at": None,
}

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
    also: ListingEffect | None = None,
    notify_managers: str = "",
) -> Seller:
    """Move the seller (one lock), record the event and the standing, apply `listings` (then `also`, the
    move's other effects under the same lock), e-mail on commit."""
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
        if also is not None:
            also(locked)

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
    """under_review -> active: no cap any more; resumes exactly the listings the platform paused. A
    notice of termination given meanwhile is withdrawn."""
    return _seller_transition(
        seller,
        to=SellerStatus.ACTIVE,
        actor=actor,
        reason=reason,
        extra_updates=dict(NO_NOTICE),
        listings=_resume_listings(actor, reason),
    )


def seller_extend_probation(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review -> probation with a new 40-day period; paused listings resume under the cap."""
    return _seller_transition(
        seller,
        to=SellerStatus.PROBATION,
        actor=actor,
        reason=reason,
        extra_updates={**_probation_period(timezone.now()), **NO_NOTICE},
        listings=_resume_listings(actor, reason),
    )


def seller_suspend(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """active -> suspended by hand: pauses every active listing (the ladder's suspension is
    `sellers_suspend_by_score`)."""
    return _seller_transition(
        seller, to=SellerStatus.SUSPENDED, actor=actor, reason=reason, listings=_pause_listings(actor, reason)
    )


def sellers_suspend_by_score(
    *,
    reasons: Mapping[int, str],
    actor: Actor,
    score_data: Mapping[int, dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> list[int]:
    """active -> suspended by the score, for every seller in `reasons` (id -> the reason), set-based: the
    ladder's last step (the scoring job calls it; usually a few sellers, many after a formula change).

    In one transaction: the sellers' rows are locked (primary-key order) and re-checked: still active and
    out of their grace period (a success manager may have just reinstated one); the others are left
    alone. Then, as `_seller_transition` does for one seller: the move (one UPDATE per reason, one audit
    row each), the step recorded (`ladder_step` suspended: the console's queue), `seller.status_changed`,
    the catalog standings (may not sell), exactly the live listings paused by the platform (one
    `listing.paused` each), `seller.score_changed` with `score_data[id]` (the performance the job
    computed), and after commit each seller's e-mail and the success managers'. Returns the ids moved.
    """
    now = now or timezone.now()
    if not reasons:
        return []
    moved: list[int] = []
    with transaction.atomic():
        locked = (
            Seller.objects.select_for_update()
            .filter(pk__in=list(reasons))
            .order_by("pk")
            .values_list("pk", "status", "ladder_grace_until")
        )
        eligible = {
            pk for pk, status, grace in locked if status == SellerStatus.ACTIVE and (grace is None or grace <= now)
        }
        groups: dict[str, list[int]] = {}
        for pk in sorted(eligible):
            groups.setdefault(reasons[pk], []).append(pk)
        for reason, ids in groups.items():
            moved += bulk_transition(
                Seller.objects.filter(pk__in=ids),
                from_status=SellerStatus.ACTIVE,
                to=SellerStatus.SUSPENDED,
                actor=actor,
                transitions=TRANSITIONS,
                reason=reason,
                organisation_field="organisation",
            )
        if not moved:
            return []
        Seller.objects.filter(pk__in=moved).update(ladder_step=LadderStep.SUSPENDED)
        sellers = list(Seller.objects.select_related("organisation").filter(pk__in=moved).order_by("pk"))
        emit_many(
            EventType.SELLER_STATUS_CHANGED,
            [
                (
                    seller_status_event_data(seller, SellerStatus.ACTIVE, SellerStatus.SUSPENDED, reasons[seller.pk]),
                    seller.organisation,
                )
                for seller in sellers
            ],
        )
        seller_standings_sync_many(sellers=sellers)
        listings_pause_by_platform_many(
            seller_ids=moved, actor=actor, reason=_("Seller suspended by the quality score.")
        )
        if score_data:
            emit_many(
                EventType.SELLER_SCORE_CHANGED,
                [(score_data[seller.pk], seller.organisation) for seller in sellers if seller.pk in score_data],
            )
        mail = [(seller.pk, reasons[seller.pk]) for seller in sellers]

        def notify() -> None:
            notifications.mails_queue(
                [
                    call
                    for seller_id, reason in mail
                    for call in (
                        ("notify_seller_status_task", (seller_id, str(SellerStatus.SUSPENDED), reason)),
                        ("notify_success_managers_task", (seller_id, "score")),
                    )
                ]
            )

        transaction.on_commit(notify)
    return sorted(moved)


def _step_once_reinstated(seller: Seller) -> str:
    """The ladder step the seller's latest scored day gives it once active again, within its grace
    period (the cap at most): its pages say where it stands before the next scoring run."""
    row = PerformanceDay.objects.select_related("formula").filter(seller=seller).order_by("-day").first()
    if row is None or row.score is None:
        return LadderStep.NONE
    formula = formula_of(row.formula)
    return ladder_step(
        score=row.score,
        defect_rate_too_high=defect_rate_exceeds(counts_of(row), formula),
        formula=formula,
        status=SellerStatus.ACTIVE,
        in_grace=True,
        suspended_by_score=False,
    )


def seller_reinstate(*, seller: Seller, actor: Actor, reason: str, keep_cap: bool = False) -> Seller:
    """suspended -> active: resumes exactly the listings the platform paused.

    The ladder may not suspend the seller again for the formula's grace period (30 days; warnings and
    the cap still apply, so the step becomes the one its latest score gives within the grace period);
    `keep_cap` keeps the daily listing cap on for that period whatever the score. A notice of
    termination is withdrawn. Leaving the ladder's suspended step emits `seller.score_changed`.
    """
    now = timezone.now()
    grace = now + timedelta(days=score_formula_current().grace_days)
    step = _step_once_reinstated(seller)
    step_moves = seller.ladder_step != step  # always when the ladder had suspended it

    def step_changed(locked: Seller) -> None:
        if step_moves:
            score_changed_emit(locked)

    return _seller_transition(
        seller,
        to=SellerStatus.ACTIVE,
        actor=actor,
        reason=reason,
        extra_updates={
            "ladder_step": step,
            "ladder_grace_until": grace,
            "listing_cap_until": grace if keep_cap else None,
            **NO_NOTICE,
        },
        listings=_resume_listings(actor, reason),
        also=step_changed,
    )


def seller_terminate(*, seller: Seller, actor: Actor, reason: str, ground: str = TerminationGround.QUALITY) -> Seller:
    """under_review | suspended -> terminated, with a statement of reasons (`reason`) and its `ground`.

    Fraud and safety take effect at once; any other ground gives 30 days' notice (the EU
    platform-to-business rules): the statement, the ground and the date are recorded, the seller is
    e-mailed them, its listings stay paused, and `terminations_due` terminates it on that date unless
    a success manager reinstates it meanwhile. On termination every listing is deactivated for good;
    open orders are still fulfilled (the back-office stays open). Audited either way.
    """
    reason = _require_reason(actor, reason)
    if ground not in TerminationGround.values:
        message = _("Choose the ground of the termination.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "ground", "message": message}])
    if seller.status not in TRANSITIONS or SellerStatus.TERMINATED not in TRANSITIONS[seller.status]:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("A seller in status %(status)s cannot be terminated.") % {"status": seller.status},
            extra={"from": seller.status, "to": SellerStatus.TERMINATED, "allowed": sorted(TRANSITIONS[seller.status])},
        )
    now = timezone.now()
    if ground in IMMEDIATE_TERMINATION_GROUNDS:
        return _terminate_now(seller, actor=actor, reason=reason, ground=ground, now=now)
    with transaction.atomic():
        locked = Seller.objects.select_for_update().get(pk=seller.pk)
        if locked.status not in (SellerStatus.UNDER_REVIEW, SellerStatus.SUSPENDED):
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                _("A seller in status %(status)s cannot be terminated.") % {"status": locked.status},
            )
        if locked.terminates_at is not None:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION, _("Notice of termination was already given to this seller.")
            )
        Seller.objects.filter(pk=locked.pk).update(
            termination_ground=ground,
            termination_statement=reason,
            termination_notice_at=now,
            terminates_at=now + TERMINATION_NOTICE,
            updated_at=now,
        )
        audit_record(
            obj=locked,
            actor=actor,
            from_status=locked.status,
            to_status="termination_notice",
            reason=f"{ground}: {reason}",
            organisation=seller.organisation,
        )
        seller_id = seller.pk
        transaction.on_commit(lambda: notifications.notify_termination_notice_task.delay(seller_id))
    seller.refresh_from_db()
    return seller


def _terminate_now(seller: Seller, *, actor: Actor, reason: str, ground: str, now: datetime) -> Seller:
    return _seller_transition(
        seller,
        to=SellerStatus.TERMINATED,
        actor=actor,
        reason=reason,
        extra_updates={
            "ladder_step": LadderStep.NONE,
            "termination_ground": ground,
            "termination_statement": reason,
            "termination_notice_at": seller.termination_notice_at or now,
            "terminates_at": None,
        },
        listings=lambda locked: listings_deactivate(seller=locked.organisation, actor=actor, reason=reason),
    )


def terminations_due(*, now: datetime | None = None, batch_size: int = 100) -> int:
    """Terminate every seller whose notice period is over, in bounded batches. Idempotent: each is moved
    in its own transaction under its row lock, and the query filters on the notice's date."""
    now = now or timezone.now()
    actor = Actor.system("termination notice")
    done = 0
    for seller in Seller.objects.select_related("organisation").filter(
        pk__in=terminations_due_sellers(now=now, limit=batch_size)
    ):
        try:
            _terminate_now(
                seller, actor=actor, reason=seller.termination_statement, ground=seller.termination_ground, now=now
            )
            done += 1
        except ApplicationError:
            continue  # reinstated or moved meanwhile
    return done


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


def seller_decide(*, seller: Seller, decision: str, actor: Actor, reason: str, **options: Any) -> Seller:
    """Apply a console decision by name; refuses a decision the seller's status does not offer.

    `options`: `keep_cap` (reinstate), `ground` (terminate)."""
    if decision not in DECISIONS_BY_STATUS.get(seller.status, ()):
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION, f"'{decision}' is not a decision for a seller in status {seller.status}."
        )
    if decision == "reinstate":
        return seller_reinstate(seller=seller, actor=actor, reason=reason, keep_cap=bool(options.get("keep_cap")))
    if decision == "terminate":
        return seller_terminate(
            seller=seller, actor=actor, reason=reason, ground=options.get("ground") or TerminationGround.QUALITY
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
