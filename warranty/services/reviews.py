"""Verified reviews (DOMAIN.md, After-sales): only the buyer of a delivered line reviews it, 1-5 stars for
the seller and for the unit, a text; one review per order line, editable for 30 days; the seller replies
once, publicly; anyone logged in may report a review to success managers, who hide it with a reason or
keep it. Visible reviews feed the catalog's ratings (`catalog.services.ratings`: the seller's rating,
the product's Bayesian score) in the same transaction. An invitation goes out 7 days after delivery.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services.ratings import product_rating_change, seller_rating_change
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation, User
from marketplace.transitions import audit_record, transition
from orders.models import Order, OrderLine, SellerOrder
from orders.states import SellerOrderStatus
from warranty import deadlines, notifications
from warranty.models import Review, ReviewInvitation, ReviewReport
from warranty.states import REVIEW_TRANSITIONS, ReportReason, ReviewStatus

TEXT_MAX_LENGTH = 2000
REVIEWABLE = frozenset({SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED, SellerOrderStatus.REFUNDED})
INVITATION_LOOKBACK = timedelta(days=30)  # never invite for parcels delivered long before the feature ran


def _stars(value: object, field: str, errors: list[dict[str, str]]) -> int:
    try:
        stars = int(str(value))
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        errors.append({"field": field, "message": _("Give 1 to 5 stars.")})
    return stars


def _author_name(user: User) -> str:
    """How a review is signed: the first name and the initial of the last ("Chloé S.")."""
    parts = (user.full_name or "").split()
    if not parts:
        return _("An Encore customer")
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else parts[0]


def _product_id(line: OrderLine) -> int | None:
    if line.listing_id is not None:
        return OrderLine.objects.filter(pk=line.pk).values_list("listing__variant__product_id", flat=True).first()
    return Product.objects.filter(slug=line.product_slug).values_list("pk", flat=True).first()


def _ratings(review: Review, *, sign: int, seller_stars: int, unit_stars: int) -> None:
    seller_rating_change(organisation_id=review.seller_id, count=sign, stars=sign * seller_stars)
    if review.product_id is not None:
        product_rating_change(product_id=review.product_id, count=sign, stars=sign * unit_stars)


def review_submit(
    *,
    line: OrderLine,
    shopper: User,
    seller_stars: object,
    unit_stars: object,
    text: str,
    actor: Actor,
    now: datetime | None = None,
) -> Review:
    """Write or edit the shopper's review of `line`.

    Preconditions: the caller scoped `line` to the shopper's orders (another's is a 404 before this);
    checked again here (REVIEW_NOT_ALLOWED). The parcel must be delivered (REVIEW_NOT_ALLOWED); stars
    1 to 5 and a text of at most 2000 characters (VALIDATION); an edit within 30 days of writing
    (REVIEW_EDIT_WINDOW_CLOSED). Side effects: the review, the catalog's ratings (the difference, for
    an edit of a visible review), an audit row.
    """
    now = now or timezone.now()
    errors: list[dict[str, str]] = []
    seller = _stars(seller_stars, "seller_stars", errors)
    unit = _stars(unit_stars, "unit_stars", errors)
    text = (text or "").strip()
    if len(text) > TEXT_MAX_LENGTH:
        errors.append({"field": "text", "message": _("At most %(count)d characters.") % {"count": TEXT_MAX_LENGTH}})
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _("The review is incomplete."), errors=errors)
    with transaction.atomic():
        locked = OrderLine.objects.select_for_update(of=("self",)).select_related("seller_order__order").get(pk=line.pk)
        seller_order = locked.seller_order
        if seller_order.order.buyer_id != shopper.pk:
            raise ApplicationError(ErrorCode.REVIEW_NOT_ALLOWED, _("Only the buyer of this unit may review it."))
        if seller_order.status not in REVIEWABLE or seller_order.delivered_at is None:
            raise ApplicationError(
                ErrorCode.REVIEW_NOT_ALLOWED, _("You can review this purchase once it has been delivered.")
            )
        review = Review.objects.select_for_update().filter(line=locked).first()
        if review is None:
            review = Review.objects.create(
                line=locked,
                seller_id=seller_order.seller_id,
                shopper=shopper,
                product_id=_product_id(locked),
                author_name=_author_name(shopper),
                seller_stars=seller,
                unit_stars=unit,
                text=text,
                created_at=now,
                editable_until=deadlines.review_editable_until(now),
            )
            _ratings(review, sign=1, seller_stars=seller, unit_stars=unit)
            audit_record(obj=review, actor=actor, from_status="", to_status=review.status, organisation=review.seller)
            return review
        if now > review.editable_until:
            raise ApplicationError(
                ErrorCode.REVIEW_EDIT_WINDOW_CLOSED,
                _("A review can be edited for 30 days after it was written; this one can no longer be changed."),
            )
        if review.is_visible:
            seller_rating_change(organisation_id=review.seller_id, count=0, stars=seller - review.seller_stars)
            if review.product_id is not None:
                product_rating_change(product_id=review.product_id, count=0, stars=unit - review.unit_stars)
        Review.objects.filter(pk=review.pk).update(
            seller_stars=seller, unit_stars=unit, text=text, edited_at=now, updated_at=now
        )
        audit_record(obj=review, actor=actor, from_status=review.status, to_status=review.status, reason="edited")
    review.refresh_from_db()
    return review


def review_reply(
    *, review: Review, seller: Organisation, text: str, actor: Actor, now: datetime | None = None
) -> Review:
    """The seller replies to a review, once, publicly. Preconditions: the caller scoped `review` to the
    seller. One conditional UPDATE (`WHERE replied_at IS NULL`), so two replies at once make one.
    Raises VALIDATION, REVIEW_ALREADY_REPLIED."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text or len(text) > TEXT_MAX_LENGTH:
        message = _("Write a reply of 1 to %(count)d characters.") % {"count": TEXT_MAX_LENGTH}
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "text", "message": message}])
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, seller=seller, replied_at__isnull=True).update(
            reply_text=text, replied_at=now, updated_at=now
        )
        if not updated:
            raise ApplicationError(
                ErrorCode.REVIEW_ALREADY_REPLIED, _("You have already replied to this review: a reply is written once.")
            )
        audit_record(
            obj=review,
            actor=actor,
            from_status=review.status,
            to_status=review.status,
            reason="replied",
            organisation=seller,
        )
        review_id = review.pk
        transaction.on_commit(lambda: notifications.review_replied_notify_task.delay(review_id))
    review.refresh_from_db()
    return review


def review_report(*, review: Review, reporter: User, reason: str, details: str, actor: Actor) -> ReviewReport:
    """Report a review to success managers (once per person; a second report by the same person returns
    the first). Raises VALIDATION."""
    if reason not in ReportReason.values:
        message = _("Choose a reason.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "reason", "message": message}])
    details = (details or "").strip()[:1000]
    report, _created = ReviewReport.objects.get_or_create(
        review=review,
        reporter=reporter,
        defaults={"reason": reason, "details": details, "reporter_label": actor.label[:200]},
    )
    return report


def review_moderate(*, review: Review, decision: str, reason: str, actor: Actor, now: datetime | None = None) -> Review:
    """A success manager decides on a reported review: `hide` (a reason is required: it leaves the
    ratings, the public pages and the seller's figures) or `keep`. Either way its open reports are
    closed with the decision; audited. Raises VALIDATION, INVALID_TRANSITION (hiding a hidden one)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if decision not in ("hide", "keep"):
        message = _("Hide or keep.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "decision", "message": message}])
    if decision == "hide" and not reason:
        message = _("Say why the review is hidden.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "reason", "message": message}])
    with transaction.atomic():
        if decision == "hide":
            review = transition(
                review,
                to=ReviewStatus.HIDDEN,
                actor=actor,
                transitions=REVIEW_TRANSITIONS,
                reason=reason,
                organisation=review.seller,
                extra_updates={"hidden_reason": reason},
            )
            _ratings(review, sign=-1, seller_stars=review.seller_stars, unit_stars=review.unit_stars)
        else:
            audit_record(
                obj=review,
                actor=actor,
                from_status=review.status,
                to_status=review.status,
                reason=reason or "kept after a report",
                organisation=review.seller,
            )
        ReviewReport.objects.filter(review=review, resolved_at__isnull=True).update(
            resolved_at=now, resolution="hidden" if decision == "hide" else "kept"
        )
    review.refresh_from_db()
    return review


def review_invitations_send(*, now: datetime | None = None, batch: int = 500) -> int:
    """Invite buyers to review their parcels 7 days after delivery: one set-based
    `INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING` of the invitations due (parcels delivered
    7 to 30 days ago, with a buyer, not yet invited, not fully reviewed), then one e-mail task each.
    Idempotent: an invitation row is made once per parcel."""
    now = now or timezone.now()
    invitations = ReviewInvitation._meta.db_table
    seller_orders = SellerOrder._meta.db_table
    orders = Order._meta.db_table
    lines = OrderLine._meta.db_table
    reviews = Review._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {invitations} (seller_order_id, created_at)
            SELECT so.id, %s FROM {seller_orders} so
            JOIN {orders} o ON o.id = so.order_id
            WHERE so.status = ANY(%s) AND so.delivered_at <= %s AND so.delivered_at > %s
              AND o.buyer_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {invitations} i WHERE i.seller_order_id = so.id)
              AND EXISTS (SELECT 1 FROM {lines} l WHERE l.seller_order_id = so.id
                          AND NOT EXISTS (SELECT 1 FROM {reviews} r WHERE r.line_id = l.id))
            ORDER BY so.delivered_at
            LIMIT %s
            ON CONFLICT (seller_order_id) DO NOTHING
            RETURNING seller_order_id
            """,  # noqa: S608 - table names come from model meta; values are bound
            [
                now,
                [SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED],
                now - deadlines.REVIEW_INVITATION_AFTER,
                now - INVITATION_LOOKBACK,
                batch,
            ],
        )
        created: list[int] = [row[0] for row in cursor.fetchall()]

        def queue() -> None:
            for seller_order_id in created:
                notifications.review_invitation_notify_task.delay(seller_order_id)

        transaction.on_commit(queue)
    return len(created)
