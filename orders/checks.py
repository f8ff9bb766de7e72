"""Deployment checks for payments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def stripe_configured_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production, checkout must take real payments: the test provider marks orders paid for free."""
    missing = [
        name
        for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
        if not getattr(settings, name)
    ]
    if not missing:
        return []
    return [
        checks.Warning(
            f"{', '.join(missing)} not set: checkout uses the test payment provider, which marks orders paid "
            "without charging anyone.",
            hint="Set the three STRIPE_* variables (see .env.example) before taking real orders.",
            id="orders.W001",
        )
    ]
