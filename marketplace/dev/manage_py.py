"""Plain `python manage.py ...` with no DATABASE_URL (neither in the environment nor in .env).

- The embedded servers of a running `make run` are up (var/dev-servers.json):
  use them (DATABASE_URL, and REDIS_URL when unset) and say so on stderr.
- Otherwise the settings' default database is used, as always; when it cannot be
  reached, one line says what to run instead of a connection traceback.

With DATABASE_URL set nothing here happens: manage.py is plain Django.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from marketplace.dev import state

# Commands that would only fail later (inside the shell, after the prompts, on the
# first request): the database is checked before they start.
CHECKED_FIRST = {"shell", "dbshell", "createsuperuser", "changepassword", "runserver"}


def guidance(argv: list[str], target: str) -> str:
    """The one line printed instead of a connection traceback."""
    args = shlex.join(argv[1:]) or "help"
    if argv[1:] == ["shell"]:
        make = "make shell"
    elif not any(char in args for char in '"$`\\'):
        make = f'make manage ARGS="{args}"'
    else:
        make = f"make manage ARGS={shlex.quote(args)}"
    return (
        f"manage.py: cannot connect to {target}: DATABASE_URL is not set and no `make run` is running. "
        f"Instead run: {make} (or .venv/bin/python -m marketplace.dev manage {args}), or set DATABASE_URL."
    )


def use_running_servers(var: Path | None = None) -> bool:
    """Point this process at the running embedded servers; False when there are none."""
    var = var or state.var_dir()
    urls, users = state.running_servers(var)
    if "DATABASE_URL" not in urls:
        return False
    used = [name for name in ("DATABASE_URL", "REDIS_URL") if name in urls and not state.configured(name)]
    for name in used:
        os.environ[name] = urls[name]
    os.environ.setdefault("DJANGO_DEBUG", "true")  # `make run`'s servers: a development machine
    servers = " and ".join({"DATABASE_URL": "PostgreSQL", "REDIS_URL": "Redis"}[name] for name in used)
    by = f" (used by {state.describe(users)})" if users else ""
    state.log(f"manage.py: DATABASE_URL is not set; using the running embedded {servers} under {var}{by}")
    return True


def _default_target() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgresql://{db.get('USER') or ''}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def database_reachable() -> bool:
    from django.db import OperationalError, connections

    connection = connections["default"]
    try:
        connection.close()
        connection.ensure_connection()
    except OperationalError:
        return False
    finally:
        connection.close()
    return True


def main(argv: list[str], execute: Callable[[list[str]], None]) -> int:
    """Run `execute(argv)` (Django's execute_from_command_line) as described above."""
    if state.configured("DATABASE_URL") or use_running_servers():
        execute(argv)
        return 0
    from django.db import OperationalError

    # --settings/--pythonpath are applied by Django itself; loading settings here first would defeat them.
    may_check = not any(arg.startswith(("--settings", "--pythonpath")) for arg in argv)
    command = argv[1] if len(argv) > 1 else "help"
    if may_check and command in CHECKED_FIRST and not database_reachable():
        print(guidance(argv, _default_target()), file=sys.stderr)
        return 1
    try:
        execute(argv)
    except OperationalError:
        if not may_check or database_reachable():
            raise
        print(guidance(argv, _default_target()), file=sys.stderr)
        return 1
    return 0
