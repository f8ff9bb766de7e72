"""Deployment check for webhooks: production never sends to private addresses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def webhook_urls_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """WEBHOOKS_ALLOW_PRIVATE_URLS lets endpoints reach the platform's own network (SSRF): development only."""
    if not settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        return []
    return [
        checks.Warning(
            "WEBHOOKS_ALLOW_PRIVATE_URLS is true: webhook endpoints may use http and point at private, loopback "
            "or link-local addresses, such as this network's services or a cloud metadata endpoint.",
            hint="Leave WEBHOOKS_ALLOW_PRIVATE_URLS unset (false) in production.",
            id="partners.W001",
        )
    ]
