"""What a webhook request carries, and how a receiver verifies it (API.md, Webhooks).

Body: the event as `{"id", "type", "created", "data"}` in compact JSON (UTF-8). Header:

    Encore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

with one `v1=` per valid secret (two for 24 h after a rotation). The kernel's
`marketplace.signatures` computes and checks this format; `VERIFY_SNIPPET` below is the
standalone receiver code shown in the API docs and in `docs/webhooks.md`, run by the tests
against real deliveries, so the documentation cannot drift from what is sent.
"""

from __future__ import annotations

import json
from typing import Any

from marketplace.models import Event
from marketplace.signatures import DEFAULT_TOLERANCE_SECONDS, signature_header, signature_verify

SIGNATURE_HEADER = "Encore-Signature"

VERIFY_SNIPPET = '''import hashlib
import hmac
import time


def verify_encore_signature(body: bytes, header: str, secret: str, tolerance: int = 300) -> bool:
    """True when `header` (the Encore-Signature header) signs `body` (the raw request body) with `secret`."""
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or abs(time.time() - timestamp) > tolerance:
        return False  # unsigned, or too old: a replayed request
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)
'''

VERIFY_DOCUMENTATION = f"""
Every delivery is a `POST` with a JSON body `{{"id", "type", "created", "data"}}` and the header
`Encore-Signature: t=<unix seconds>,v1=<hex>`, where the hex is HMAC-SHA256 of `"<t>.<raw body>"`
keyed with the endpoint's secret (`whsec_...`, shown once when the endpoint is created or its
secret rotated). For 24 h after a rotation the header carries one `v1=` per valid secret.

Verify the raw body before parsing it, reject a timestamp older than 5 minutes, answer 2xx
quickly, and drop an event `id` you have already processed (delivery is at least once):

```python
{VERIFY_SNIPPET}```

Anything but a 2xx within 10 seconds is retried with exponential backoff for up to 3 days;
`410 Gone` disables the endpoint; `429` is retried after its `Retry-After`.
"""


def webhook_body(event: Event) -> bytes:
    """The request body for `event`: compact JSON, UTF-8, the bytes that are signed."""
    payload: dict[str, Any] = event.as_payload()
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_signature(*, secrets: list[str], body: bytes, timestamp: int | None = None) -> str:
    """The `Encore-Signature` value: `t=...` and one `v1=...` per secret."""
    return signature_header(secrets=secrets, body=body, timestamp=timestamp)


def webhook_signature_verify(
    *, header: str, body: bytes, secret: str, tolerance: int = DEFAULT_TOLERANCE_SECONDS, now: float | None = None
) -> bool:
    """The receiver's check (what `VERIFY_SNIPPET` does), for tests and for Encore's own tools."""
    return signature_verify(header=header, body=body, secrets=[secret], tolerance=tolerance, now=now)
