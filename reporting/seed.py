"""Demo data of the dashboards: the rollup tables rebuilt from every other app's demo rows (orders,
refunds, claims, trade-ins), so the platform, seller and partner dashboards show the demo at once
rather than after the first beat run. Runs last (`seed_after`, INSTALLED_APPS order); idempotent: a
rebuild rewrites the same rows."""

from __future__ import annotations

from collections.abc import Callable

from reporting.services import rollups_rebuild

Log = Callable[[str], None]


def seed(*, scale: str, log: Log) -> None:
    """Nothing of its own: the rollups are computed from the other apps' rows (`seed_after`)."""


def seed_after(*, scale: str, log: Log) -> None:
    rows = rollups_rebuild()
    log(f"reporting: dashboards' rollups rebuilt ({rows} rows)")
