"""Sending deliveries: the dispatcher, attempts in batches, their outcome, retries, redelivery by hand.

Flow of a delivery (`WebhookDelivery`, created by the relay):

1. `deliveries_dispatch` marks due deliveries as queued and sends them as task messages of up to
   `BATCH_SIZE` (after commit), keeping at most `WEBHOOKS_MAX_QUEUED` queued at once: a backlog of
   100,000 waits in the database, not in Redis or in a worker's memory. Each finished batch queues
   as many due deliveries as it attempted, and the sweep (every 15 s) queues due retries and
   re-queues deliveries whose message was lost (`QUEUE_LEASE`).
2. `deliveries_attempt` (the task): under the row locks, keeps the deliveries that are open, due and
   not leased to another worker, and leases them (`sending_until`, `attempt_lease`); then, outside
   any transaction and concurrently (`SEND_THREADS`), resolves and checks each URL again
   (`partners.destinations`), signs and POSTs (`partners.sender`, 10 s in all per attempt); then
   records every attempt and moves every delivery in one transaction.
3. Outcome: 2xx succeeded; 410 Gone disables the endpoint; 429 waits its `Retry-After`; anything
   else (or no answer) is retried with exponential backoff and jitter while the delivery is younger
   than 3 days, then failed. An endpoint whose failures have lasted 3 days without a success is
   disabled. Disabling an endpoint fails its open deliveries and e-mails its owners.

A worker killed during an attempt leaves its lease to expire; the message comes back (acks late,
`reject_on_worker_lost`) or the sweep re-queues it, and the next attempt logs the lost one as
interrupted. A delivery is thus sent at least once; the receiver drops duplicates by event id.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import EventType
from marketplace.transitions import audit_record
from partners import sender
from partners.destinations import DestinationRefusedError, destination_for
from partners.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partners.services import queueing
from partners.services.endpoints import webhook_endpoint_disable
from partners.signatures import SIGNATURE_HEADER, webhook_body, webhook_signature
from partners.states import OPEN_STATUSES, AttemptTrigger, DeliveryStatus, DisabledReason, sources_of

# API.md: retried for up to 3 days; an endpoint failing for 3 days is disabled.
RETRY_WINDOW = timedelta(days=3)
FAILING_DISABLES_AFTER = timedelta(days=3)
BACKOFF_FIRST_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
# A queued message not consumed within this time may be lost (Redis restarted without its data):
# the sweep sends another. Longer than any queue wait at the cap, so duplicates stay rare (and harmless).
QUEUE_LEASE = timedelta(hours=1)


def attempt_lease(timeout: float) -> timedelta:
    """How long a worker holds a delivery for one attempt: twice the deadline plus 10 s to record it
    (30 s for the 10 s deadline). After that, another worker may take it over."""
    return timedelta(seconds=2 * timeout + 10)


# Deliveries per task message, and requests in flight at once within one: a batch takes about one
# deadline at most, so a slow receiver holds a worker process no longer than an attempt does.
BATCH_SIZE = 20
SEND_THREADS = 20
USER_AGENT = "Encore-Webhooks/1.0"
SENDER = Actor.system("webhook sender")


class AttemptOutcome(StrEnum):
    SENT = "sent"  # an attempt was made (whatever its answer)
    NOT_OPEN = "not-open"  # succeeded, failed or deleted meanwhile: nothing to do
    NOT_DUE = "not-due"  # its next attempt is later (the sweep will queue it)
    BUSY = "busy"  # another worker holds the lease (retry once it has expired)


@dataclass(frozen=True)
class Attempted:
    outcome: AttemptOutcome
    status: str = ""
    retry_in: float = 0.0  # for BUSY: seconds until the other worker's lease expires


def retry_delay(failures: int, *, rng: random.Random | None = None) -> timedelta:
    """Wait before the next attempt after `failures` failed ones: exponential with equal jitter.

    min(60 s x 2^(failures-1), 6 h), of which a random half: 30-60 s, 1-2 min, 2-4 min, ... up to
    3-6 h. Jitter spreads the retries of many deliveries that failed together (a receiver's outage).
    """
    ceiling = min(BACKOFF_FIRST_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS)
    jitter = (rng or random).uniform(0, ceiling / 2)  # spreading load, not secrecy
    return timedelta(seconds=ceiling / 2 + jitter)


def deliveries_dispatch(*, limit: int | None = None) -> int:
    """Queue tasks for due deliveries not queued yet, oldest first, keeping at most `WEBHOOKS_MAX_QUEUED`
    queued; the sweep (`limit=None`) also queues again those whose message may be lost (`QUEUE_LEASE`).
    `limit` queues at most that many without counting (each finished batch queues as many as it
    attempted). Safe with several dispatchers at once (`SKIP LOCKED`). Returns how many were queued."""
    now = timezone.now()
    stale = now - QUEUE_LEASE
    sweep = limit is None
    if limit is None:
        queued = WebhookDelivery.objects.filter(status__in=OPEN_STATUSES, queued_at__gte=stale).count()
        limit = max(0, settings.WEBHOOKS_MAX_QUEUED - queued)
    if limit <= 0:
        return 0
    with transaction.atomic():
        # Not yet queued: a partial index holds exactly these, so finding them costs the same however
        # many are already queued.
        wanted = Q(queued_at__isnull=True) | Q(queued_at__lt=stale) if sweep else Q(queued_at__isnull=True)
        due = (
            WebhookDelivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
            .filter(wanted)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
        )
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids).update(queued_at=now)
            transaction.on_commit(lambda: queueing.delivery_enqueue(ids, batch_size=BATCH_SIZE))
    return len(ids)


@dataclass
class Claimed:
    """A delivery this worker holds for one attempt, with what the attempt needs (no database access)."""

    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]
    started: datetime
    lease_until: datetime
    trigger: str


@dataclass
class Batch:
    """What a batch of attempts did: the new status per delivery attempted, and the deliveries held by
    another worker's lease (to look at again once it has expired)."""

    statuses: dict[int, str] = field(default_factory=dict)
    busy: list[int] = field(default_factory=list)
    retry_in: float = 0.0


def deliveries_attempt(*, delivery_ids: list[int]) -> Batch:
    """Make the due attempt of each delivery, sent concurrently (`SEND_THREADS`), each within the 10 s
    deadline, so a batch takes at most about one deadline. See the module's flow."""
    timeout = float(settings.WEBHOOKS_TIMEOUT_SECONDS)
    batch = Batch()
    claims = _claim(delivery_ids, timeout=timeout, batch=batch)
    if claims:
        with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(claims)), thread_name_prefix="webhook") as pool:
            answers = list(pool.map(lambda claim: _send(claim, timeout), claims))
        batch.statuses.update(_record(list(zip(claims, answers, strict=True))))
        # Keep the conveyor moving: as many due deliveries queued as were just attempted.
        deliveries_dispatch(limit=len(claims))
    return batch


def delivery_attempt(*, delivery_id: int) -> Attempted:
    """The due attempt of one delivery (a batch of one): what the tests and a redelivery use."""
    batch = deliveries_attempt(delivery_ids=[delivery_id])
    if delivery_id in batch.statuses:
        return Attempted(AttemptOutcome.SENT, status=batch.statuses[delivery_id])
    if delivery_id in batch.busy:
        return Attempted(AttemptOutcome.BUSY, retry_in=batch.retry_in)
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).only("status", "next_attempt_at").first()
    if delivery is not None and delivery.status in OPEN_STATUSES:
        return Attempted(AttemptOutcome.NOT_DUE)
    return Attempted(AttemptOutcome.NOT_OPEN, status=delivery.status if delivery else "")


def _claim(delivery_ids: list[int], *, timeout: float, batch: Batch) -> list[Claimed]:
    """Under the row locks (rows another transaction holds are left to it): keep the open, due
    deliveries not leased to another worker, lease them, and prepare their requests."""
    started = timezone.now()
    lease_until = started + attempt_lease(timeout)
    claims: list[Claimed] = []
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("endpoint", "event")
            .filter(pk__in=delivery_ids, status__in=OPEN_STATUSES, next_attempt_at__lte=started)
            .order_by("pk")
        )
        for delivery in rows:
            if delivery.sending_until is not None and delivery.sending_until > started:
                batch.busy.append(delivery.pk)
                batch.retry_in = max(batch.retry_in, (delivery.sending_until - started).total_seconds())
                continue
            if delivery.sending_until is not None:
                _log_interrupted(delivery, started)
            endpoint = delivery.endpoint
            if not endpoint.enabled and delivery.event_type != EventType.PING:
                _close(delivery, DeliveryStatus.FAILED, error="endpoint disabled", now=started)
                batch.statuses[delivery.pk] = DeliveryStatus.FAILED
                continue
            body = webhook_body(delivery.event)
            number = delivery.attempt_count + 1
            claims.append(
                Claimed(
                    delivery_id=delivery.pk,
                    url=endpoint.url,
                    body=body,
                    headers={
                        "Content-Type": "application/json",
                        "User-Agent": USER_AGENT,
                        "Accept-Encoding": "identity",
                        SIGNATURE_HEADER: webhook_signature(secrets=endpoint.signing_secrets(started), body=body),
                        "Encore-Event-Id": delivery.event_id,
                        "Encore-Event-Type": delivery.event_type,
                        "Encore-Delivery": str(delivery.pk),
                        "Encore-Attempt": str(number),
                    },
                    started=started,
                    lease_until=lease_until,
                    trigger=AttemptTrigger.MANUAL if delivery.manual else AttemptTrigger.AUTOMATIC,
                )
            )
        if claims:
            WebhookDelivery.objects.filter(pk__in=[claim.delivery_id for claim in claims]).update(
                sending_until=lease_until
            )
    return claims


def _send(claim: Claimed, timeout: float) -> sender.Answer:
    """Check the URL again (DNS now), then POST; the whole attempt within `timeout`. No database access."""
    clock = time.monotonic()
    try:
        destination = destination_for(claim.url, timeout=min(5.0, timeout))
    except DestinationRefusedError as refusal:
        return sender.Answer(status_code=None, body="", duration_ms=0, error=f"refused: {refusal.message}"[:200])
    remaining = max(0.5, timeout - (time.monotonic() - clock))
    answer = sender.post(destination, body=claim.body, headers=claim.headers, timeout=remaining)
    return sender.Answer(
        status_code=answer.status_code,
        body=answer.body,
        duration_ms=int((time.monotonic() - clock) * 1000),
        error=answer.error,
        retry_after=answer.retry_after,
    )


def _log_interrupted(delivery: WebhookDelivery, now: datetime) -> None:
    """The previous attempt's worker stopped before recording it (killed, lost): log it as such."""
    number = delivery.attempt_count + 1
    lease_until = delivery.sending_until or now
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        trigger=AttemptTrigger.AUTOMATIC,
        # The lease was taken at the attempt's start for its deadline plus the margin.
        started_at=lease_until - attempt_lease(settings.WEBHOOKS_TIMEOUT_SECONDS),
        duration_ms=0,
        error="interrupted: the worker stopped during the attempt",
    )
    delivery.attempt_count = number
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_count=number, sending_until=None)


def _record(results: list[tuple[Claimed, sender.Answer]]) -> dict[int, str]:
    """Log each attempt and move each delivery (and its endpoint) by its answer, in one transaction.
    Returns the new status per delivery."""
    now = timezone.now()
    statuses: dict[int, str] = {}
    answers = {claim.delivery_id: (claim, answer) for claim, answer in results}
    with transaction.atomic():
        deliveries = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk__in=list(answers))
            .order_by("pk")
        )
        attempts: list[WebhookAttempt] = []
        moved: list[WebhookDelivery] = []
        for delivery in deliveries:  # a delivery deleted meanwhile (with its endpoint) is simply gone
            claim, answer = answers[delivery.pk]
            number = delivery.attempt_count + 1
            attempts.append(
                WebhookAttempt(
                    delivery=delivery,
                    number=number,
                    trigger=claim.trigger,
                    started_at=claim.started,
                    duration_ms=answer.duration_ms,
                    status_code=answer.status_code,
                    response_body=answer.body,
                    error=answer.error,
                )
            )
            if delivery.sending_until != claim.lease_until:
                # Our lease ran out and another attempt took over (or the endpoint was disabled): log only.
                WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_count=number)
                statuses[delivery.pk] = delivery.status
                continue
            statuses[delivery.pk] = _apply(delivery, answer, number=number, started=claim.started, now=now)
            moved.append(delivery)
        _save_moved(moved)
        WebhookAttempt.objects.bulk_create(attempts)
    return statuses


def _save_moved(deliveries: list[WebhookDelivery]) -> None:
    """Save the moved deliveries in one UPDATE ... FROM (VALUES ...): the ORM's `bulk_update` builds a
    CASE expression per field and row, which cost more CPU than the rest of an attempt together."""
    if not deliveries:
        return
    types = ("bigint", "varchar", "timestamptz", "timestamptz", "integer", "timestamptz", "integer", "varchar")
    row = "(" + ", ".join(f"%s::{name}" for name in types) + ")"
    params: list[int | str | datetime | None] = []
    for delivery in deliveries:
        params += [
            delivery.pk,
            delivery.status,
            delivery.next_attempt_at,
            delivery.completed_at,
            delivery.attempt_count,
            delivery.last_attempt_at,
            delivery.last_status_code,
            delivery.last_error,
        ]
    table = WebhookDelivery._meta.db_table
    sql = (
        f"UPDATE {table} AS d SET status = v.status, next_attempt_at = v.next_attempt_at, "  # noqa: S608 - our table
        "completed_at = v.completed_at, attempt_count = v.attempt_count, last_attempt_at = v.last_attempt_at, "
        "last_status_code = v.last_status_code, last_error = v.last_error, sending_until = NULL, "
        "queued_at = NULL, manual = false "
        f"FROM (VALUES {', '.join([row] * len(deliveries))}) "
        "AS v(id, status, next_attempt_at, completed_at, attempt_count, last_attempt_at, last_status_code, last_error) "
        "WHERE d.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _apply(delivery: WebhookDelivery, answer: sender.Answer, *, number: int, started: datetime, now: datetime) -> str:
    """Move one delivery (in memory: the caller saves the batch at once, `_save_moved`) and its
    endpoint (at once) by the answer of its attempt number `number`."""
    endpoint = delivery.endpoint
    delivery.attempt_count = number
    delivery.last_attempt_at = started
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error
    delivery.sending_until = None
    delivery.queued_at = None
    delivery.manual = False
    next_attempt: datetime | None = None
    if answer.succeeded:
        status = DeliveryStatus.SUCCEEDED
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)
            endpoint.failing_since = None
    elif answer.status_code == 410:
        status = DeliveryStatus.FAILED
        webhook_endpoint_disable(endpoint_id=endpoint.pk, reason=DisabledReason.GONE, actor=SENDER)
    elif delivery.event_type == EventType.PING:
        # A ping is a test: one attempt, no retry, and it does not count against the endpoint.
        status = DeliveryStatus.FAILED
    else:
        failing_since = endpoint.failing_since
        if failing_since is None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
            failing_since = endpoint.failing_since = now
        if now - failing_since >= FAILING_DISABLES_AFTER:
            status = DeliveryStatus.FAILED
            webhook_endpoint_disable(endpoint_id=endpoint.pk, reason=DisabledReason.FAILING, actor=SENDER)
        else:
            wait = (
                timedelta(seconds=answer.retry_after)
                if answer.status_code == 429 and answer.retry_after is not None
                else retry_delay(number)
            )
            if now + wait > delivery.created_at + RETRY_WINDOW:
                status = DeliveryStatus.FAILED
            else:
                status, next_attempt = DeliveryStatus.RETRYING, now + wait
    delivery.status = status
    delivery.next_attempt_at = next_attempt
    delivery.completed_at = now if status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED) else None
    return status


def _close(delivery: WebhookDelivery, status: DeliveryStatus, *, error: str, now: datetime) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, next_attempt_at=None, completed_at=now, last_error=error, sending_until=None, queued_at=None
    )


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: Actor) -> WebhookDelivery:
    """Attempt a delivery again now, by hand (API or back-office), whatever its status.

    Refused (409) while an attempt is in progress, and when the endpoint is disabled (enable it first).
    The attempt is logged as manual; a failure retries automatically only inside the delivery's 3 days.
    """
    now = timezone.now()
    locked = WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery.pk)
    if locked.sending_until is not None and locked.sending_until > now:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            "An attempt of this delivery is in progress; redeliver it once it is recorded.",
        )
    if not locked.endpoint.enabled and locked.event_type != EventType.PING:
        raise ApplicationError(ErrorCode.INVALID_TRANSITION, "The endpoint is disabled: enable it before redelivering.")
    previous = locked.status
    if previous not in sources_of(DeliveryStatus.PENDING) and previous != DeliveryStatus.PENDING:
        raise ApplicationError(ErrorCode.INVALID_TRANSITION, f"A {previous} delivery cannot be redelivered.")
    WebhookDelivery.objects.filter(pk=locked.pk).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        completed_at=None,
        queued_at=now,
        sending_until=None,
        manual=True,
    )
    audit_record(
        obj=locked,
        actor=actor,
        from_status=previous,
        to_status=DeliveryStatus.PENDING,
        reason="redelivered by hand",
        organisation=locked.endpoint.organisation,
    )
    transaction.on_commit(lambda: queueing.delivery_enqueue([locked.pk]))
    locked.refresh_from_db()
    return locked


def deliveries_purge(*, older_than: timedelta, batch_size: int = 5000) -> int:
    """Delete closed deliveries (and their attempts) created before `older_than` ago, in bounded batches."""
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        ids = list(
            WebhookDelivery.objects.filter(created_at__lt=cutoff)
            .exclude(status__in=OPEN_STATUSES)
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        WebhookAttempt.objects.filter(delivery_id__in=ids).delete()
        WebhookDelivery.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
