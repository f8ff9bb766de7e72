"""The scoring job: every seller's score for a day, its history row, the catalog's copy and the ladder.

`sellers_score` runs daily (beat, on the `scoring` queue), on demand from the console and with
`manage.py score_sellers`. Set-based from end to end:

1. one SQL statement counts every seller's window (`sellers.selectors.metrics.window_counts`);
2. the pure function (`sellers.scoring.score`, `ladder_step`) turns counts into a score and a step;
3. in one transaction: one upsert writes the day's history rows (one per seller per day, so a
   second run the same day rewrites the same rows and finds nothing else to do), one UPDATE the
   sellers' score and step, one the catalog's `SellerStanding` scores (the buy box reads them), one
   INSERT the `seller.score_changed` events (a score moved by a point or more, or the step changed)
   and one the audit rows of the step changes; the step e-mails are queued after commit;
4. the sellers the ladder suspends are suspended together (`sellers_suspend_by_score`: their rows
   locked and re-checked, exactly their live listings paused, set-based; the seller and the success
   managers e-mailed).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services.standing import seller_scores_bulk_set
from marketplace.actors import Actor
from marketplace.events import emit_many
from marketplace.models import AuditEvent, EventType, Organisation
from sellers import notifications
from sellers.models import PerformanceDay, Seller
from sellers.scoring import Counts, Formula, Metric, Score, Step, defect_rate_exceeds, display_value, ladder_step, score
from sellers.selectors.metrics import window_counts, window_of
from sellers.selectors.performance import (
    COUNT_FIELDS,
    Performance,
    formula_of,
    performance_data,
    score_formula_current,
)
from sellers.services.lifecycle import sellers_suspend_by_score
from sellers.states import SellerStatus


@dataclass
class ScoringRun:
    """What one run did (the console and the management command print it)."""

    day: date
    formula_version: int
    scored: int = 0
    new: int = 0
    score_changes: int = 0
    step_changes: int = 0
    suspended: list[int] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Outcome:
    seller_id: int
    counts: Counts
    result: Score
    step: Step
    old_score: int | None
    old_step: str
    status: str

    @property
    def score_moved(self) -> bool:
        return self.result.score != self.old_score

    @property
    def step_moved(self) -> bool:
        return self.step != self.old_step


def suspension_reason(outcome_counts: Counts, result: Score, formula: Formula) -> str:
    """Why the ladder suspends a seller, in words (audit, e-mail, the console's queue)."""
    reasons = []
    if result.score is not None and result.score < formula.suspend_below:
        reasons.append(
            _("quality score %(score)d is below %(threshold)d")
            % {"score": result.score, "threshold": formula.suspend_below}
        )
    if defect_rate_exceeds(outcome_counts, formula):
        rate = display_value(Metric.DEFECT_RATE, result.part(Metric.DEFECT_RATE).value) or 0.0
        reasons.append(
            _("defect rate %(rate).1f %% is above %(limit).1f %%")
            % {"rate": rate * 100, "limit": formula.suspend_defect_rate / 100}
        )
    return _("Suspended by the quality score (formula v%(version)d): %(reasons)s.") % {
        "version": formula.version,
        "reasons": "; ".join(reasons),
    }


def sellers_score(
    *,
    day: date | None = None,
    seller_ids: Collection[int] | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
    history_only: bool = False,
) -> ScoringRun:
    """Score every seller (or `seller_ids`) for `day` (today, UTC), write the history, apply the ladder.

    Idempotent per day: the history has one row per seller and day (upserted); a score or step
    already recorded emits, audits and e-mails nothing again; a seller already suspended is not
    suspended twice. `history_only` writes the day's history rows and nothing else (a backfill of
    past days: no current score, no event, no sanction). Returns what the run did.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    day = day or now.date()
    actor = actor or Actor.system("scoring job")
    formula_row = score_formula_current()
    formula = formula_of(formula_row)
    window = window_of(day, formula.window_days, now)
    counts = window_counts(window, seller_ids=seller_ids)
    states = Seller.objects.filter(pk__in=list(counts)).values_list(
        "pk", "status", "score", "ladder_step", "ladder_grace_until"
    )
    outcomes: list[_Outcome] = []
    for seller_id, status, old_score, old_step, grace_until in states:
        seller_counts = counts[seller_id]
        result = score(seller_counts, formula)
        step = ladder_step(
            score=result.score,
            defect_rate_too_high=defect_rate_exceeds(seller_counts, formula),
            formula=formula,
            status=status,
            in_grace=grace_until is not None and grace_until > now,
            suspended_by_score=old_step == Step.SUSPENDED,
        )
        outcomes.append(_Outcome(seller_id, seller_counts, result, step, old_score, old_step, status))
    outcomes.sort(key=lambda outcome: outcome.seller_id)
    # The ladder's suspensions are lifecycle moves under the sellers' row locks (step 4), after the rest.
    to_suspend = [o for o in outcomes if o.step == Step.SUSPENDED and o.status == SellerStatus.ACTIVE]
    suspending = {o.seller_id for o in to_suspend}
    run = ScoringRun(day=day, formula_version=formula.version)
    run.scored = len(outcomes)
    run.new = sum(1 for o in outcomes if o.result.score is None)
    if history_only:
        _history_write(outcomes, day=day, formula_id=formula_row.pk, now=now)
        run.seconds = time.perf_counter() - started
        return run
    with transaction.atomic():
        _history_write(outcomes, day=day, formula_id=formula_row.pk, now=now)
        moved = [o for o in outcomes if o.seller_id not in suspending and (o.score_moved or o.step_moved)]
        _sellers_write(outcomes, suspending=suspending, day=day)
        seller_scores_bulk_set(scores={o.seller_id: o.result.score for o in outcomes if o.score_moved})
        _events_write(moved, formula=formula, day=day, now=now)
        stepped = [o for o in moved if o.step_moved]
        _audits_write(stepped, actor=actor, formula=formula)
        run.score_changes = sum(1 for o in outcomes if o.score_moved)
        run.step_changes = len(stepped)
        mail = [
            (o.seller_id, str(o.step)) for o in stepped if o.status in (SellerStatus.ACTIVE, SellerStatus.PROBATION)
        ]
        if mail:
            transaction.on_commit(lambda: _queue_step_mails(mail))
    if to_suspend:
        run.suspended = sellers_suspend_by_score(
            reasons={o.seller_id: suspension_reason(o.counts, o.result, formula) for o in to_suspend},
            actor=actor,
            score_data=_performance_payloads(to_suspend, formula=formula, day=day, now=now),
            now=now,
        )
    run.seconds = time.perf_counter() - started
    return run


def _history_write(outcomes: list[_Outcome], *, day: date, formula_id: int, now: datetime) -> None:
    """One upsert of the day's rows (`ON CONFLICT (seller_id, day) DO UPDATE`): a rerun rewrites them."""
    if not outcomes:
        return
    columns = ["seller_id", *COUNT_FIELDS, "score", "step"]
    arrays: list[list[Any]] = [[o.seller_id for o in outcomes]]
    arrays += [[getattr(o.counts, name) for o in outcomes] for name in COUNT_FIELDS]
    arrays.append([o.result.score for o in outcomes])
    arrays.append([str(o.step) for o in outcomes])
    types = ["bigint", *(["bigint"] * len(COUNT_FIELDS)), "integer", "text"]
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    names = ", ".join(columns)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in [*columns[1:], "formula_id", "computed_at"])
    sql = (
        f"INSERT INTO sellers_performanceday ({names}, day, formula_id, computed_at) "  # noqa: S608 - fixed names
        f"SELECT v.*, %s::date, %s, %s FROM unnest({unnest}) AS v({names}) "
        f"ON CONFLICT (seller_id, day) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, formula_id, now, *arrays])


def _sellers_write(outcomes: list[_Outcome], *, suspending: set[int], day: date) -> None:
    """One UPDATE of the sellers' score, step and day (rows already so are left alone). A seller the
    ladder is about to suspend keeps its step until the suspension records it under its lock."""
    ids = [o.seller_id for o in outcomes]
    scores = [o.result.score for o in outcomes]
    steps = [o.old_step if o.seller_id in suspending else str(o.step) for o in outcomes]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE sellers_seller s SET score = v.score, ladder_step = v.step, scored_on = %s
            FROM unnest(%s::bigint[], %s::integer[], %s::text[]) AS v(id, score, step)
            WHERE s.organisation_id = v.id
                AND (s.score IS DISTINCT FROM v.score OR s.ladder_step <> v.step OR s.scored_on IS DISTINCT FROM %s)
                AND (v.step <> 'suspended' OR s.status = 'suspended')
            """,
            [day, ids, scores, steps, day],
        )


def _performance_payloads(outcomes: list[_Outcome], *, formula: Formula, day: date, now: datetime) -> dict[int, Any]:
    """Each seller's performance as its GET endpoint returns it, history included (read in one query:
    the whole window's rows when most sellers are concerned, rather than a list of thousands of ids)."""
    ids = {o.seller_id for o in outcomes}
    history: dict[int, list[dict[str, Any]]] = {seller_id: [] for seller_id in ids}
    rows = PerformanceDay.objects.filter(day__gt=day - timedelta(days=formula.window_days), day__lte=day)
    if len(ids) <= 500:
        rows = rows.filter(seller_id__in=ids)
    for seller_id, point_day, point_score in rows.order_by("seller_id", "day").values_list("seller_id", "day", "score"):
        points = history.get(seller_id)
        if points is not None:
            points.append({"date": point_day.isoformat(), "score": point_score})
    window = window_of(day, formula.window_days, now)
    payloads = {}
    for outcome in outcomes:
        performance = Performance(
            seller=Seller(organisation_id=outcome.seller_id, ladder_step=str(outcome.step)),
            formula=formula,
            row=None,
            result=outcome.result,
            step=str(outcome.step),
            history=[],
            window=window,
        )
        payloads[outcome.seller_id] = {
            **performance_data(performance, history=False),
            "history": history[outcome.seller_id],
        }
    return payloads


def _events_write(moved: list[_Outcome], *, formula: Formula, day: date, now: datetime) -> None:
    """`seller.score_changed` for every seller whose score or step moved, one statement."""
    if not moved:
        return
    payloads = _performance_payloads(moved, formula=formula, day=day, now=now)
    organisations = Organisation.objects.in_bulk([o.seller_id for o in moved])
    emit_many(
        EventType.SELLER_SCORE_CHANGED,
        [(payloads[o.seller_id], organisations[o.seller_id]) for o in moved],
    )


def _audits_write(stepped: list[_Outcome], *, actor: Actor, formula: Formula) -> None:
    """One audit row per ladder step change, under the seller (from `ladder:<old>` to `ladder:<new>`)."""
    if not stepped:
        return
    content_type = ContentType.objects.get_for_model(Seller)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_user=actor.user,
                actor_api_key=actor.api_key,
                actor_label=actor.label,
                organisation_id=o.seller_id,
                content_type=content_type,
                object_id=str(o.seller_id),
                from_status=f"ladder:{o.old_step}",
                to_status=f"ladder:{o.step}",
                reason=(
                    _("Quality score %(score)s (formula v%(version)d).")
                    % {"score": "-" if o.result.score is None else o.result.score, "version": formula.version}
                ),
            )
            for o in stepped
        ],
        batch_size=500,
    )


def _queue_step_mails(mail: list[tuple[int, str]]) -> None:
    notifications.mails_queue([("notify_ladder_step_task", (seller_id, step)) for seller_id, step in mail])


def seller_score_now(*, seller: Seller, actor: Actor) -> ScoringRun:
    """Score one seller right away (the console's "score now" on a seller's page)."""
    return sellers_score(seller_ids=[seller.pk], actor=actor)
