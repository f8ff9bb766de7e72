"""The one domain exception, `ApplicationError`, and its codes.

Services raise `ApplicationError(code, message)` when a domain rule refuses an
action. The API turns it into an RFC 9457 problem (its `type` ends in the
code); pages show the message next to the form.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    INVALID_TRANSITION = "invalid-transition"
    VALIDATION = "validation-error"
    NOT_FOUND = "not-found"
    PERMISSION_DENIED = "permission-denied"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency-key-in-use"
    IDEMPOTENCY_KEY_INVALID = "idempotency-key-invalid"
    PROBATION_DAILY_CAP = "probation-daily-cap"
    OUT_OF_STOCK = "out-of-stock"
    CURRENCY_MISMATCH = "currency-mismatch"
    SELLER_NOT_SELLING = "seller-not-selling"


# HTTP status an error code maps to in the API, and the problem title.
ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.VALIDATION: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE: 409,
    ErrorCode.IDEMPOTENCY_KEY_INVALID: 400,
    ErrorCode.PROBATION_DAILY_CAP: 429,
    ErrorCode.OUT_OF_STOCK: 409,
    ErrorCode.CURRENCY_MISMATCH: 400,
    ErrorCode.SELLER_NOT_SELLING: 403,
}
ERROR_TITLES: dict[ErrorCode, Any] = {
    ErrorCode.INVALID_TRANSITION: _("This change of state is not allowed."),
    ErrorCode.VALIDATION: _("The request is not valid."),
    ErrorCode.NOT_FOUND: _("Not found."),
    ErrorCode.PERMISSION_DENIED: _("You may not do this."),
    ErrorCode.IDEMPOTENCY_KEY_REUSED: _("This Idempotency-Key was used with another request."),
    ErrorCode.IDEMPOTENCY_KEY_IN_USE: _("A request with this Idempotency-Key is still being processed."),
    ErrorCode.IDEMPOTENCY_KEY_INVALID: _("The Idempotency-Key header is not valid."),
    ErrorCode.PROBATION_DAILY_CAP: _("The daily limit of new listings during probation is reached."),
    ErrorCode.OUT_OF_STOCK: _("Not enough stock."),
    ErrorCode.CURRENCY_MISMATCH: _("Amounts in different currencies cannot be combined."),
    ErrorCode.SELLER_NOT_SELLING: _("This seller may not publish listings in its current status."),
}


class ApplicationError(Exception):
    """A domain rule refused the action. `errors` may name fields: [{"field", "message"}]."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or []
        self.retry_after = retry_after
        self.extra = extra or {}

    @property
    def status(self) -> int:
        return ERROR_STATUS[self.code]

    @property
    def title(self) -> str:
        return str(ERROR_TITLES[self.code])
