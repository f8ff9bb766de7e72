"""A business trade-in's device list: CSV or JSON rows, read within a size bound, parsed into typed rows.

One row per device: `product` (the model's slug), `variant` (the variant's id, from the catalog API),
`identifier` (IMEI or serial), and the declared state: either `condition` (like_new, good, fair,
broken) or the questionnaire's answers (CSV: one column per question code, `powers_on`, `screen`,
`body`, `functions`, `battery`, `accounts_signed_out`; JSON: an `answers` object). Up to 5,000 rows.

This module checks the file and the shape of each cell only (every bad cell named `row N.column`, the
header being row 1 in a CSV, the first element row 1 in JSON); the rules (known models, prices,
duplicates, the blocklist) are `tradein.services.batches.batch_quote_create`, all or nothing. Shared
with the seller imports: bounded reading, encodings (UTF-8, UTF-16 with its BOM), binary data and
formula cells are refused the same way (`sellers.imports`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from marketplace.errors import ApplicationError, ErrorCode
from sellers.imports import FORMULA_PREFIXES, decode_text, row_error
from tradein.states import Condition

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024  # 5,000 rows of a dozen short cells fit in well under 1 MB
MAX_CELL_CHARACTERS = 100
QUESTION_COLUMNS = ("powers_on", "screen", "body", "functions", "battery", "accounts_signed_out")
REQUIRED = ("product", "variant", "identifier")
COLUMNS = (*REQUIRED, "condition", *QUESTION_COLUMNS)


@dataclass
class BatchRow:
    """One device as declared. `number` is its row in the file (CSV: header = 1; JSON: first = 1)."""

    number: int
    product: str
    variant_id: int
    identifier: str
    condition: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    # How a field is named in errors: `row N.screen` in a CSV, `row N.answers.screen` in JSON.
    answers_prefix: str = ""


def file_too_large() -> ApplicationError:
    return ApplicationError(
        ErrorCode.FILE_TOO_LARGE,
        f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it in several batches.",
    )


def read_bounded(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of `stream`: a longer body is refused (413) before it is read whole."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(min(64 * 1024, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise file_too_large()
    return b"".join(chunks)


def _too_many() -> ApplicationError:
    return ApplicationError(
        ErrorCode.VALIDATION,
        f"A batch holds at most {MAX_ROWS} devices: split the file in several batches.",
        errors=[{"field": "rows", "message": f"At most {MAX_ROWS} rows."}],
    )


def _file_error(message: str, field_name: str = "") -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field_name, "message": message}])


def parse_csv(data: bytes | str) -> list[BatchRow]:
    """CSV text -> typed rows; raises VALIDATION (FILE_TOO_LARGE past the bound) naming each bad cell."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise file_too_large()
        data = decode_text(data)
    if "\x00" in data:
        raise _file_error("This is not a CSV text file (it contains binary data).")
    sample = data[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        return _rows(csv.reader(io.StringIO(data), dialect=dialect))
    except csv.Error as error:
        raise _file_error(f"The file is not valid CSV: {error}.") from None


def _rows(reader: Any) -> list[BatchRow]:
    header_cells = next(reader, None)
    header = [cell.strip().lower() for cell in header_cells or []]
    if not any(header):
        raise _file_error("The file is empty: it needs a header row, then one row per device.", "row 1")
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name and name not in COLUMNS]
    has_condition = "condition" in header
    has_answers = [name for name in QUESTION_COLUMNS if name in header]
    problems = []
    if duplicated:
        problems.append(f"columns named twice: {', '.join(duplicated)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if has_condition and has_answers:
        problems.append("give either a condition column or the answers' columns, not both")
    elif not has_condition and len(has_answers) != len(QUESTION_COLUMNS):
        lacking = [name for name in QUESTION_COLUMNS if name not in header]
        problems.append(
            "a condition column, or every answer's column" + (f" ({', '.join(lacking)})" if has_answers else "")
        )
    if problems:
        message = "The header row is not valid: " + "; ".join(problems) + f". Columns: {', '.join(COLUMNS)}."
        raise _file_error(message, "row 1")
    rows: list[BatchRow] = []
    errors: list[dict[str, str]] = []
    for index, cells in enumerate(reader):
        number = index + 2
        if len(rows) >= MAX_ROWS:
            raise _too_many()
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append({"field": f"row {number}", "message": f"Row {number} has more cells than columns."})
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}
        row_errors = _cell_errors(number, values, [*REQUIRED, *(["condition"] if has_condition else QUESTION_COLUMNS)])
        variant_id = 0
        if values.get("variant") and not row_errors:
            try:
                variant_id = int(values["variant"])
                if variant_id < 1:
                    raise ValueError
            except ValueError:
                row_errors.append(row_error(number, "variant", f"'{values['variant']}' is not a variant id."))
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            BatchRow(
                number=number,
                product=values["product"].lower(),
                variant_id=variant_id,
                identifier=values["identifier"],
                condition=values.get("condition", "").lower(),
                answers={name: values[name].lower() for name in QUESTION_COLUMNS if name in values},
            )
        )
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _summary(errors), errors=errors)
    if not rows:
        raise _file_error("The file has no devices: one row per device under the header.", "row 2")
    return rows


def _cell_errors(number: int, values: dict[str, str], required: list[str]) -> list[dict[str, str]]:
    errors = []
    for column, value in values.items():
        if len(value) > MAX_CELL_CHARACTERS:
            errors.append(row_error(number, column, f"This cell is longer than {MAX_CELL_CHARACTERS} characters."))
        elif value.startswith(FORMULA_PREFIXES):
            errors.append(row_error(number, column, "A cell may not start with =, +, -, @ (a formula)."))
    for column in required:
        if not values.get(column):
            errors.append(row_error(number, column, "This cell is required."))
    return errors


def parse_json(data: Any) -> list[BatchRow]:
    """A JSON array of `{"product", "variant", "identifier", "answers"}` (or `"condition"`) objects ->
    typed rows; raises VALIDATION naming each bad field (`row 3.answers.screen`)."""
    if not isinstance(data, list):
        raise _file_error("Send a JSON array of devices, or a CSV file (text/csv).")
    if not data:
        raise _file_error("The batch has no devices.", "rows")
    if len(data) > MAX_ROWS:
        raise _too_many()
    rows: list[BatchRow] = []
    errors: list[dict[str, str]] = []
    for index, item in enumerate(data):
        number = index + 1
        if not isinstance(item, dict):
            errors.append({"field": f"row {number}", "message": f"Row {number}: a device is an object."})
            continue
        row_errors = []
        unknown = sorted(set(map(str, item)) - {"product", "variant", "identifier", "answers", "condition"})
        row_errors += [row_error(number, name, "Unknown field.") for name in unknown]
        product, identifier, variant = item.get("product"), item.get("identifier"), item.get("variant")
        for name, value in (("product", product), ("identifier", identifier)):
            if not isinstance(value, str) or not value.strip():
                row_errors.append(row_error(number, name, "Required (a string)."))
            elif len(value) > MAX_CELL_CHARACTERS:
                row_errors.append(row_error(number, name, f"At most {MAX_CELL_CHARACTERS} characters."))
        if isinstance(variant, bool) or not isinstance(variant, int) or variant < 1:
            row_errors.append(row_error(number, "variant", "Required (a variant id, a positive integer)."))
        answers, condition = item.get("answers"), item.get("condition")
        if (answers is None) == (condition is None):
            row_errors.append(row_error(number, "answers", "Give the answers, or a condition (one of the two)."))
        elif condition is not None and condition not in Condition.values:
            row_errors.append(row_error(number, "condition", f"One of {', '.join(Condition.values)}."))
        elif answers is not None and (
            not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values())
        ):
            row_errors.append(row_error(number, "answers", "An object of question code to answer code."))
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            BatchRow(
                number=number,
                product=str(product).strip().lower(),
                variant_id=int(variant or 0),
                identifier=str(identifier).strip(),
                condition=str(condition or ""),
                answers={str(k): str(v) for k, v in (answers or {}).items()},
                answers_prefix="answers.",
            )
        )
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _summary(errors), errors=errors)
    return rows


def _summary(errors: list[dict[str, str]]) -> str:
    rows = {e["field"].split(".")[0] for e in errors}
    return f"Nothing was quoted: {len(errors)} error(s) in {len(rows)} row(s)."


def template_csv() -> str:
    """The file's header and two example rows (one with a condition column is the other format)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["product", "variant", "identifier", *QUESTION_COLUMNS])
    writer.writerow(
        ["iphone-13", "42", "356938035643809", "yes", "light_scratches", "flawless", "all_working", "healthy", "yes"]
    )
    return out.getvalue()
