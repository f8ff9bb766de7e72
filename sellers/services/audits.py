"""Mystery orders (DOMAIN.md): success managers draw an audit sample, place real orders flagged as audits
(paid by the platform) and record findings per unit on arrival; the findings feed the score.

- `audit_sample_draw`: sellers that sell (probation, active) with a visible listing and no audit in
  progress, drawn without replacement with weights for new, low-scored and other sellers
  (Efraimidis-Spirakis: each seller's key is u^(1/weight), the largest keys win; the seed is kept so
  the draw can be replayed); one listing each, at random among its visible ones.
- `audit_order_place`: one unit of the listing (another visible listing of the seller if it is gone),
  through the ordinary checkout (`orders.services.checkout.order_place(audit=True)`): stock, the
  seller's e-mails and events, the ledger and the deadlines are those of any order.
- `audit_findings_record`: one finding per unit shipped, with photos checked by content (JPEG, PNG,
  HEIC; private); a parcel still on its way is marked delivered (it arrived at the audit desk).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market
from marketplace.transitions import audit_record, transition
from orders.models import OrderUnit, SellerOrder
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.fulfilment import seller_order_mark_delivered
from orders.states import SellerOrderStatus
from sellers.models import AuditFinding, AuditGroup, AuditPhoto, AuditSample, MysteryAudit, Seller
from sellers.states import AUDIT_TRANSITIONS, AuditStatus, SellerStatus
from warranty.photos import photos_check

OPEN_AUDITS = (AuditStatus.DRAWN, AuditStatus.ORDERED)


@dataclass(frozen=True)
class SampleWeights:
    size: int
    weight_new: int
    weight_low_score: int
    weight_other: int
    low_score_below: int


def audit_group(score: int | None, low_score_below: int) -> str:
    if score is None:
        return AuditGroup.NEW
    return AuditGroup.LOW_SCORE if score < low_score_below else AuditGroup.OTHER


def weighted_sample(candidates: Sequence[tuple[int, int]], *, size: int, rng: random.Random) -> list[int]:
    """`size` ids drawn without replacement, each with probability proportional to its weight (pure).
    `candidates`: (id, weight); a weight of 0 is never drawn."""
    keyed = []
    for candidate_id, weight in candidates:
        if weight <= 0:
            continue
        keyed.append((rng.random() ** (1.0 / weight), candidate_id))
    keyed.sort(reverse=True)
    return [candidate_id for _key, candidate_id in keyed[:size]]


def audit_sample_draw(*, actor: Actor, weights: SampleWeights, seed: int | None = None) -> AuditSample:
    """Draw a sample of sellers to audit (see the module). Refuses a sample nobody can be drawn into."""
    if weights.size < 1:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Draw at least one seller."),
            errors=[{"field": "size", "message": _("At least 1.")}],
        )
    seed = seed if seed is not None else secrets.randbelow(2**62)
    visible = Listing.objects.visible().filter(seller_id=OuterRef("organisation_id"))
    in_progress = MysteryAudit.objects.filter(seller_id=OuterRef("pk"), status__in=OPEN_AUDITS)
    eligible = list(
        Seller.objects.filter(status__in=[SellerStatus.PROBATION, SellerStatus.ACTIVE])
        .filter(Exists(visible))
        .exclude(Exists(in_progress))
        .order_by("pk")
        .values_list("pk", "score")
    )
    group_weight: dict[str, int] = {
        AuditGroup.NEW: weights.weight_new,
        AuditGroup.LOW_SCORE: weights.weight_low_score,
        AuditGroup.OTHER: weights.weight_other,
    }
    groups = {seller_id: audit_group(score, weights.low_score_below) for seller_id, score in eligible}
    rng = random.Random(seed)  # noqa: S311 - a reproducible audit draw, not a secret
    drawn = weighted_sample(
        [(seller_id, group_weight[groups[seller_id]]) for seller_id, _ in eligible], size=weights.size, rng=rng
    )
    if not drawn:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _(
                "No seller can be drawn: none sells with a visible listing and no audit in progress, "
                "or all weights are 0."
            ),
        )
    scores = dict(eligible)
    listings: dict[int, list[int]] = {}
    for listing_id, seller_id in (
        Listing.objects.visible().filter(seller_id__in=drawn).order_by("pk").values_list("pk", "seller_id")
    ):
        listings.setdefault(seller_id, []).append(listing_id)
    with transaction.atomic():
        sample = AuditSample.objects.create(
            drawn_by=actor.user,
            size=weights.size,
            weight_new=weights.weight_new,
            weight_low_score=weights.weight_low_score,
            weight_other=weights.weight_other,
            low_score_below=weights.low_score_below,
            seed=seed,
        )
        audits = MysteryAudit.objects.bulk_create(
            [
                MysteryAudit(
                    sample=sample,
                    seller_id=seller_id,
                    group=groups[seller_id],
                    score_at_draw=scores[seller_id],
                    listing_id=rng.choice(listings[seller_id]),
                )
                for seller_id in drawn
            ]
        )
        for audit in audits:
            audit_record(
                obj=audit, actor=actor, from_status="", to_status=AuditStatus.DRAWN, reason=f"sample {sample.pk}"
            )
    return sample


def audit_order_place(*, audit: MysteryAudit, actor: Actor, contact: Contact) -> MysteryAudit:
    """Buy one unit of the drawn listing as a mystery order, paid by the platform (drawn -> ordered).

    If the listing is no longer visible, another visible listing of the seller is bought; none left
    refuses with OFFER_UNAVAILABLE. The delivery address is the audit desk's, in the listing's market.
    Everything the checkout refuses (stock gone meanwhile) is refused here, and nothing is recorded.
    """
    if audit.status != AuditStatus.DRAWN:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("This mystery order was already placed or cancelled."),
            extra={"from": audit.status, "to": AuditStatus.ORDERED, "allowed": sorted(AUDIT_TRANSITIONS[audit.status])},
        )
    listing = None
    if audit.listing_id is not None:
        listing = Listing.objects.visible().filter(pk=audit.listing_id, seller_id=audit.seller_id).first()
    if listing is None:
        listing = Listing.objects.visible().filter(seller_id=audit.seller_id).order_by("pk").first()
    if listing is None:
        raise ApplicationError(ErrorCode.OFFER_UNAVAILABLE, _("The seller has no visible listing left to buy."))
    market = Market.objects.get(code=listing.market_id)
    contact = Contact(**{**contact.__dict__, "country": market.code})
    with transaction.atomic():
        order = order_place(
            actor=actor,
            market=market,
            lines=[PlacementLine(listing.pk, 1, listing.price_amount)],
            contact=contact,
            buyer=actor.user,
            audit=True,
        )
        return transition(
            audit,
            to=AuditStatus.ORDERED,
            actor=actor,
            transitions=AUDIT_TRANSITIONS,
            reason=order.number,
            extra_updates={"order": order, "listing": listing, "ordered_at": timezone.now()},
        )


def audit_cancel(*, audit: MysteryAudit, actor: Actor, reason: str) -> MysteryAudit:
    """drawn -> cancelled: the seller is not audited after all (an order placed is never cancelled here)."""
    if not reason.strip():
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Give the reason for this decision."),
            errors=[{"field": "reason", "message": _("Give the reason for this decision.")}],
        )
    return transition(audit, to=AuditStatus.CANCELLED, actor=actor, transitions=AUDIT_TRANSITIONS, reason=reason)


@dataclass(frozen=True)
class UnitFinding:
    """What was found on one unit (every check True means the unit passed)."""

    grade_as_claimed: bool
    battery_as_stated: bool
    identifier_matches: bool
    wiped_and_unlocked: bool
    accessories_complete: bool
    measured_battery: int | None = None
    notes: str = ""


def audit_findings_record(
    *,
    audit: MysteryAudit,
    actor: Actor,
    findings: Mapping[int, UnitFinding],
    photos: Mapping[int, Sequence[UploadedFile[bytes]]] | None = None,
) -> MysteryAudit:
    """Record what was found on each unit of a mystery order (ordered -> recorded), all or nothing.

    `findings` maps every unit (OrderUnit id) the seller shipped to its finding; `photos` the units'
    photos (checked by content, at most 5 a unit, stored privately). The parcel must have shipped; one
    still in transit is marked delivered first (it has arrived). The findings count in the seller's
    mystery-order metric from the next scoring run.
    """
    photos = photos or {}
    if audit.status != AuditStatus.ORDERED or audit.order_id is None:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("Findings are recorded once, for a mystery order that was placed."),
            extra={
                "from": audit.status,
                "to": AuditStatus.RECORDED,
                "allowed": sorted(AUDIT_TRANSITIONS[audit.status]),
            },
        )
    seller_order = SellerOrder.objects.select_related("order").get(order_id=audit.order_id)
    if seller_order.status not in (SellerOrderStatus.SHIPPED, SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED):
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("The seller has not shipped this order yet: findings are recorded when the parcel arrives."),
        )
    units = list(OrderUnit.objects.filter(line__seller_order=seller_order).order_by("pk"))
    missing = [unit for unit in units if unit.pk not in findings]
    if missing or set(findings) - {unit.pk for unit in units}:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Record a finding for every unit of the parcel, and only for them."),
            errors=[{"field": f"unit-{unit.pk}", "message": _("A finding is missing.")} for unit in missing],
        )
    checked = {
        unit_id: photos_check(list(uploads), field=f"unit-{unit_id}-photos") for unit_id, uploads in photos.items()
    }
    now = timezone.now()
    with transaction.atomic():
        if seller_order.status == SellerOrderStatus.SHIPPED:
            seller_order_mark_delivered(seller_order=seller_order, actor=actor)
        for unit in units:
            finding = findings[unit.pk]
            row = AuditFinding.objects.create(
                audit=audit,
                seller_id=audit.seller_id,
                unit=unit,
                grade_as_claimed=finding.grade_as_claimed,
                battery_as_stated=finding.battery_as_stated,
                measured_battery=finding.measured_battery,
                identifier_matches=finding.identifier_matches,
                wiped_and_unlocked=finding.wiped_and_unlocked,
                accessories_complete=finding.accessories_complete,
                notes=finding.notes.strip(),
                recorded_at=now,
                recorded_by=actor.user,
            )
            for photo in checked.get(unit.pk, []):
                item = AuditPhoto(finding=row, content_type=photo.content_type, size=photo.upload.size or 0)
                item.file.save(photo.storage_name, photo.upload, save=False)
                item.save()
        failed = AuditFinding.objects.filter(audit=audit).count() - sum(
            1 for finding in findings.values() if _passed(finding)
        )
        return transition(
            audit,
            to=AuditStatus.RECORDED,
            actor=actor,
            transitions=AUDIT_TRANSITIONS,
            reason=_("%(failed)d of %(units)d units failed a check") % {"failed": failed, "units": len(units)},
            extra_updates={"recorded_at": now},
        )


def _passed(finding: UnitFinding) -> bool:
    return all(
        (
            finding.grade_as_claimed,
            finding.battery_as_stated,
            finding.identifier_matches,
            finding.wiped_and_unlocked,
            finding.accessories_complete,
        )
    )
