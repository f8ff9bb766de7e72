"""The probation cap: during its first 40 days a seller creates at most 5 new listings per calendar
day of its home market (DOMAIN.md). The cap is taken here, in the listing's transaction, by
`sellers.services.listings` for every path (back-office form, CSV import, API)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.errors import ApplicationError, ErrorCode
from sellers.models import Seller
from sellers.selectors import next_slot_opens_at, probation_listings_created_today, seller_local_day
from sellers.states import CAPPED_STATUSES, SELLING_STATUSES


def seller_assert_can_list(seller: Seller) -> None:
    """Refuse (SELLER_NOT_SELLING) a seller whose status does not allow new listings."""
    if seller.status not in SELLING_STATUSES:
        raise ApplicationError(
            ErrorCode.SELLER_NOT_SELLING,
            _("Your seller account is %(status)s: you cannot publish new listings.")
            % {"status": str(seller.get_status_display()).lower()},
        )


def probation_cap_error(seller: Seller, *, count: int, at: datetime | None = None) -> ApplicationError:
    """The one refusal of the cap: how many fit today, when the next slot opens in the seller's home
    market's local time, and Retry-After (seconds) for the API."""
    at = at or timezone.now()
    cap = settings.PROBATION_DAILY_LISTING_CAP
    left = max(cap - probation_listings_created_today(seller, at), 0)
    opens = next_slot_opens_at(seller, at)
    zone = seller.home_market.time_zone
    local_opens = opens.astimezone(ZoneInfo(zone))
    when = _("%(date)s at %(time)s (%(zone)s time)") % {
        "date": date_format(local_opens.date(), "DATE_FORMAT"),
        "time": local_opens.strftime("%H:%M"),
        "zone": zone,
    }
    if count == 1:
        message = _(
            "During probation you can publish at most %(cap)s new listings per day; you have used all %(cap)s "
            "today. The next slot opens on %(when)s."
        ) % {"cap": cap, "when": when}
    else:
        message = ngettext(
            "During probation you can publish at most %(cap)s new listings per day: %(left)s more fits today, "
            "you tried %(count)s. Nothing was saved; the next slots open on %(when)s.",
            "During probation you can publish at most %(cap)s new listings per day: %(left)s more fit today, "
            "you tried %(count)s. Nothing was saved; the next slots open on %(when)s.",
            left,
        ) % {"cap": cap, "left": left, "count": count, "when": when}
    return ApplicationError(
        ErrorCode.PROBATION_DAILY_CAP,
        message,
        retry_after=max(int((opens - at).total_seconds()), 1),
        extra={"slots_left_today": left, "new_listings": count, "next_slot_at": opens.isoformat()},
    )


def probation_take_listing_slots(*, seller: Seller, count: int = 1, at: datetime | None = None) -> None:
    """Take `count` of today's probation slots, or none of them. Call inside the listings' transaction.

    One `INSERT ... ON CONFLICT DO UPDATE ... WHERE used + count <= cap`: the row lock it takes
    serialises concurrent creators, so two requests racing for the 5th slot end with exactly one
    listing. If the listings' transaction rolls back, so do the slots. Sellers outside probation
    have no cap. Raises SELLER_NOT_SELLING, or PROBATION_DAILY_CAP (with Retry-After seconds).
    """
    seller_assert_can_list(seller)
    if seller.status not in CAPPED_STATUSES or count <= 0:
        return
    cap = settings.PROBATION_DAILY_LISTING_CAP
    taken = None
    if count <= cap:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO sellers_probationday (seller_id, day, listings_created) VALUES (%s, %s, %s)
                ON CONFLICT (seller_id, day) DO UPDATE
                    SET listings_created = sellers_probationday.listings_created + EXCLUDED.listings_created
                    WHERE sellers_probationday.listings_created + EXCLUDED.listings_created <= %s
                RETURNING listings_created
                """,
                [seller.pk, seller_local_day(seller, at), count, cap],
            )
            taken = cursor.fetchone()
    if taken is None:
        raise probation_cap_error(seller, count=count, at=at)
