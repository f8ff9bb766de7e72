"""Per-key throttling on the Redis cache: over the limit, 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from marketplace.clientip import client_ip
from marketplace.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """One budget per API key; sessions per user; anonymous callers per IP."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read at call time so that a settings change (tests, reload) takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = "api_key" if (isinstance(request.auth, ApiKey) or request.user.is_authenticated) else "anonymous"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request: Any) -> str:
        """The client's address by the one rule of `marketplace.clientip` (a rotated X-Forwarded-For
        does not reset the budget)."""
        return client_ip(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{ident}"
