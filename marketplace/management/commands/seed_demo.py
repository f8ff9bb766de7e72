"""`manage.py seed_demo [--scale demo|bench]`: deterministic, idempotent demo data."""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from marketplace import seed as kernel_seed


class Command(BaseCommand):
    help = "Load demo data (idempotent). --scale bench builds the benchmark shape."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=("demo", "bench"), default="demo")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    @staticmethod
    def _seed_module(config: Any) -> Any:
        if config.name == "marketplace" or not config.path.startswith(str(settings.BASE_DIR)):
            return None
        try:
            return importlib.import_module(f"{config.name}.seed")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.seed":
                raise
            return None

    def handle(self, *args: Any, scale: str, quiet_logins: bool, **options: Any) -> None:
        started = time.perf_counter()

        def log(message: str) -> None:
            self.stdout.write(f"  {message}")

        kernel_seed.seed(scale=scale, log=log)
        modules = [module for module in map(self._seed_module, apps.get_app_configs()) if module is not None]
        # Two passes: `seed` builds each app's own rows (in INSTALLED_APPS order); `seed_after`
        # lets an app add rows that need later apps' data (e.g. demo sellers' listings).
        for module in modules:
            module.seed(scale=scale, log=log)
        for module in modules:
            if hasattr(module, "seed_after"):
                module.seed_after(scale=scale, log=log)
        logins = list(kernel_seed.demo_logins())
        for module in modules:
            logins += list(getattr(module, "demo_logins", list)())
        kernel_seed.verify_demo_addresses([email for email, _ in logins])
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({scale}) in {time.perf_counter() - started:.1f}s."))
        if not quiet_logins:
            self.stdout.write(f"Demo logins (password '{kernel_seed.DEMO_PASSWORD}'):")
            for email, role in logins:
                self.stdout.write(f"  {email:<26} {role}")
