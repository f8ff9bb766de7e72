"""The listing file format of a seller: CSV parsing into typed rows, export, the template.

Parsing only checks the shape of each cell (every bad cell named `row N.column`); the rules
and the writes are `sellers.services.listings.listings_import`, all or nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from catalog.models import Listing, Variant
from catalog.states import SELLER_SETTABLE, ListingStatus
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation
from marketplace.money import Money

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


def row_error(number: int, column: str, message: str) -> dict[str, str]:
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

        def integer(
            column: str,
            default: int | None = None,
            cells: dict[str, str] = cells,
            row_errors: list[dict[str, str]] = row_errors,
            number: int = number,
        ) -> int:
            text = cells.get(column, "")
            if not text and default is not None:
                return default
            try:
                return int(text)
            except ValueError:
                row_errors.append(row_error(number, column, f"'{text}' is not a whole number."))
                return 0

        for column in REQUIRED:
            if not cells.get(column):
                row_errors.append(row_error(number, column, "This cell is required."))
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
        raise ApplicationError(ErrorCode.VALIDATION, rows_summary(errors), errors=errors)
    if not rows and not errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The file has no rows to import.")
    return rows


def rows_summary(errors: list[dict[str, str]]) -> str:
    rows = sorted({e["field"].split(".")[0] for e in errors})
    return f"Nothing was imported: {len(errors)} error(s) in {len(rows)} row(s)."


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
