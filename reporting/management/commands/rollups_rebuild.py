"""`manage.py rollups_rebuild`: recompute the dashboards' rollups of every day that has data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reporting.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboards' rollup tables of every day that has data (after a deploy, or a bulk load)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = rollups_rebuild()
        self.stdout.write(f"{written} rollup rows written.")
