"""Payment providers: Stripe, and a clearly labelled test provider when no Stripe keys are set.

The services talk to one small interface (`PaymentGateway`): start a payment for an
order, cancel it, refund part of it, transfer money to a seller's Connect account.
Amounts and currency always come from the server's order, never from the browser.
Partner orders are paid on invoice (`InvoiceGateway`): nothing to charge now.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import stripe
from django.conf import settings

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.money import Money
from orders.models import PaymentProvider


@dataclass(frozen=True)
class PaymentStart:
    reference: str
    client_secret: str


class PaymentGateway(Protocol):
    @property
    def provider(self) -> str: ...

    def start(self, *, amount: Money, order_number: str, idempotency_key: str) -> PaymentStart: ...

    def cancel(self, *, reference: str) -> None: ...

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> str: ...

    def transfer(self, *, destination: str, amount: Money, idempotency_key: str, description: str) -> str: ...


def stripe_configured() -> bool:
    """All three Stripe keys are set (read at call time: tests and reloads change them)."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET)


def stripe_client() -> stripe.StripeClient:
    kwargs: dict[str, object] = {"max_network_retries": 2}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)  # type: ignore[arg-type]


def _provider_error(exc: Exception) -> ApplicationError:
    return ApplicationError(ErrorCode.PAYMENT_PROVIDER_ERROR, f"Stripe: {getattr(exc, 'user_message', None) or exc}")


class StripeGateway:
    """Stripe: one PaymentIntent per order; refunds and Connect transfers with idempotency keys."""

    provider = PaymentProvider.STRIPE

    def start(self, *, amount: Money, order_number: str, idempotency_key: str) -> PaymentStart:
        try:
            intent = stripe_client().v1.payment_intents.create(
                params={
                    "amount": amount.amount,
                    "currency": amount.currency.lower(),
                    "automatic_payment_methods": {"enabled": True},
                    "metadata": {"order_number": order_number},
                    "description": f"Encore order {order_number}",
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _provider_error(exc) from exc
        return PaymentStart(reference=intent.id, client_secret=intent.client_secret or "")

    def cancel(self, *, reference: str) -> None:
        try:
            stripe_client().v1.payment_intents.cancel(reference)
        except stripe.StripeError as exc:
            raise _provider_error(exc) from exc

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> str:
        try:
            refund = stripe_client().v1.refunds.create(
                # The key rides along as metadata: `charge.refunded` tells Encore's own refunds from
                # refunds made in Stripe's dashboard by it (`orders.services.disputes`).
                params={
                    "payment_intent": reference,
                    "amount": amount.amount,
                    "metadata": {"encore_refund": idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _provider_error(exc) from exc
        return refund.id

    def transfer(self, *, destination: str, amount: Money, idempotency_key: str, description: str) -> str:
        try:
            transfer = stripe_client().v1.transfers.create(
                params={
                    "amount": amount.amount,
                    "currency": amount.currency.lower(),
                    "destination": destination,
                    "description": description,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _provider_error(exc) from exc
        return transfer.id


# --- Stripe Connect: the sellers' payout accounts (`orders.services.connect`) ----------------------
@dataclass(frozen=True)
class ConnectedAccount:
    """What Encore keeps of a Stripe Connect account (from the API or an `account.updated` event)."""

    id: str
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool
    requirements_due: list[str]
    disabled_reason: str

    @classmethod
    def from_stripe(cls, data: Any) -> ConnectedAccount:
        requirements = data.get("requirements") or {}
        due = list(requirements.get("past_due") or []) + [
            item for item in requirements.get("currently_due") or [] if item not in (requirements.get("past_due") or [])
        ]
        return cls(
            id=str(data.get("id") or ""),
            details_submitted=bool(data.get("details_submitted")),
            charges_enabled=bool(data.get("charges_enabled")),
            payouts_enabled=bool(data.get("payouts_enabled")),
            requirements_due=[str(item) for item in due][:50],
            disabled_reason=str(requirements.get("disabled_reason") or "")[:100],
        )


def connect_account_create(*, seller_id: int, email: str, country: str) -> ConnectedAccount:
    """An Express account for the seller (one per seller: the idempotency key names it)."""
    try:
        account = stripe_client().v1.accounts.create(
            params={  # type: ignore[arg-type]
                "type": "express",
                "country": country,
                "email": email or None,
                "capabilities": {"transfers": {"requested": True}},
                "business_type": "company",
                "metadata": {"encore_seller": str(seller_id)},
            },
            options={"idempotency_key": f"connect-account-{seller_id}"},
        )
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc
    return ConnectedAccount.from_stripe(account.to_dict())


def connect_account_retrieve(*, account_id: str) -> ConnectedAccount:
    try:
        account = stripe_client().v1.accounts.retrieve(account_id)
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc
    return ConnectedAccount.from_stripe(account.to_dict())


def connect_account_link(*, account_id: str, refresh_url: str, return_url: str) -> str:
    """A one-time Account Link: Stripe's hosted onboarding for the account (expires within minutes)."""
    try:
        link = stripe_client().v1.account_links.create(
            params={
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            }
        )
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc
    return str(link.url)


def stripe_refunds_of(*, payment_intent: str) -> list[dict[str, Any]]:
    """The refunds Stripe made on a PaymentIntent (a `charge.refunded` event of a recent API version
    does not list them)."""
    try:
        page = stripe_client().v1.refunds.list(params={"payment_intent": payment_intent, "limit": 100})
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc
    return [refund.to_dict() for refund in page.data]


class TestGateway:
    """No keys configured: nothing is charged. The checkout page says so and offers pay / decline buttons."""

    __test__ = False  # not a pytest class
    provider = PaymentProvider.TEST

    def start(self, *, amount: Money, order_number: str, idempotency_key: str) -> PaymentStart:
        return PaymentStart(reference=f"test_pi_{uuid.uuid4().hex[:24]}", client_secret="")

    def cancel(self, *, reference: str) -> None:
        return None

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> str:
        # Like Stripe, the same idempotency key gives the same refund.
        return f"test_re_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"

    def transfer(self, *, destination: str, amount: Money, idempotency_key: str, description: str) -> str:
        return f"test_tr_{uuid.uuid4().hex[:24]}"


class InvoiceGateway(TestGateway):
    """Partner orders: the partner is invoiced; refunds become credit notes on its next invoice."""

    provider = PaymentProvider.INVOICE

    def start(self, *, amount: Money, order_number: str, idempotency_key: str) -> PaymentStart:
        return PaymentStart(reference=f"inv_{order_number}", client_secret="")

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> str:
        # A credit note on the partner's next invoice; its number is stable for a given refund.
        return f"CN-{hashlib.sha256(idempotency_key.encode()).hexdigest()[:12].upper()}"


class PlatformGateway(TestGateway):
    """Mystery orders: the platform pays its own audit orders (no provider; booked to `audit_cost`). A
    refund of one is a bookkeeping entry, never money sent anywhere."""

    provider = PaymentProvider.PLATFORM

    def start(self, *, amount: Money, order_number: str, idempotency_key: str) -> PaymentStart:
        # A neutral reference: payment references reach the seller's audit trail, and an audit order
        # must look like any other order to the seller.
        return PaymentStart(reference=f"pay_{uuid.uuid4().hex[:24]}", client_secret="")

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> str:
        return f"re_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"


def checkout_gateway() -> PaymentGateway:
    """The gateway for storefront checkouts: Stripe when configured, else the test provider."""
    return StripeGateway() if stripe_configured() else TestGateway()


def gateway_for(provider: str) -> PaymentGateway:
    if provider == PaymentProvider.STRIPE:
        return StripeGateway()
    if provider == PaymentProvider.INVOICE:
        return InvoiceGateway()
    if provider == PaymentProvider.PLATFORM:
        return PlatformGateway()
    return TestGateway()


def transfer_gateway() -> PaymentGateway:
    """Payouts go through Stripe Connect when checkout takes real payments (all three keys); while checkout
    runs on the test provider they are recorded as test transfers, never real money."""
    return StripeGateway() if stripe_configured() else TestGateway()
