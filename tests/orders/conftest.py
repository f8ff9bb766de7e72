"""A local Stripe fake (pytest-httpserver) the real stripe SDK talks to, and signed webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug import Request, Response

WEBHOOK_SECRET = "whsec_test_secret"


@dataclass
class StripeFake:
    """Records what the SDK sent; answers like Stripe's API for the calls Encore makes."""

    requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_paths: set[str] = field(default_factory=set)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, path: str) -> list[dict[str, Any]]:
        return [form for method, p, form, _ in self.requests if p == path and method == "POST"]

    def keys(self, path: str) -> list[str]:
        return [headers.get("Idempotency-Key", "") for method, p, _, headers in self.requests if p == path]

    def handle(self, request: Request) -> Response:
        form = {key: request.form.get(key) for key in request.form}
        form.update({key: request.args.get(key) for key in request.args})
        headers = {"Idempotency-Key": request.headers.get("Idempotency-Key", "")}
        with self.lock:
            self.requests.append((request.method, request.path, form, headers))
            key = f"{request.path}:{headers['Idempotency-Key']}"
            if headers["Idempotency-Key"] and key in self.idempotent:
                return Response(json.dumps(self.idempotent[key]), content_type="application/json")
            if request.path in self.fail_paths:
                error = {"error": {"type": "invalid_request_error", "message": "Refused by the fake"}}
                return Response(json.dumps(error), status=400, content_type="application/json")
            body = self._answer(request.path, form)
            if headers["Idempotency-Key"]:
                self.idempotent[key] = body
        return Response(json.dumps(body), content_type="application/json")

    def _answer(self, path: str, form: dict[str, Any]) -> dict[str, Any]:
        if path == "/v1/payment_intents":
            pi = f"pi_{uuid.uuid4().hex[:20]}"
            intent = {
                "id": pi,
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "client_secret": f"{pi}_secret_fake",
                "status": "requires_payment_method",
                "metadata": {"order_number": form.get("metadata[order_number]")},
            }
            self.intents[pi] = intent
            return intent
        if match := re.match(r"^/v1/payment_intents/(pi_\w+)/cancel$", path):
            intent = self.intents.get(match.group(1), {"id": match.group(1), "object": "payment_intent"})
            intent["status"] = "canceled"
            return intent
        if path == "/v1/refunds" and "amount" not in form:  # GET: the list
            data = [r for r in self.refunds.values() if r["payment_intent"] == form.get("payment_intent")]
            return {"object": "list", "url": "/v1/refunds", "has_more": False, "data": data}
        if path == "/v1/refunds":
            refund = {
                "id": f"re_{uuid.uuid4().hex[:20]}",
                "object": "refund",
                "amount": int(form["amount"]),
                "currency": "eur",
                "status": "succeeded",
                "payment_intent": form.get("payment_intent"),
                "metadata": {
                    key[len("metadata[") : -1]: value for key, value in form.items() if key.startswith("metadata[")
                },
            }
            self.refunds[refund["id"]] = refund
            return refund
        if path == "/v1/accounts":
            account = {
                "id": f"acct_{uuid.uuid4().hex[:16]}",
                "object": "account",
                "type": form.get("type"),
                "country": form.get("country"),
                "email": form.get("email"),
                "metadata": {"encore_seller": form.get("metadata[encore_seller]")},
                "details_submitted": False,
                "charges_enabled": False,
                "payouts_enabled": False,
                "requirements": {"currently_due": ["business_profile.url", "external_account"], "past_due": []},
            }
            self.accounts[account["id"]] = account
            return account
        if match := re.match(r"^/v1/accounts/(acct_\w+)$", path):
            return self.accounts.get(match.group(1), {"id": match.group(1), "object": "account"})
        if path == "/v1/account_links":
            return {
                "object": "account_link",
                "url": f"https://connect.stripe.test/setup/e/{form['account']}/{uuid.uuid4().hex[:8]}",
                "expires_at": int(time.time()) + 300,
                "created": int(time.time()),
            }
        if path == "/v1/transfers":
            return {
                "id": f"tr_{uuid.uuid4().hex[:20]}",
                "object": "transfer",
                "amount": int(form["amount"]),
                "destination": form["destination"],
            }
        return {"id": "unknown", "object": "unknown"}


@pytest.fixture
def stripe_fake(httpserver, settings) -> StripeFake:
    fake = StripeFake()
    httpserver.expect_request(re.compile(r"^/v1/.*")).respond_with_handler(fake.handle)
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = httpserver.url_for("").rstrip("/")
    return fake


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe computes: t=<unix>,v1=<hex hmac_sha256(secret, "<t>.<payload>")>."""
    timestamp = timestamp or int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def account_enabled(account: dict[str, Any]) -> dict[str, Any]:
    """The account as Stripe sends it once onboarding is done: details in, charges and payouts on."""
    return {
        **account,
        "details_submitted": True,
        "charges_enabled": True,
        "payouts_enabled": True,
        "requirements": {"currently_due": [], "past_due": [], "disabled_reason": None},
    }


def stripe_event(event_type: str, intent: dict[str, Any], event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": intent},
        }
    ).encode()


def succeeded_intent(reference: str, amount: int, currency: str = "eur") -> dict[str, Any]:
    return {
        "id": reference,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "status": "succeeded",
    }
