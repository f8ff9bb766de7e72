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
    SCORE_DAILY_CAP = "score-daily-cap"
    OUT_OF_STOCK = "out-of-stock"
    CURRENCY_MISMATCH = "currency-mismatch"
    SELLER_NOT_SELLING = "seller-not-selling"
    CART_EMPTY = "cart-empty"
    PRICE_CHANGED = "price-changed"
    OFFER_UNAVAILABLE = "offer-unavailable"
    PAYMENT_FAILED = "payment-failed"
    PAYMENT_PROVIDER_ERROR = "payment-provider-error"
    REFUND_EXCEEDS_CAPTURE = "refund-exceeds-capture"
    DEVICE_BLOCKLISTED = "device-blocklisted"
    INVALID_DEVICE_IDENTIFIER = "invalid-device-identifier"
    DELIVERY_TIME_OUT_OF_BOUNDS = "delivery-time-out-of-bounds"
    FILE_TOO_LARGE = "file-too-large"
    # After-sales (warranty): claims, returns, reviews.
    WARRANTY_ENDED = "warranty-ended"
    UNIT_NOT_DELIVERED = "unit-not-delivered"
    UNIT_REPLACED = "unit-replaced"
    CLAIM_ALREADY_OPEN = "claim-already-open"
    RESOLUTION_NOT_ALLOWED = "resolution-not-allowed"
    RETURN_WINDOW_CLOSED = "return-window-closed"
    NOTHING_TO_RETURN = "nothing-to-return"
    REVIEW_NOT_ALLOWED = "review-not-allowed"
    REVIEW_EDIT_WINDOW_CLOSED = "review-edit-window-closed"
    REVIEW_ALREADY_REPLIED = "review-already-replied"
    SIGNATURE_INVALID = "signature-invalid"
    STORE_CREDIT_INSUFFICIENT = "store-credit-insufficient"
    QUOTE_EXPIRED = "quote-expired"
    TRADEIN_NO_PRICE = "tradein-no-price"
    PAYOUT_METHOD_UNAVAILABLE = "payout-method-unavailable"
    LOT_CLOSED = "lot-closed"
    BID_TOO_LOW = "bid-too-low"
    # Refurbishment (workshop)
    UNIT_ALREADY_HELD = "unit-already-held"
    GRADE_ABOVE_SUGGESTION = "grade-above-suggestion"
    UNIT_NOT_LISTED = "unit-not-listed"
    # Webhooks
    WEBHOOK_URL_NOT_ALLOWED = "webhook-url-not-allowed"
    WEBHOOK_ENDPOINT_LIMIT = "webhook-endpoint-limit"


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
    ErrorCode.SCORE_DAILY_CAP: 429,
    ErrorCode.OUT_OF_STOCK: 409,
    ErrorCode.CURRENCY_MISMATCH: 400,
    ErrorCode.SELLER_NOT_SELLING: 403,
    ErrorCode.CART_EMPTY: 400,
    ErrorCode.PRICE_CHANGED: 409,
    ErrorCode.OFFER_UNAVAILABLE: 409,
    ErrorCode.PAYMENT_FAILED: 402,
    ErrorCode.PAYMENT_PROVIDER_ERROR: 502,
    ErrorCode.REFUND_EXCEEDS_CAPTURE: 409,
    ErrorCode.DEVICE_BLOCKLISTED: 422,
    ErrorCode.INVALID_DEVICE_IDENTIFIER: 400,
    ErrorCode.DELIVERY_TIME_OUT_OF_BOUNDS: 422,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.WARRANTY_ENDED: 422,
    ErrorCode.UNIT_NOT_DELIVERED: 422,
    ErrorCode.UNIT_REPLACED: 422,
    ErrorCode.CLAIM_ALREADY_OPEN: 409,
    ErrorCode.RESOLUTION_NOT_ALLOWED: 422,
    ErrorCode.RETURN_WINDOW_CLOSED: 422,
    ErrorCode.NOTHING_TO_RETURN: 422,
    ErrorCode.REVIEW_NOT_ALLOWED: 422,
    ErrorCode.REVIEW_EDIT_WINDOW_CLOSED: 422,
    ErrorCode.REVIEW_ALREADY_REPLIED: 409,
    ErrorCode.SIGNATURE_INVALID: 400,
    ErrorCode.STORE_CREDIT_INSUFFICIENT: 422,
    ErrorCode.QUOTE_EXPIRED: 409,
    ErrorCode.TRADEIN_NO_PRICE: 422,
    ErrorCode.PAYOUT_METHOD_UNAVAILABLE: 422,
    ErrorCode.LOT_CLOSED: 409,
    ErrorCode.BID_TOO_LOW: 422,
    ErrorCode.UNIT_ALREADY_HELD: 422,
    ErrorCode.GRADE_ABOVE_SUGGESTION: 422,
    ErrorCode.UNIT_NOT_LISTED: 422,
    ErrorCode.WEBHOOK_URL_NOT_ALLOWED: 422,
    ErrorCode.WEBHOOK_ENDPOINT_LIMIT: 422,
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
    ErrorCode.SCORE_DAILY_CAP: _("The daily limit of new listings under a low quality score is reached."),
    ErrorCode.OUT_OF_STOCK: _("Not enough stock."),
    ErrorCode.CURRENCY_MISMATCH: _("Amounts in different currencies cannot be combined."),
    ErrorCode.SELLER_NOT_SELLING: _("This seller may not publish listings in its current status."),
    ErrorCode.CART_EMPTY: _("The cart is empty."),
    ErrorCode.PRICE_CHANGED: _("A price changed since it was added to the cart."),
    ErrorCode.OFFER_UNAVAILABLE: _("An offer is no longer available."),
    ErrorCode.PAYMENT_FAILED: _("The payment did not go through."),
    ErrorCode.PAYMENT_PROVIDER_ERROR: _("The payment provider could not be reached."),
    ErrorCode.REFUND_EXCEEDS_CAPTURE: _("The refund would exceed what was charged."),
    ErrorCode.DEVICE_BLOCKLISTED: _("This device is reported stolen and may not be shipped."),
    ErrorCode.INVALID_DEVICE_IDENTIFIER: _("This is not a valid IMEI or serial number."),
    ErrorCode.DELIVERY_TIME_OUT_OF_BOUNDS: _("A delivery time lies between the shipping time and now."),
    ErrorCode.FILE_TOO_LARGE: _("The file is too large."),
    ErrorCode.WARRANTY_ENDED: _("The warranty of this unit has ended."),
    ErrorCode.UNIT_NOT_DELIVERED: _("This unit has not been delivered yet."),
    ErrorCode.UNIT_REPLACED: _("This unit was replaced; claims name the replacement's identifier."),
    ErrorCode.CLAIM_ALREADY_OPEN: _("A claim is already open on this unit."),
    ErrorCode.RESOLUTION_NOT_ALLOWED: _("The rule of three does not allow this resolution."),
    ErrorCode.RETURN_WINDOW_CLOSED: _("The 30-day return window has closed."),
    ErrorCode.NOTHING_TO_RETURN: _("These units cannot be returned."),
    ErrorCode.REVIEW_NOT_ALLOWED: _("Only the buyer of a delivered unit may review it."),
    ErrorCode.REVIEW_EDIT_WINDOW_CLOSED: _("A review can be edited for 30 days only."),
    ErrorCode.REVIEW_ALREADY_REPLIED: _("The seller has already replied to this review."),
    ErrorCode.SIGNATURE_INVALID: _("The signature of this request is not valid."),
    ErrorCode.STORE_CREDIT_INSUFFICIENT: _("There is not enough store credit for this."),
    ErrorCode.QUOTE_EXPIRED: _("This trade-in quote has expired; ask for a new one."),
    ErrorCode.TRADEIN_NO_PRICE: _("We cannot price this device right now."),
    ErrorCode.PAYOUT_METHOD_UNAVAILABLE: _("This payout method is not available here."),
    ErrorCode.LOT_CLOSED: _("This lot is no longer open for bids."),
    ErrorCode.BID_TOO_LOW: _("The bid is too low."),
    ErrorCode.UNIT_ALREADY_HELD: _("You already hold an active unit with this IMEI or serial."),
    ErrorCode.GRADE_ABOVE_SUGGESTION: _("A unit may be listed in its suggested grade or a lower one, never higher."),
    ErrorCode.UNIT_NOT_LISTED: _("Only a unit listed on this offer can be shipped for it."),
    ErrorCode.WEBHOOK_URL_NOT_ALLOWED: _("This URL may not receive webhooks."),
    ErrorCode.WEBHOOK_ENDPOINT_LIMIT: _("The organisation has as many webhook endpoints as it may."),
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
