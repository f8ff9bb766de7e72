"""The scoring job through the database: each metric counted from the real tables, the history, the
catalog's score, idempotency, and the ladder's moves (DOMAIN.md, Seller performance and sanctions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalog.models import Listing, SellerStanding
from catalog.services.listings import listing_pause
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.models import AuditEvent, Event
from orders.models import SellerOrder
from orders.services.fulfilment import seller_order_cancel
from orders.states import CancelledBy
from sellers import notifications
from sellers.models import PerformanceDay, Seller
from sellers.notifications import notify_ladder_step_task, notify_termination_notice_task
from sellers.selectors.performance import performance_data, performance_get
from sellers.services.lifecycle import seller_reinstate, seller_terminate, terminations_due
from sellers.services.performance import sellers_score
from sellers.states import LadderStep, SellerStatus
from sellers.tasks import sellers_score_task
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, paid
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import delivered_units, open_claim
from warranty.models import Claim
from warranty.services.claims import Claimant, claim_decide, claim_respond
from warranty.services.returns import return_open
from warranty.services.reviews import review_submit

pytestmark = pytest.mark.django_db
MANAGER = Actor.system("success manager (tests)")


@pytest.fixture
def queued(monkeypatch):
    """The e-mail tasks queued after commit, as (task, arguments), instead of being sent to the broker."""
    sent: list[tuple[str, tuple]] = []
    for name in (
        "notify_ladder_step_task",
        "notify_seller_status_task",
        "notify_success_managers_task",
        "notify_termination_notice_task",
    ):
        task = getattr(notifications, name)
        monkeypatch.setattr(task, "delay", lambda *args, _name=name: sent.append((_name, args)))
    return sent


def seller_with_units(units: int, **seller: object):
    """An active seller with `units` units delivered today in one order, a live listing of its own, and
    the buyer; returns (seller, warranties, live listing, buyer)."""
    the_seller = SellerFactory(**seller)
    buyer = UserFactory()
    warranties = delivered_units(buyer, quantity=units, seller=the_seller.organisation, sku="SOLD-1")
    live = make_listing(seller=the_seller.organisation, sku="LIVE-1", stock=3)
    return the_seller, warranties, live, buyer


def defects(warranties, count: int) -> None:
    """Open technical claims on the first `count` units (unanswered, within their deadline)."""
    for warranty in warranties[:count]:
        open_claim(warranty)


def cancelled_by_the_seller(seller: Seller) -> None:
    listing = make_listing(seller=seller.organisation, sku=f"CANCEL-{SellerOrder.objects.count()}", stock=1)
    seller_order = paid((listing, 1)).seller_orders.get()
    seller_order_cancel(seller_order=seller_order, actor=SYSTEM, by=CancelledBy.SELLER, reason="no stock")


def run(**kwargs):
    return sellers_score(actor=Actor.system("scoring job"), **kwargs)


def test_a_seller_with_fewer_than_20_units_delivered_is_new():
    seller, _, _, _ = seller_with_units(19)

    result = run()

    seller.refresh_from_db()
    row = PerformanceDay.objects.get(seller=seller)
    assert (row.units_delivered, row.score, row.step) == (19, None, "none")
    assert (seller.score, seller.ladder_step) == (None, "none")
    assert SellerStanding.objects.get(organisation=seller.organisation).score is None  # neutral in the buy box
    assert performance_data(performance_get(seller=seller))["status"] == "new"
    assert result.new >= 1


def test_each_metric_is_counted_from_orders_and_after_sales():
    seller, warranties, _, buyer = seller_with_units(20)
    opened = timezone.now() - timedelta(hours=12)
    first = open_claim(warranties[0], now=opened)
    second = open_claim(warranties[1], category="battery", now=opened)
    open_claim(warranties[2], category="cosmetic", now=opened)  # not a technical defect
    claim_respond(claim=first, resolution="repair", message="Send it", actor=SYSTEM, now=opened + timedelta(hours=2))
    claim_respond(claim=second, resolution="repair", message="Send it", actor=SYSTEM, now=opened + timedelta(hours=10))
    sold = warranties[0].line.seller_order
    return_open(
        seller_order=sold, units=[warranties[5].unit], reason="defective", buyer=Claimant(shopper=buyer), actor=SYSTEM
    )
    return_open(
        seller_order=sold,
        units=[warranties[6].unit],
        reason="changed_mind",
        buyer=Claimant(shopper=buyer),
        actor=SYSTEM,
    )
    review_submit(line=warranties[0].line, shopper=buyer, seller_stars=4, unit_stars=5, text="Good.", actor=SYSTEM)
    cancelled_by_the_seller(seller)
    late = paid((make_listing(seller=seller.organisation, sku="LATE-1", stock=1), 1)).seller_orders.get()
    SellerOrder.objects.filter(pk=late.pk).update(ship_by=timezone.now() - timedelta(hours=1))  # due, not shipped

    run()

    row = PerformanceDay.objects.get(seller=seller)
    assert (row.units_delivered, row.defects) == (20, 3)  # 2 technical claims + 1 unit returned as defective
    assert (row.seller_orders, row.cancelled_by_seller) == (3, 1)
    assert (row.ship_due, row.shipped_late) == (2, 1)  # the cancelled order is neither due nor late
    assert (row.rating_count, row.rating_sum) == (1, 4)
    assert (row.answered_claims, row.median_answer_seconds) == (2, 6 * 3600)  # median of 2 h and 10 h
    assert (row.audited_units, row.audit_failures) == (0, 0)
    # Defects 15 % (0 of 35), cancellations 1/3 (0 of 15), late 1/2 (0 of 15), rating 4.0 (8.8 of 15),
    # answers in 6 h (10 of 10), no audit: 18.8 / 90 -> 21.
    assert row.score == 21
    assert row.formula.version == 1


def test_a_claim_rejected_as_not_covered_is_no_defect():
    seller, warranties, _, _ = seller_with_units(20)
    claim = open_claim(warranties[0])
    Claim.objects.filter(pk=claim.pk).update(status="escalated", escalated_at=timezone.now())
    claim.refresh_from_db()
    claim_decide(claim=claim, decision="reject", reason="Liquid damage.", actor=SYSTEM)

    run()

    assert PerformanceDay.objects.get(seller=seller).defects == 0


def test_orders_outside_the_window_do_not_count():
    seller, _, _, _ = seller_with_units(20)
    SellerOrder.objects.filter(seller=seller.organisation).update(delivered_at=timezone.now() - timedelta(days=91))

    run()

    assert PerformanceDay.objects.get(seller=seller).units_delivered == 0


def test_the_job_writes_the_score_the_history_and_the_buy_box_score():
    seller, _, _, _ = seller_with_units(20)

    result = run()

    seller.refresh_from_db()
    assert (seller.score, seller.scored_on) == (100, timezone.now().date())
    assert SellerStanding.objects.get(organisation=seller.organisation).score == 100
    assert result.score_changes >= 1
    event = Event.objects.get(type="seller.score_changed", organisation=seller.organisation)
    assert (event.data["score"], event.data["step"]) == (100, "none")
    assert event.data["history"] == [{"date": timezone.now().date().isoformat(), "score": 100}]


def test_run_twice_the_same_day_gives_the_same_history_and_emits_nothing_twice():
    seller, warranties, _, _ = seller_with_units(100)
    defects(warranties, 7)  # 7 % defects: 66, a warning

    run()
    first = list(PerformanceDay.objects.order_by("seller_id").values())
    events, audits = Event.objects.count(), AuditEvent.objects.count()
    run()
    second = list(PerformanceDay.objects.order_by("seller_id").values())

    strip = lambda rows: [{k: v for k, v in row.items() if k != "computed_at"} for row in rows]  # noqa: E731
    assert strip(first) == strip(second)
    assert (Event.objects.count(), AuditEvent.objects.count()) == (events, audits)
    seller.refresh_from_db()
    assert (seller.score, seller.ladder_step) == (66, "warning")


def test_the_task_scores_a_given_day_and_keeps_one_row_per_seller_per_day():
    seller, _, _, _ = seller_with_units(20)
    today = timezone.now().date()

    sellers_score_task(today.isoformat())
    sellers_score_task((today - timedelta(days=1)).isoformat())
    sellers_score_task(today.isoformat())

    assert list(PerformanceDay.objects.filter(seller=seller).order_by("day").values_list("day", flat=True)) == [
        today - timedelta(days=1),
        today,
    ]


def test_a_seller_crosses_each_threshold_and_comes_back_on_reinstatement(django_capture_on_commit_callbacks, queued):
    # 100 units delivered; defects, a cancelled order and the ladder: v1's numbers (DOMAIN.md).
    seller, warranties, live, _ = seller_with_units(100)
    paused_by_seller = make_listing(seller=seller.organisation, sku="MINE-PAUSED", stock=2)
    listing_pause(listing=paused_by_seller, actor=SYSTEM)
    run()
    seller.refresh_from_db()
    assert (seller.score, seller.ladder_step) == (100, "none")

    # Warning (< 70): 4 % defects and a cancelled order of 2 -> 63.
    defects(warranties, 4)
    cancelled_by_the_seller(seller)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run()
    seller.refresh_from_db()
    assert (seller.score, seller.ladder_step, seller.status) == (63, "warning", "active")
    assert queued == [("notify_ladder_step_task", (seller.pk, "warning"))]  # after commit
    assert notify_ladder_step_task(seller.pk, "warning") == 1
    with translation.override("fr"):  # the seller's language (its home market, France)
        assert mail.outbox[-1].subject == gettext("Encore: your quality score needs attention")

    # Listing cap (< 60): 6 % defects -> 50.
    defects(warranties[4:], 2)
    run()
    seller.refresh_from_db()
    assert (seller.score, seller.ladder_step) == (50, "cap")
    assert notify_ladder_step_task(seller.pk, "cap") == 1
    with translation.override("fr"):
        assert mail.outbox[-1].subject == gettext("Encore: your quality score limits your new listings")

    # Suspended by the score (< 50): 7 % defects -> 43. Exactly the live listings are paused.
    defects(warranties[6:], 1)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = run()
    seller.refresh_from_db()
    assert result.suspended == [seller.pk]
    assert (seller.score, seller.ladder_step, seller.status) == (43, "suspended", "suspended")
    statuses = dict(Listing.objects.filter(seller=seller.organisation).values_list("sku", "status"))
    assert (statuses["LIVE-1"], statuses["MINE-PAUSED"]) == ("paused_by_platform", "paused")
    assert queued == [
        ("notify_seller_status_task", (seller.pk, "suspended", AuditEvent.objects.get(to_status="suspended").reason)),
        ("notify_success_managers_task", (seller.pk, "score")),
    ]
    assert Event.objects.filter(type="listing.paused", data__listing=live.pk).exists()
    assert Event.objects.filter(type="seller.status_changed", data__to="suspended").exists()
    changed = Event.objects.filter(type="seller.score_changed").order_by("created_at", "id").last()
    assert (changed.data["score"], changed.data["step"]) == (43, "suspended")
    audit_steps = list(
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Seller))
        .order_by("at", "id")
        .values_list("from_status", "to_status")
    )
    assert audit_steps[-3:] == [
        ("ladder:none", "ladder:warning"),
        ("ladder:warning", "ladder:cap"),
        ("active", "suspended"),
    ]

    # A second run changes nothing: the seller stays suspended until a success manager decides.
    assert run().suspended == []

    # Reinstated by hand: exactly the listings the platform paused resume; 30 days' grace.
    seller_reinstate(seller=seller, actor=MANAGER, reason="New test bench installed")
    seller.refresh_from_db()
    statuses = dict(Listing.objects.filter(seller=seller.organisation).values_list("sku", "status"))
    assert (statuses["LIVE-1"], statuses["MINE-PAUSED"]) == ("active", "paused")
    assert seller.ladder_grace_until > timezone.now() + timedelta(days=29)
    # Its step at once is the one its latest score gives within the grace period: the cap, not none.
    assert seller.ladder_step == LadderStep.CAP
    assert Event.objects.filter(type="seller.score_changed").order_by("created_at", "id").last().data["step"] == "cap"

    # Within the grace period the same score caps but does not suspend (warnings still go out).
    result = run()
    seller.refresh_from_db()
    assert result.suspended == []
    assert (seller.status, seller.ladder_step) == ("active", "cap")

    # After the grace period, the ladder may suspend again.
    Seller.objects.filter(pk=seller.pk).update(ladder_grace_until=timezone.now() - timedelta(minutes=1))
    assert run().suspended == [seller.pk]


def test_a_defect_rate_above_8_percent_suspends_whatever_the_score():
    seller, warranties, _, _ = seller_with_units(100)
    defects(warranties, 9)

    run()

    seller.refresh_from_db()
    assert (seller.status, seller.ladder_step) == (SellerStatus.SUSPENDED, LadderStep.SUSPENDED)
    assert "defect rate 9.0 % is above 8.0 %" in AuditEvent.objects.filter(to_status="suspended").get().reason


def test_a_probation_seller_is_capped_not_suspended():
    seller, warranties, _, _ = seller_with_units(100, in_probation=True)
    defects(warranties, 9)

    run()

    seller.refresh_from_db()
    assert (seller.status, seller.ladder_step) == ("probation", "cap")


def test_a_seller_suspended_by_hand_is_not_on_the_ladder():
    from sellers.services.lifecycle import seller_suspend

    seller, warranties, _, _ = seller_with_units(100)
    seller_suspend(seller=seller, actor=MANAGER, reason="Documents expired")
    defects(warranties, 9)

    run()

    seller.refresh_from_db()
    assert (seller.status, seller.ladder_step, seller.score) == ("suspended", "none", 53)


def test_reinstating_with_the_cap_kept_caps_whatever_the_score():
    from sellers.selectors import daily_cap_of

    seller, warranties, _, _ = seller_with_units(100)
    defects(warranties, 9)
    run()
    seller.refresh_from_db()

    seller_reinstate(seller=seller, actor=MANAGER, reason="Second chance", keep_cap=True)

    seller.refresh_from_db()
    cap = daily_cap_of(seller)
    assert cap is not None
    assert (cap.reason, cap.cap, str(cap.code)) == ("score", 5, "score-daily-cap")


def test_termination_gives_30_days_notice_except_for_fraud(django_capture_on_commit_callbacks, queued):
    seller, warranties, live, _ = seller_with_units(100)
    defects(warranties, 9)
    run()
    seller.refresh_from_db()

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seller_terminate(seller=seller, actor=MANAGER, reason="Defects above 8 % for a month.", ground="quality")

    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED  # not yet: 30 days' notice
    assert seller.terminates_at - seller.termination_notice_at == timedelta(days=30)
    assert queued == [("notify_termination_notice_task", (seller.pk,))]
    assert notify_termination_notice_task(seller.pk) == 1
    assert "Defects above 8 % for a month." in mail.outbox[-1].body
    assert terminations_due() == 0  # nothing due yet

    assert terminations_due(now=timezone.now() + timedelta(days=30, minutes=1)) == 1

    seller.refresh_from_db()
    live.refresh_from_db()
    assert (seller.status, seller.ladder_step, live.status) == ("terminated", "none", ListingStatus.DEACTIVATED)
    assert seller.termination_statement == "Defects above 8 % for a month."


def test_fraud_terminates_at_once_and_reinstating_withdraws_a_notice():
    first, _, _, _ = seller_with_units(20)
    second, _, _, _ = seller_with_units(20)
    from sellers.services.lifecycle import seller_suspend

    for seller in (first, second):
        seller_suspend(seller=seller, actor=MANAGER, reason="Audit")
        seller.refresh_from_db()

    seller_terminate(seller=first, actor=MANAGER, reason="Identifiers of other devices shipped.", ground="fraud")
    seller_terminate(seller=second, actor=MANAGER, reason="Quality.", ground="quality")
    seller_reinstate(seller=second, actor=MANAGER, reason="Appeal accepted")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SellerStatus.TERMINATED
    assert (second.status, second.terminates_at, second.termination_statement) == ("active", None, "")


def test_a_day_moving_many_sellers_queues_one_message_that_fans_out_the_mails(monkeypatch):
    """From FAN_OUT_FROM e-mails on, the job queues one message; the worker's task queues each e-mail."""
    fanned: list[list] = []
    one_by_one: list[tuple] = []
    monkeypatch.setattr(notifications.mails_fan_out_task, "delay", lambda calls: fanned.append(calls))
    monkeypatch.setattr(notifications.notify_ladder_step_task, "delay", lambda *args: one_by_one.append(args))
    few = [("notify_ladder_step_task", (n, "warning")) for n in range(notifications.FAN_OUT_FROM - 1)]
    many = [("notify_ladder_step_task", (n, "cap")) for n in range(notifications.FAN_OUT_FROM)]

    notifications.mails_queue(few)
    assert (len(one_by_one), fanned) == (len(few), [])

    one_by_one.clear()
    notifications.mails_queue(many)
    assert one_by_one == []
    assert fanned == [[["notify_ladder_step_task", [n, "cap"]] for n in range(notifications.FAN_OUT_FROM)]]

    assert notifications.mails_fan_out_task(fanned[0]) == notifications.FAN_OUT_FROM
    assert one_by_one == [(n, "cap") for n in range(notifications.FAN_OUT_FROM)]
