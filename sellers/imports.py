"""Listing import and export for a seller: CSV (back-office, API) or JSON rows (API).

All rows are validated; if any row fails, nothing is saved and every error names its
row and column. A row whose SKU already exists in that market updates the listing;
others create one through `catalog.services.listing_create` (so the probation cap and
every catalog rule apply exactly as for a single listing). During probation a file
with more new listings than today's free slots is refused up front, saying how many fit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import InvalidOperation

from django.conf import settings
from django.db import transaction

from catalog.models import Grade, Listing, Variant
from catalog.services import listing_create, listing_update
from catalog.states import SELLER_SETTABLE, ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market, Organisation
from marketplace.money import Money
from sellers.services import (
    next_slot_opens_at,
    probation_listings_created_today,
    seller_assert_can_list,
    seller_for_listing,
)
from sellers.states import CAPPED_STATUSES

COLUMNS = ("sku", "variant", "grade", "market", "price", "stock", "battery_health", "warranty_months", "status")
REQUIRED = ("sku", "variant", "grade", "market", "price", "stock", "battery_health")
INFORMATIONAL = ("product",)  # written by the export for people; ignored on import
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportRow:
    """One row, typed. `number` is the CSV line (header = 1) or the JSON index + 1."""

    number: int
    sku: str
    variant_id: int
    grade: str
    market: str
    price: str | int  # CSV: major units ("129.99"); JSON: minor units (int)
    stock: int
    battery_health: int
    warranty_months: int = 12
    status: str = ListingStatus.ACTIVE


@dataclass
class ImportResult:
    created: list[Listing] = field(default_factory=list)
    updated: list[Listing] = field(default_factory=list)


def _error(number: int, column: str, message: str) -> dict[str, str]:
    return {"field": f"row {number}.{column}", "message": f"Row {number}, column {column}: {message}"}


def parse_csv(data: bytes | str) -> list[ImportRow]:
    """CSV text -> typed rows; raises ApplicationError(VALIDATION) naming each bad cell."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ApplicationError(ErrorCode.VALIDATION, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApplicationError(ErrorCode.VALIDATION, "The file must be UTF-8 encoded CSV.") from None
    sample = data[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(data), dialect=dialect)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name and name not in COLUMNS and name not in INFORMATIONAL]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        message = "The header row is not valid (" + "; ".join(problems) + f"). Expected: {', '.join(COLUMNS)}."
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "row 1", "message": message}])
    reader.fieldnames = header
    rows: list[ImportRow] = []
    errors: list[dict[str, str]] = []
    for index, raw in enumerate(reader):
        number = index + 2
        if index >= MAX_ROWS:
            raise ApplicationError(ErrorCode.VALIDATION, f"A file holds at most {MAX_ROWS} rows.")
        cells = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(cells.values()):
            continue
        row_errors: list[dict[str, str]] = []

        def integer(column: str, default: int | None = None, cells=cells, row_errors=row_errors, number=number):
            text = cells.get(column, "")
            if not text and default is not None:
                return default
            try:
                return int(text)
            except ValueError:
                row_errors.append(_error(number, column, f"'{text}' is not a whole number."))
                return 0

        for column in REQUIRED:
            if not cells.get(column):
                row_errors.append(_error(number, column, "This cell is required."))
        row = ImportRow(
            number=number,
            sku=cells.get("sku", ""),
            variant_id=integer("variant"),
            grade=cells.get("grade", "").lower(),
            market=cells.get("market", "").lower(),
            price=cells.get("price", ""),
            stock=integer("stock"),
            battery_health=integer("battery_health"),
            warranty_months=integer("warranty_months", default=12),
            status=(cells.get("status") or ListingStatus.ACTIVE).lower(),
        )
        if row_errors:
            errors += [e for e in row_errors if e not in errors]
        else:
            rows.append(row)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _summary(errors), errors=errors)
    if not rows and not errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The file has no rows to import.")
    return rows


def _summary(errors: list[dict[str, str]]) -> str:
    rows = sorted({e["field"].split(".")[0] for e in errors})
    return f"Nothing was imported: {len(errors)} error(s) in {len(rows)} row(s)."


def listings_import(*, seller: Organisation, actor: Actor, rows: list[ImportRow]) -> ImportResult:
    """Create or update the seller's listings from `rows`, all or nothing (see the module docstring)."""
    seller_row = seller_for_listing(seller)
    seller_assert_can_list(seller_row)
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
            errors.append(_error(row.number, "variant", f"No variant with id {row.variant_id}."))
        if row.grade not in grades:
            errors.append(_error(row.number, "grade", f"Unknown grade '{row.grade}' (use {', '.join(grades)})."))
        market = markets.get(row.market)
        if market is None:
            errors.append(_error(row.number, "market", f"Unknown market '{row.market}' (use {', '.join(markets)})."))
        if row.status not in SELLER_SETTABLE:
            errors.append(_error(row.number, "status", "Use draft, active or paused."))
        key = (row.sku, row.market)
        if key in seen:
            errors.append(_error(row.number, "sku", f"SKU {row.sku} appears twice for this market (row {seen[key]})."))
        seen[key] = row.number
        if market is not None:
            if isinstance(row.price, int):
                prices[row.number] = row.price
            else:
                try:
                    prices[row.number] = Money.from_decimal(row.price.replace(",", "."), market.currency).amount
                except (InvalidOperation, ValueError):
                    errors.append(_error(row.number, "price", f"'{row.price}' is not a price in {market.currency}."))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _summary(errors), errors=errors)

    new_rows = [row for row in rows if (row.sku, markets[row.market].code) not in existing]
    if seller_row.status in CAPPED_STATUSES:
        left = max(settings.PROBATION_DAILY_LISTING_CAP - probation_listings_created_today(seller_row), 0)
        if len(new_rows) > left:
            opens = next_slot_opens_at(seller_row)
            raise ApplicationError(
                ErrorCode.PROBATION_DAILY_CAP,
                f"The file has {len(new_rows)} new listings, but during probation only {left} more fit today "
                f"(at most {settings.PROBATION_DAILY_LISTING_CAP} a day; the next slots open at "
                f"{opens:%Y-%m-%d %H:%M} UTC). Nothing was imported.",
                retry_after=None,
                extra={"slots_left_today": left, "new_listings": len(new_rows), "next_slot_at": opens.isoformat()},
            )

    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            values = {
                "grade": grades[row.grade],
                "price_amount": prices[row.number],
                "stock": row.stock,
                "battery_health": row.battery_health,
                "warranty_months": row.warranty_months,
            }
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
                                **values,
                            )
                        )
                    else:
                        if listing.variant_id != row.variant_id:
                            errors.append(
                                _error(row.number, "variant", f"SKU {row.sku} is already listed for another variant.")
                            )
                            continue
                        changes = {**values}
                        if row.status != listing.status and listing.status in SELLER_SETTABLE:
                            changes["status"] = row.status
                        result.updated.append(listing_update(listing=listing, actor=actor, **changes))
            except ApplicationError as error:
                if error.code == ErrorCode.PROBATION_DAILY_CAP:
                    raise  # a concurrent creation took the last slots: refuse the whole file
                column_errors = error.errors or [{"field": "", "message": error.message}]
                errors += [_error(row.number, e["field"] or "row", e["message"]) for e in column_errors]
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _summary(errors), errors=errors)
    return result


def listings_export(*, seller: Organisation) -> str:
    """The seller's listings as CSV in the import format (plus a `product` column for people)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "product"])
    listings = (
        Listing.objects.filter(seller=seller)
        .exclude(status=ListingStatus.DEACTIVATED)
        .select_related("variant__product", "market")
        .order_by("sku", "market_id")
    )
    for listing in listings.iterator(chunk_size=1000):
        writer.writerow(
            [
                listing.sku,
                listing.variant_id,
                listing.grade_id,
                listing.market_id,
                Money(listing.price_amount, listing.currency).decimal,
                listing.stock,
                listing.battery_health,
                listing.warranty_months,
                listing.status if listing.status in SELLER_SETTABLE else ListingStatus.PAUSED,
                str(listing.variant),
            ]
        )
    return out.getvalue()


def import_template() -> str:
    """A CSV with the header and one example row."""
    variant = Variant.objects.select_related("product").order_by("pk").first()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "product"])
    writer.writerow(
        [
            "MY-SKU-001",
            variant.pk if variant else 1,
            "excellent",
            "fr",
            "429.00",
            3,
            91,
            12,
            "active",
            str(variant or ""),
        ]
    )
    return out.getvalue()
