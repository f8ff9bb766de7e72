"""What the catalog knows of a seller: its `SellerStanding` row (may it sell, its quality score).

The sellers app, on a higher floor, keeps it current through these services in the transaction of
each change; the catalog reads it (listing rules, the buy box) and never imports upward.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import SellerStanding
from catalog.versioning import catalog_changed
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation


def seller_standing_set(*, organisation: Organisation, may_sell: bool | None = None, score: int | None = None) -> None:
    """Record what the catalog must know about a seller (called by the sellers app on every change).

    `may_sell`: whether the seller may create, publish and resume listings; `score`: its quality
    score (0-100) for the buy box. Arguments left None are kept. Runs in the caller's transaction
    (an upsert). A score change re-ranks offers, so it bumps the catalog cache version on commit;
    `may_sell` alone shows nothing new (the listings' own status moves do).
    """
    defaults: dict[str, Any] = {"updated_at": timezone.now()}
    if may_sell is not None:
        defaults["may_sell"] = may_sell
    if score is not None:
        defaults["score"] = max(0, min(100, score))
    previous = SellerStanding.objects.filter(organisation=organisation).values_list("score", flat=True).first()
    SellerStanding.objects.update_or_create(organisation=organisation, defaults=defaults)
    if score is not None and previous != defaults["score"]:
        catalog_changed()


def seller_standings_bulk_set(*, may_sell_by_organisation: Mapping[int, bool]) -> int:
    """`seller_standing_set(may_sell=...)` for many sellers in one statement (demo and bench data)."""
    now = timezone.now()
    SellerStanding.objects.bulk_create(
        [
            SellerStanding(organisation_id=organisation_id, may_sell=may_sell, updated_at=now)
            for organisation_id, may_sell in may_sell_by_organisation.items()
        ],
        update_conflicts=True,
        unique_fields=["organisation"],
        update_fields=["may_sell", "updated_at"],
        batch_size=1000,
    )
    return len(may_sell_by_organisation)


def seller_scores_bulk_set(*, scores: Mapping[int, int | None]) -> int:
    """Record many sellers' quality scores at once (the daily scoring job): one statement.

    `scores` maps organisation id -> score 0-100, or None for a seller with no score (yet, or any
    more): the buy box counts it as neutral. Only rows whose score differs are written; a seller
    without a standing row gets one that may not sell. Runs in the caller's transaction; when any
    score changed, the catalog cache version is bumped on commit (offers re-rank). Returns the rows
    written.
    """
    if not scores:
        return 0
    ids = list(scores)
    values = [None if scores[i] is None else max(0, min(100, int(scores[i] or 0))) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO catalog_sellerstanding
                (organisation_id, may_sell, score, rating_count, rating_sum, units_delivered, updated_at)
            SELECT v.id, false, v.score, 0, 0, 0, %s FROM unnest(%s::bigint[], %s::integer[]) AS v(id, score)
            ON CONFLICT (organisation_id) DO UPDATE SET score = EXCLUDED.score, updated_at = EXCLUDED.updated_at
                WHERE catalog_sellerstanding.score IS DISTINCT FROM EXCLUDED.score
            """,
            [timezone.now(), ids, values],
        )
        written = int(cursor.rowcount)
    if written:
        catalog_changed()
    return written


def seller_assert_may_sell(organisation_id: int) -> None:
    if not SellerStanding.objects.filter(organisation_id=organisation_id, may_sell=True).exists():
        raise ApplicationError(
            ErrorCode.SELLER_NOT_SELLING,
            _(
                "Your seller account may not publish listings now (it is not approved yet, under review, "
                "suspended or terminated)."
            ),
        )
