"""The project's Celery app for a test that kills its worker: a broker visibility timeout of seconds
(so an unacknowledged message comes back quickly) and a short webhook deadline.

    celery -A tests.partners.killable_worker worker -Q webhooks --pool solo
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
django.setup()

from django.conf import settings  # noqa: E402 - after setup

from marketplace.celery import app  # noqa: E402

settings.WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("TEST_WEBHOOKS_TIMEOUT_SECONDS", "2"))
app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
