"""The units file format: CSV parsing into typed rows, and the template.

Reading, decoding and the row errors are the listings import's (`sellers/imports.py`: bounded reading,
UTF-8 or UTF-16, no binary, cells named `row N.column`). Parsing only checks the shape of each cell;
the rules and the writes are `workshop.services.units.units_import`, all or nothing.

Columns: `identifier` (IMEI or serial), `variant` (its id), `cost` (purchase cost in major units of the
seller's currency, e.g. 49.90; empty: 0), `source` (purchase, tradein or return; empty: purchase),
`notes` (optional).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from catalog.models import Variant
from marketplace.errors import ApplicationError, ErrorCode
from sellers.imports import (
    FORMULA_PREFIXES,
    MAX_CELL_CHARACTERS,
    MAX_ROWS,
    decode_text,
    file_too_large,
    read_bounded,
    row_error,
    rows_summary,
)
from sellers.imports import MAX_BYTES as MAX_BYTES
from workshop.states import UnitSource

COLUMNS = ("identifier", "variant", "cost", "source", "notes")
REQUIRED = ("identifier", "variant")
INFORMATIONAL = ("product",)  # for people; ignored
NOTES_CHARACTERS = 2000
__all__ = ["COLUMNS", "MAX_BYTES", "MAX_ROWS", "UnitRow", "parse_csv", "read_bounded", "row_error", "rows_summary"]


@dataclass
class UnitRow:
    """One row of an import, typed. `number` is the CSV line (header = 1) or the JSON index + 1."""

    number: int
    identifier: str
    variant_id: int
    cost: str | int  # CSV: major units ("49.90"); JSON: minor units (int)
    source: str = UnitSource.PURCHASE
    notes: str = ""


def _problem(message: str, field: str = "") -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field, "message": message}])


def parse_csv(data: bytes | str) -> list[UnitRow]:
    """CSV text -> typed rows; raises ApplicationError naming each bad cell. Nothing is saved here."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise file_too_large()
        data = decode_text(data)
    if "\x00" in data:
        raise _problem(_("This is not a CSV text file (it contains binary data)."))
    sample = data[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = (
            csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
        )
    except csv.Error:
        dialect = csv.excel
    try:
        return _parse_rows(data, dialect)
    except csv.Error as error:
        raise _problem(_("The file is not valid CSV: %(error)s.") % {"error": error}) from None


def _parse_rows(data: str, dialect: type[csv.Dialect] | csv.Dialect) -> list[UnitRow]:
    reader = csv.DictReader(io.StringIO(data), dialect=dialect)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise ApplicationError(ErrorCode.VALIDATION, _("The file is empty: it needs a header row and units."))
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise _problem(
            _("The header row names a column twice: %(columns)s.") % {"columns": ", ".join(duplicated)}, "row 1"
        )
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name and name not in COLUMNS and name not in INFORMATIONAL]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        raise _problem(
            _("The header row is not valid (%(problems)s). Expected: %(columns)s.")
            % {"problems": "; ".join(problems), "columns": ", ".join(COLUMNS)},
            "row 1",
        )
    reader.fieldnames = header
    rows: list[UnitRow] = []
    errors: list[dict[str, str]] = []
    for index, raw in enumerate(reader):
        number = index + 2
        if index >= MAX_ROWS:
            raise ApplicationError(
                ErrorCode.VALIDATION, _("A file holds at most %(count)s rows.") % {"count": MAX_ROWS}
            )
        if None in raw:  # more cells than the header has columns
            raise _problem(
                _("Row %(row)s has more cells than the header has columns.") % {"row": number}, f"row {number}"
            )
        cells = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(cells.values()):
            continue
        row_errors: list[dict[str, str]] = []
        for column, value in cells.items():
            limit = NOTES_CHARACTERS if column == "notes" else MAX_CELL_CHARACTERS
            if len(value) > limit:
                row_errors.append(
                    row_error(number, column, _("This cell is longer than %(limit)s characters.") % {"limit": limit})
                )
        for column in ("identifier", "source", "notes"):
            if (raw.get(column) or "").startswith(FORMULA_PREFIXES):
                row_errors.append(row_error(number, column, _("A cell may not start with =, +, -, @ (a formula).")))
        for column in REQUIRED:
            if not cells.get(column):
                row_errors.append(row_error(number, column, _("This cell is required.")))
        variant_text = cells.get("variant", "")
        variant_id = 0
        if variant_text:
            try:
                variant_id = int(variant_text)
            except ValueError:
                row_errors.append(
                    row_error(number, "variant", _("'%(value)s' is not a whole number.") % {"value": variant_text})
                )
        if row_errors:
            errors += [e for e in row_errors if e not in errors]
            continue
        rows.append(
            UnitRow(
                number=number,
                identifier=cells["identifier"],
                variant_id=variant_id,
                cost=cells.get("cost", "") or "0",
                source=(cells.get("source") or UnitSource.PURCHASE).lower(),
                notes=cells.get("notes", ""),
            )
        )
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, rows_summary(errors), errors=errors)
    if not rows:
        raise ApplicationError(ErrorCode.VALIDATION, _("The file has no rows to import."))
    return rows


def import_template() -> str:
    """A CSV with the header and one example row."""
    variant = Variant.objects.select_related("product").order_by("pk").first()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "product"])
    writer.writerow(["356938035643809", variant.pk if variant else 1, "120.00", "purchase", "", str(variant or "")])
    return out.getvalue()
