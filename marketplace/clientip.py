"""Which address a request comes from, for rate limits: one rule for the API and the account pages.

`REMOTE_ADDR` is the peer that opened the connection. Behind reverse proxies (a load balancer, an
ingress) that peer is the last proxy, and each proxy appends the address it saw to
`X-Forwarded-For`. `TRUSTED_PROXY_COUNT` says how many proxies in front of the app are ours: the
client is the address that many places from the right of `X-Forwarded-For`. Entries further left
were written by the client itself and are never trusted, so rotating `X-Forwarded-For` changes
nothing. With no trusted proxy (the default), `X-Forwarded-For` is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    """The client's address as our own proxies saw it (see the module docstring)."""
    meta = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR", "") or "")
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    if len(hops) < trusted:
        return remote  # fewer hops than proxies we run: the header did not come through them all
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
