"""The sellers' door to listings: every new listing a seller makes (back-office form, CSV import, API)
passes here, so that its selling status and the daily caps (probation, low score) are checked in exactly one place,
then goes through the catalog's `listing_create` in the same transaction.

Changes to existing listings (price, stock, status) are the catalog's own services; the catalog
refuses to publish or resume a listing of a seller whose standing does not allow selling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import InvalidOperation

from django.db import transaction

from catalog.models import Grade, Listing, Variant
from catalog.services.listings import listing_create, listing_update
from catalog.states import SELLER_SETTABLE, ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market, Organisation
from marketplace.money import Money
from sellers.imports import ImportRow, row_error, rows_summary
from sellers.selectors import seller_for_organisation
from sellers.services.caps import listing_cap_take


def seller_listing_create(
    *,
    seller: Organisation,
    actor: Actor,
    variant: Variant,
    grade: Grade,
    market: Market,
    price_amount: int,
    stock: int,
    sku: str,
    battery_health: int,
    warranty_months: int = 12,
    status: str = ListingStatus.ACTIVE,
) -> Listing:
    """Create one listing for a seller: the day's capped slot first (if any), then `catalog.services.listing_create`.

    One transaction: a listing the catalog refuses gives its slot back. Raises SELLER_NOT_SELLING,
    PROBATION_DAILY_CAP or SCORE_DAILY_CAP (with Retry-After), or the catalog's VALIDATION errors naming the
    fields.
    """
    seller_row = seller_for_organisation(seller)
    with transaction.atomic():
        listing_cap_take(seller=seller_row)
        return listing_create(
            seller=seller,
            actor=actor,
            variant=variant,
            grade=grade,
            market=market,
            price_amount=price_amount,
            stock=stock,
            sku=sku,
            battery_health=battery_health,
            warranty_months=warranty_months,
            status=status,
        )


@dataclass
class ImportResult:
    created: list[Listing] = field(default_factory=list)
    updated: list[Listing] = field(default_factory=list)


def listings_import(*, seller: Organisation, actor: Actor, rows: list[ImportRow]) -> ImportResult:
    """Create or update the seller's listings from `rows`, all or nothing.

    Every row is validated first; if any fails nothing is saved and each error names its row and
    column (`row 3.price`). A row whose SKU already exists in that market updates the listing; the
    others are new listings, for which a capped seller's slots are taken all at once (a file with more
    new listings than today's free slots is refused whole, with the cap's one message and
    Retry-After), then created through the catalog like any listing.
    """
    seller_row = seller_for_organisation(seller)
    variants = Variant.objects.in_bulk({row.variant_id for row in rows})
    grades = {grade.code: grade for grade in Grade.objects.all()}
    markets = {market.code: market for market in Market.objects.filter(is_active=True)}
    existing = {
        (listing.sku, listing.market_id): listing
        for listing in Listing.objects.filter(seller=seller, sku__in={row.sku for row in rows})
    }
    errors: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    prices: dict[int, int] = {}
    for row in rows:
        if row.variant_id not in variants:
            errors.append(row_error(row.number, "variant", f"No variant with id {row.variant_id}."))
        if row.grade not in grades:
            errors.append(row_error(row.number, "grade", f"Unknown grade '{row.grade}' (use {', '.join(grades)})."))
        market = markets.get(row.market)
        if market is None:
            errors.append(row_error(row.number, "market", f"Unknown market '{row.market}' (use {', '.join(markets)})."))
        if row.status not in SELLER_SETTABLE:
            errors.append(row_error(row.number, "status", "Use draft, active or paused."))
        key = (row.sku, row.market)
        if key in seen:
            errors.append(
                row_error(row.number, "sku", f"SKU {row.sku} appears twice for this market (row {seen[key]}).")
            )
        seen[key] = row.number
        if market is not None:
            if isinstance(row.price, int):
                prices[row.number] = row.price
            else:
                try:
                    prices[row.number] = Money.from_decimal(row.price.replace(",", "."), market.currency).amount
                except (InvalidOperation, ValueError):
                    errors.append(row_error(row.number, "price", f"'{row.price}' is not a price in {market.currency}."))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, rows_summary(errors), errors=errors)

    new_rows = [row for row in rows if (row.sku, row.market) not in existing]
    result = ImportResult()
    with transaction.atomic():
        # All the new listings' slots at once, or none: the file is refused whole.
        listing_cap_take(seller=seller_row, count=len(new_rows))
        for row in rows:
            try:
                with transaction.atomic():
                    listing = existing.get((row.sku, row.market))
                    if listing is None:
                        result.created.append(
                            listing_create(
                                seller=seller,
                                actor=actor,
                                variant=variants[row.variant_id],
                                market=markets[row.market],
                                sku=row.sku,
                                status=row.status,
                                grade=grades[row.grade],
                                price_amount=prices[row.number],
                                stock=row.stock,
                                battery_health=row.battery_health,
                                warranty_months=row.warranty_months,
                            )
                        )
                    elif listing.variant_id != row.variant_id:
                        errors.append(
                            row_error(row.number, "variant", f"SKU {row.sku} is already listed for another variant.")
                        )
                    else:
                        changes: dict[str, object] = {
                            "grade": grades[row.grade],
                            "price_amount": prices[row.number],
                            "stock": row.stock,
                            "battery_health": row.battery_health,
                            "warranty_months": row.warranty_months,
                        }
                        if row.status != listing.status and listing.status in SELLER_SETTABLE:
                            changes["status"] = row.status
                        result.updated.append(listing_update(listing=listing, actor=actor, **changes))
            except ApplicationError as error:
                if error.code == ErrorCode.SELLER_NOT_SELLING:
                    raise
                column_errors = error.errors or [{"field": "", "message": error.message}]
                errors += [row_error(row.number, e["field"] or "row", e["message"]) for e in column_errors]
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, rows_summary(errors), errors=errors)
    return result
