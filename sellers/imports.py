"""The listing file format of a seller: CSV parsing into typed rows, export, the template.

Parsing only checks the shape of each cell (every bad cell named `row N.column`); the rules
and the writes are `sellers.services.listings.listings_import`, all or nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import IO

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


MAX_CELL_CHARACTERS = 200  # the longest column (a SKU) holds 64; anything far longer is not a listing
# A cell a spreadsheet would run as a formula when the file is opened ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = ("sku", "grade", "market", "status")


def file_too_large() -> ApplicationError:
    return ApplicationError(
        ErrorCode.FILE_TOO_LARGE, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it in parts."
    )


def read_bounded(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """Read at most `limit` bytes from `stream`, refusing a longer one without reading it whole."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(min(64 * 1024, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise file_too_large()
    return b"".join(chunks)


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM allowed), or UTF-16 with its BOM; refuses binary data and other encodings clearly."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                "The file is not UTF-8 text: save it as CSV UTF-8 (in a spreadsheet: File, Save as, CSV UTF-8).",
            ) from None
    raise ApplicationError(ErrorCode.VALIDATION, "This is not a CSV text file (it contains binary data).")


def parse_csv(data: bytes | str) -> list[ImportRow]:
    """CSV text -> typed rows; raises ApplicationError naming each bad cell. Nothing is saved here."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise file_too_large()
        data = decode_text(data)
    if "\x00" in data:
        raise ApplicationError(ErrorCode.VALIDATION, "This is not a CSV text file (it contains binary data).")
    sample = data[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        return _parse_rows(data, dialect)
    except csv.Error as error:
        message = f"The file is not valid CSV: {error}."
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "", "message": message}]) from None


def _parse_rows(data: str, dialect: type[csv.Dialect] | csv.Dialect) -> list[ImportRow]:
    reader = csv.DictReader(io.StringIO(data), dialect=dialect)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise ApplicationError(ErrorCode.VALIDATION, "The file is empty: it needs a header row and listings.")
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        message = f"The header row names a column twice: {', '.join(duplicated)}."
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "row 1", "message": message}])
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
        if None in raw:  # more cells than the header has columns
            raise ApplicationError(
                ErrorCode.VALIDATION,
                f"Row {number} has more cells than the header has columns.",
                errors=[{"field": f"row {number}", "message": "More cells than columns."}],
            )
        cells = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(cells.values()):
            continue
        row_errors: list[dict[str, str]] = []
        for column, value in cells.items():
            if len(value) > MAX_CELL_CHARACTERS:
                row_errors.append(
                    row_error(number, column, f"This cell is longer than {MAX_CELL_CHARACTERS} characters.")
                )
        for column in TEXT_COLUMNS:
            if (raw.get(column) or "").startswith(FORMULA_PREFIXES):
                row_errors.append(row_error(number, column, "A cell may not start with =, +, -, @ (a formula)."))

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


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading quote."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


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
                spreadsheet_safe(str(listing.variant)),
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
