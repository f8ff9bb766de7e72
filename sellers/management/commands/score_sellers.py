"""`manage.py score_sellers [--date YYYY-MM-DD] [--seller SLUG ...] [--history-only]`: the daily scoring job,
run now.

The same service as the beat job and the console's button (`sellers.services.performance.sellers_score`):
every seller's score for the day, its history row, the catalog's copy and the ladder. Safe to run twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketplace.actors import Actor
from sellers.models import Seller
from sellers.services.performance import sellers_score


class Command(BaseCommand):
    help = "Score every seller (or the given ones) for a day: history, catalog score, sanctions ladder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to score (YYYY-MM-DD, UTC); today by default.")
        parser.add_argument("--seller", action="append", default=[], help="A seller's slug (repeatable).")
        parser.add_argument(
            "--history-only",
            action="store_true",
            help="Write the day's history rows only (a backfill of past days: no current score, event or sanction).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from None
        seller_ids = None
        if options["seller"]:
            found = dict(
                Seller.objects.filter(organisation__slug__in=options["seller"]).values_list("organisation__slug", "pk")
            )
            unknown = sorted(set(options["seller"]) - set(found))
            if unknown:
                raise CommandError(f"No seller with the slug(s): {', '.join(unknown)}")
            seller_ids = list(found.values())
        run = sellers_score(
            day=day,
            seller_ids=seller_ids,
            actor=Actor.system("score_sellers command"),
            history_only=options["history_only"],
        )
        self.stdout.write(
            f"{run.day}: {run.scored} sellers scored with formula v{run.formula_version} ({run.new} new), "
            f"{run.score_changes} scores and {run.step_changes} ladder steps changed, "
            f"{len(run.suspended)} suspended, in {run.seconds:.2f} s"
        )
