"""Rows a service already holds, attached to their parent as `prefetch_related` would attach them.

A service that has just created or read a parent's related rows (a placed order's seller orders and
lines) attaches them with `prefetched`, so the caller serialises the parent without reading them back:
`parent.children.all()` answers from the list, `.get()`, `.filter()` and `.count()` behave as after a
prefetch. Only for rows known to be complete and current.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


def prefetched(instance: models.Model, name: str, objects: Iterable[Any]) -> None:
    """Attach `objects` as the prefetched result of `instance.<name>` (a reverse foreign key or many-to-many)."""
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(name, None)
    queryset = getattr(instance, name).get_queryset()  # the related rows' queryset, not run
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[name] = queryset
