"""A probe task for `bench/webhooks.py`: records when it ran, to measure how long other Celery work
waits while a webhook backlog drains. Loaded by the bench's workers with `--include`."""

from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache


@shared_task
def probe_task(key: str, sent: float) -> None:
    cache.set(key, str(time.time()), timeout=600)
