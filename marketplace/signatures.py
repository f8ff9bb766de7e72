"""Timestamped HMAC-SHA256 signatures of request bodies: `t=<unix>,v1=<hex>` (the API's webhook format).

The signed material is `"<t>.<body>"`; a header may carry several `v1=` (one per valid secret,
during a rotation). `signature_verify` accepts a header when one `v1` matches one of the secrets
and `t` lies within `tolerance` seconds of now, so a captured request cannot be replayed later;
receivers also drop an event id they have already seen (replays inside the window).
Used by the carrier-events endpoint (incoming scans); outgoing webhooks sign the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

DEFAULT_TOLERANCE_SECONDS = 300


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    material = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), material, hashlib.sha256).hexdigest()


def signature_header(*, secrets: Iterable[str], body: bytes, timestamp: int | None = None) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>...]`: one `v1` per secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    parts = [f"t={timestamp}"] + [
        f"v1={signature_compute(secret=secret, timestamp=timestamp, body=body)}" for secret in secrets
    ]
    return ",".join(parts)


def signature_verify(
    *,
    header: str,
    body: bytes,
    secrets: Iterable[str],
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` with one of `secrets`, timestamped within `tolerance` seconds."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = [signature_compute(secret=secret, timestamp=timestamp, body=body) for secret in secrets if secret]
    return any(hmac.compare_digest(candidate, wanted) for candidate in candidates for wanted in expected)
