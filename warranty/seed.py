"""Demo after-sales on the demo shoppers' delivered orders, driven through the real services so that the
sellers' figures (ratings, claims, returns, holds, refunds, the console's feedback) all agree.

- Claims in every resting state: opened (due in 2 business days), answered (awaiting the shopper),
  escalated (a missed deadline, and a dispute), in repair (label issued, and unit received with its
  repair deadline), resolved (repaired, replaced, refunded, rejected) and closed. `accepted` lasts
  no longer than the step that follows it (a label or a refund), so no claim rests there. One
  purchase shows the rule of three: a repair, then a replacement proposed for its 2nd technical claim.
- Returns: opened with its label in transit, refunded after the seller received it, cancelled.
- Reviews on most delivered lines (mostly 4 and 5 stars, some with the seller's reply), one reported.
Idempotent and deterministic: a second run finds the demo claims and adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.models import User
from orders.models import SellerOrder
from orders.states import SellerOrderStatus
from warranty.models import Claim, Review, Warranty
from warranty.services.claims import (
    Claimant,
    claim_accept,
    claim_decide,
    claim_dispute,
    claim_open,
    claim_resolve,
    claim_respond,
    claim_unit_received,
    claims_close_resolved,
    claims_escalate_overdue,
)
from warranty.services.labels import carrier_scan_record
from warranty.services.returns import return_cancel, return_open, return_receive
from warranty.services.reviews import review_reply, review_report, review_submit

Log = Callable[[str], None]
DEMO_SHOPPER_EMAILS = ["shopper@encore.test"] + [f"demo-shopper-{n}@encore.test" for n in range(1, 6)]
REVIEW_TEXTS = [
    (5, 5, "Like new, battery at 96 %. Delivered in two days."),
    (5, 4, "Very good condition, one tiny mark on the frame. Well packed."),
    (4, 5, "The device is perfect; delivery took a day longer than announced."),
    (5, 5, "Excellent: no one can tell it is refurbished."),
    (3, 4, "Works well, but the charger was missing from the box."),
    (4, 4, "Good value. The seller answered my question within the hour."),
]


def seed(*, scale: str, log: Log) -> None:
    """Nothing of its own before the other apps' demo data."""


def seed_after(*, scale: str, log: Log) -> None:
    shoppers = list(User.objects.filter(email__in=DEMO_SHOPPER_EMAILS))
    if not shoppers:
        log("warranty: no demo shoppers, no demo after-sales")
        return
    if Claim.objects.filter(shopper__in=shoppers).exists():
        log("warranty: demo claims already there")
        return
    warranties = list(
        Warranty.objects.filter(shopper__in=shoppers, original__isnull=True, replaced_at__isnull=True)
        .select_related("line__seller_order__order__market", "shopper")
        .order_by("pk")
    )
    if len(warranties) < 6:
        log("warranty: too few delivered demo units for after-sales")
        return
    now = timezone.now()
    rng = random.Random(9)  # noqa: S311 - deterministic demo data
    recent = [w for w in warranties if w.line.seller_order.status == SellerOrderStatus.DELIVERED]
    older = [w for w in warranties if w.line.seller_order.status == SellerOrderStatus.COMPLETED]
    pool = older + recent
    with transaction.atomic():
        claims = _claims(pool, now=now)
        returns = _returns(recent, now=now)
        reviews = _reviews(warranties, rng=rng, now=now)
    log(f"warranty: {claims} demo claims, {returns} returns, {reviews} reviews")


def _open(warranty: Warranty, *, category: str, description: str, at: datetime) -> Claim:
    return claim_open(
        line=warranty.line,
        identifier=warranty.identifier,
        claimant=Claimant(shopper=warranty.shopper),
        category=category,
        description=description,
        actor=Actor.for_user(warranty.shopper) if warranty.shopper else Actor.system("seed"),
        now=at,
    )


def _claims(pool: list[Warranty], *, now: datetime) -> int:
    seller = Actor.system("seed (seller)")
    shopper = Actor.system("seed (shopper)")
    manager = Actor.system("seed (success manager)")
    remaining = list(pool)
    made = 0

    def next_unit(days_ago: int) -> Warranty | None:
        """A unit delivered before the claim's story starts (a claim never predates its delivery)."""
        for warranty in remaining:
            delivered_at = warranty.line.seller_order.delivered_at
            if delivered_at is not None and delivered_at < now - timedelta(days=days_ago + 1):
                remaining.remove(warranty)
                return warranty
        return None

    def opened(w: Warranty) -> None:
        _open(
            w,
            category="technical_defect",
            description="The phone restarts by itself several times a day.",
            at=now - timedelta(hours=3),
        )

    def answered(w: Warranty) -> None:
        claim = _open(
            w,
            category="battery",
            description="The battery drops from 100 % to 20 % in three hours.",
            at=now - timedelta(days=3),
        )
        claim_respond(
            claim=claim,
            resolution="repair",
            message="We will replace the battery: send us the phone with the label.",
            actor=seller,
            now=now - timedelta(days=2),
        )

    def escalated_overdue(w: Warranty) -> None:
        claim = _open(
            w,
            category="technical_defect",
            description="No sound from the speaker during calls.",
            at=now - timedelta(days=8),
        )
        claims_escalate_overdue(now=claim.answer_due_at + timedelta(minutes=5))

    def escalated_dispute(w: Warranty) -> None:
        claim = _open(
            w,
            category="cosmetic",
            description="Deep scratches on the screen, not matching the Excellent grade.",
            at=now - timedelta(days=6),
        )
        claim = claim_respond(
            claim=claim,
            resolution="repair",
            message="We can polish the screen.",
            actor=seller,
            now=now - timedelta(days=5),
        )
        claim_dispute(
            claim=claim, actor=shopper, message="Polishing will not remove these scratches; I want a replacement."
        )

    def in_repair_waiting(w: Warranty) -> None:
        claim = _open(
            w, category="technical_defect", description="The camera does not focus.", at=now - timedelta(days=4)
        )
        claim = claim_respond(
            claim=claim,
            resolution="repair",
            message="We replace the camera module.",
            actor=seller,
            now=now - timedelta(days=3),
        )
        claim_accept(claim=claim, actor=shopper, now=now - timedelta(days=2))

    def in_repair_received(w: Warranty) -> None:
        claim = _open(
            w, category="battery", description="Battery health shows 71 %, sold as 90 %.", at=now - timedelta(days=6)
        )
        claim = claim_respond(
            claim=claim,
            resolution="replace",
            message="We send you another unit.",
            actor=seller,
            now=now - timedelta(days=5),
        )
        claim = claim_accept(claim=claim, actor=shopper, now=now - timedelta(days=4))
        carrier_scan_record(
            tracking_number=claim.label.tracking_number,
            status="delivered",
            occurred_at=now - timedelta(days=1),
            event_id=f"demo-{claim.pk}",
            source="carrier",
            actor=Actor.system("carrier"),
        )
        claim_unit_received(claim=claim, actor=seller, now=now - timedelta(days=1))

    def rule_of_three(w: Warranty) -> None:
        # The 1st technical claim repaired, the 2nd answered with the only resolution now allowed.
        first = _open(
            w, category="technical_defect", description="Wi-Fi drops every few minutes.", at=now - timedelta(days=20)
        )
        first = claim_respond(
            claim=first,
            resolution="repair",
            message="We replace the antenna.",
            actor=seller,
            now=now - timedelta(days=19),
        )
        first = claim_accept(claim=first, actor=shopper, now=now - timedelta(days=18))
        first = claim_unit_received(claim=first, actor=seller, now=now - timedelta(days=16))
        claim_resolve(claim=first, actor=seller, now=now - timedelta(days=14))
        second = _open(
            w,
            category="technical_defect",
            description="Wi-Fi drops again since the repair.",
            at=now - timedelta(days=1),
        )
        claim_respond(
            claim=second,
            resolution="replace",
            message="Second failure: we send you a replacement.",
            actor=seller,
            now=now - timedelta(hours=20),
        )

    def replaced(w: Warranty) -> None:
        claim = _open(
            w, category="technical_defect", description="Face ID stopped working.", at=now - timedelta(days=12)
        )
        claim = claim_respond(
            claim=claim,
            resolution="replace",
            message="We replace the unit.",
            actor=seller,
            now=now - timedelta(days=11),
        )
        claim = claim_accept(claim=claim, actor=shopper, now=now - timedelta(days=10))
        claim = claim_unit_received(claim=claim, actor=seller, now=now - timedelta(days=8))
        claim_resolve(claim=claim, actor=seller, identifier=_replacement_imei(claim.pk), now=now - timedelta(days=7))

    def refunded(w: Warranty) -> None:
        claim = _open(
            w, category="technical_defect", description="It does not charge any more.", at=now - timedelta(days=9)
        )
        claim = claim_respond(
            claim=claim,
            resolution="refund",
            message="We refund you in full.",
            actor=seller,
            now=now - timedelta(days=8),
        )
        claim_accept(claim=claim, actor=shopper, now=now - timedelta(days=7))

    def rejected(w: Warranty) -> None:
        claim = _open(
            w,
            category="technical_defect",
            description="The phone stopped working after a day at the beach.",
            at=now - timedelta(days=15),
        )
        claims_escalate_overdue(now=claim.answer_due_at + timedelta(minutes=5))
        claim_decide(
            claim=Claim.objects.get(pk=claim.pk),
            decision="reject",
            reason="Liquid damage found on the photos (corrosion on the port): not covered by the warranty.",
            actor=manager,
            now=now - timedelta(days=10),
        )

    def closed(w: Warranty) -> None:
        claim = _open(
            w, category="missing_accessory", description="The charging cable was missing.", at=now - timedelta(days=40)
        )
        claim = claim_respond(
            claim=claim,
            resolution="repair",
            message="We post you a cable today.",
            actor=seller,
            now=now - timedelta(days=39),
        )
        claim = claim_accept(claim=claim, actor=shopper, now=now - timedelta(days=38))
        claim = claim_unit_received(claim=claim, actor=seller, now=now - timedelta(days=37))
        claim = claim_resolve(claim=claim, actor=seller, now=now - timedelta(days=36))
        claims_close_resolved(now=now)

    # Each step with how far back its story starts, oldest first (they take the oldest units).
    steps: list[tuple[int, Callable[[Warranty], None]]] = [
        (41, closed),
        (21, rule_of_three),
        (16, rejected),
        (13, replaced),
        (10, refunded),
        (9, escalated_overdue),
        (7, escalated_dispute),
        (7, in_repair_received),
        (5, in_repair_waiting),
        (4, answered),
        (1, opened),
    ]
    for days_ago, step in steps:
        unit = next_unit(days_ago)
        if unit is None:
            continue
        step(unit)
        made += 1
    return Claim.objects.filter(shopper__email__in=DEMO_SHOPPER_EMAILS).count() if made else 0


def _replacement_imei(n: int) -> str:
    body = f"35999{n:09d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def _returns(recent: list[Warranty], *, now: datetime) -> int:
    """Returns on units of parcels still in their window that no claim uses."""
    free = [w for w in recent if not w.claims.exists() and w.refunded_at is None]
    made = 0
    for index, warranty in enumerate(free[:3]):
        seller_order = SellerOrder.objects.select_related("order__market").get(pk=warranty.line.seller_order_id)
        ends = seller_order.return_window_ends_at
        if ends is None or ends <= now:
            continue
        actor = Actor.for_user(warranty.shopper) if warranty.shopper else Actor.system("seed")
        ret = return_open(
            seller_order=seller_order,
            units=[warranty.unit] if warranty.unit else [],
            reason=["changed_mind", "defective", "not_as_described"][index],
            buyer=Claimant(shopper=warranty.shopper),
            actor=actor,
        )
        if index == 0:
            carrier_scan_record(
                tracking_number=ret.label.tracking_number,
                status="in_transit",
                occurred_at=now - timedelta(hours=6),
                event_id=f"demo-return-{ret.pk}",
                source="carrier",
                actor=Actor.system("carrier"),
            )
        elif index == 1:
            return_receive(ret=ret, actor=Actor.system("seed (seller)"))
        else:
            return_cancel(ret=ret, actor=actor)
        made += 1
    return made


def _reviews(warranties: list[Warranty], *, rng: random.Random, now: datetime) -> int:
    seen: set[int] = set()
    made = 0
    for warranty in warranties:
        line = warranty.line
        if line.pk in seen or warranty.shopper is None or Review.objects.filter(line=line).exists():
            continue
        seen.add(line.pk)
        if rng.random() < 0.25:
            continue  # not every buyer reviews
        seller_stars, unit_stars, text = REVIEW_TEXTS[made % len(REVIEW_TEXTS)]
        review = review_submit(
            line=line,
            shopper=warranty.shopper,
            seller_stars=seller_stars,
            unit_stars=unit_stars,
            text=text,
            actor=Actor.for_user(warranty.shopper),
            now=min(
                now,
                (line.seller_order.delivered_at or now) + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 12)),
            ),
        )
        if made % 3 == 0:
            review_reply(
                review=review,
                seller=review.seller,
                text="Thank you for your trust! Enjoy your device.",
                actor=Actor.system("seed (seller)"),
            )
        if made == 4:
            reporter = User.objects.filter(email="staff@encore.test").first()
            if reporter is not None:
                review_report(
                    review=review,
                    reporter=reporter,
                    reason="not_about_purchase",
                    details="This review is about the carrier, not the seller.",
                    actor=Actor.for_user(reporter),
                )
        made += 1
    return made


def demo_logins() -> list[tuple[str, str]]:
    return [("shopper@encore.test", "shopper with warranty claims, returns and reviews (/account/claims/)")]
