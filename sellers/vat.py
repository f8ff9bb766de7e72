"""VAT / tax identifier formats per country (format only; no registry lookup).

Patterns follow the EU VIES formats for the EU markets, HMRC's for the UK,
the IRS EIN for the US and the qualified-invoice registration number for Japan.
"""

from __future__ import annotations

import re

VAT_FORMATS: dict[str, tuple[str, str]] = {
    # country: (regex on the normalised id, example shown to the applicant)
    "fr": (r"FR[0-9A-HJ-NP-Z]{2}\d{9}", "FR40303265045"),
    "de": (r"DE\d{9}", "DE136695976"),
    "es": (r"ES[0-9A-Z]\d{7}[0-9A-Z]", "ESB12345674"),
    "it": (r"IT\d{11}", "IT00743110157"),
    "be": (r"BE[01]\d{9}", "BE0411905847"),
    "gb": (r"GB(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})", "GB980780684"),
    "us": (r"\d{2}-?\d{7}", "12-3456789"),
    "jp": (r"T\d{13}", "T1234567890123"),
}


def normalise_vat_id(value: str) -> str:
    return re.sub(r"[\s.]", "", value).upper()


def vat_id_error(country: str, value: str) -> str | None:
    """None when `value` has the format of `country`'s VAT id, else a message saying the expected format."""
    pattern, example = VAT_FORMATS.get(country.lower(), (r"[A-Z0-9-]{4,20}", "ABC12345"))
    if re.fullmatch(pattern, normalise_vat_id(value)):
        return None
    return f"This is not a valid VAT id for this country (expected a format like {example})."
