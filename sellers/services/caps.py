"""The daily caps on new listings: 5 a calendar day of the seller's home market (DOMAIN.md), for two
reasons and one counter.

- The probation cap: during its first 40 days (status probation), `probation-daily-cap`.
- The score's listing cap: an active seller whose score put it on the ladder's cap step (score < 60),
  or whose cap a success manager kept on at a reinstatement (`listing_cap_until`), `score-daily-cap`.

Both are taken here, in the listing's transaction, by `sellers.services.listings` for every path
(back-office form, CSV import, API), with one race-proof upsert on `sellers_listingday`; both answer
HTTP 429 with Retry-After (the seconds until the next local midnight) in the API.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.transitions import audit_record
from sellers.models import Seller
from sellers.selectors import (
    DailyCap,
    daily_cap_of,
    listings_created_today,
    next_slot_opens_at,
    seller_local_day,
)
from sellers.states import SELLING_STATUSES, LadderStep


def seller_assert_can_list(seller: Seller) -> None:
    """Refuse (SELLER_NOT_SELLING) a seller whose status does not allow new listings."""
    if seller.status not in SELLING_STATUSES:
        raise ApplicationError(
            ErrorCode.SELLER_NOT_SELLING,
            _("Your seller account is %(status)s: you cannot publish new listings.")
            % {"status": str(seller.get_status_display()).lower()},
        )


def listing_cap_error(
    seller: Seller, *, daily_cap: DailyCap, count: int, at: datetime | None = None
) -> ApplicationError:
    """The one refusal of a cap: how many fit today, when the next slot opens in the seller's home
    market's local time, and Retry-After (seconds) for the API."""
    at = at or timezone.now()
    cap = daily_cap.cap
    left = max(cap - listings_created_today(seller, at), 0)
    opens = next_slot_opens_at(seller, at)
    zone = seller.home_market.time_zone
    local_opens = opens.astimezone(ZoneInfo(zone))
    when = _("%(date)s at %(time)s (%(zone)s time)") % {
        "date": date_format(local_opens.date(), "DATE_FORMAT"),
        "time": local_opens.strftime("%H:%M"),
        "zone": zone,
    }
    if daily_cap.reason == "probation":
        intro = _("During probation you can publish at most %(cap)s new listings per day") % {"cap": cap}
    else:
        intro = _(
            "While your quality score is low (see your performance page) you can publish at most %(cap)s new "
            "listings per day"
        ) % {"cap": cap}
    if count == 1:
        message = _("%(intro)s; you have used all %(cap)s today. The next slot opens on %(when)s.") % {
            "intro": intro,
            "cap": cap,
            "when": when,
        }
    else:
        message = ngettext(
            "%(intro)s: %(left)s more fits today, you tried %(count)s. Nothing was saved; the next slots open "
            "on %(when)s.",
            "%(intro)s: %(left)s more fit today, you tried %(count)s. Nothing was saved; the next slots open "
            "on %(when)s.",
            left,
        ) % {"intro": intro, "left": left, "count": count, "when": when}
    return ApplicationError(
        daily_cap.code,
        message,
        retry_after=max(int((opens - at).total_seconds()), 1),
        extra={"slots_left_today": left, "new_listings": count, "next_slot_at": opens.isoformat()},
    )


def listing_cap_take(*, seller: Seller, count: int = 1, at: datetime | None = None) -> None:
    """Take `count` of today's slots under the seller's daily cap, or none of them. Call inside the
    listings' transaction.

    One `INSERT ... ON CONFLICT DO UPDATE ... WHERE used + count <= cap`: the row lock it takes
    serialises concurrent creators, so two requests racing for the 5th slot end with exactly one
    listing. If the listings' transaction rolls back, so do the slots. A seller under no cap takes
    nothing. Raises SELLER_NOT_SELLING, or PROBATION_DAILY_CAP / SCORE_DAILY_CAP with Retry-After.
    """
    seller_assert_can_list(seller)
    daily_cap = daily_cap_of(seller, at)
    if daily_cap is None or count <= 0:
        return
    taken = None
    if count <= daily_cap.cap:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO sellers_listingday (seller_id, day, listings_created) VALUES (%s, %s, %s)
                ON CONFLICT (seller_id, day) DO UPDATE
                    SET listings_created = sellers_listingday.listings_created + EXCLUDED.listings_created
                    WHERE sellers_listingday.listings_created + EXCLUDED.listings_created <= %s
                RETURNING listings_created
                """,
                [seller.pk, seller_local_day(seller, at), count, daily_cap.cap],
            )
            taken = cursor.fetchone()
    if taken is None:
        raise listing_cap_error(seller, daily_cap=daily_cap, count=count, at=at)


def seller_listing_cap_lift(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """Lift, before its date, the listing cap a success manager kept on at a reinstatement
    (`listing_cap_until`), with a reason; audited under the seller (`ladder:cap` -> the step its
    score puts it on). The ladder's own cap step (a score below the cap threshold) is not lifted
    here: it follows the score and ends by itself when the score recovers.

    Raises VALIDATION (no reason) or INVALID_TRANSITION (no cap kept on this seller).
    """
    reason = reason.strip()
    if not reason:
        message = _("Give the reason for this decision.")
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "reason", "message": message}])
    now = timezone.now()
    with transaction.atomic():
        locked = Seller.objects.select_for_update().select_related("organisation").get(pk=seller.pk)
        if locked.listing_cap_until is None or locked.listing_cap_until <= now:
            raise ApplicationError(ErrorCode.INVALID_TRANSITION, _("No listing cap is kept on this seller."))
        Seller.objects.filter(pk=locked.pk).update(listing_cap_until=None, updated_at=now)
        audit_record(
            obj=locked,
            actor=actor,
            from_status=f"ladder:{LadderStep.CAP}",
            to_status=f"ladder:{locked.ladder_step}",
            reason=reason,
            organisation=locked.organisation,
        )
    seller.refresh_from_db()
    return seller
