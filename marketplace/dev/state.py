"""Which embedded servers are running, and which dev runners use them: `var/dev-servers.json`.

The dev runner (`python -m marketplace.dev run|test|manage`) records each embedded
server it starts or shares (URL, pid, socket) and itself as a user of it, under a
lock. When a runner ends it leaves; the last one out stops the servers that a
runner started, so `make manage` never stops the servers of a running `make run`.
Plain `manage.py` reads the file to find the servers of a running `make run`.

Standard library only: manage.py imports this before Django.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[2]
STATE_FILE = "dev-servers.json"
LOCK_FILE = ".dev-servers.lock"
URL_NAMES = {"postgres": "DATABASE_URL", "redis": "REDIS_URL"}


def log(message: str) -> None:
    """The dev runner's own lines go to stderr: a command's stdout stays clean."""
    print(f"[encore] {message}", file=sys.stderr, flush=True)


def var_dir() -> Path:
    """Where the embedded servers keep their data (ENCORE_VAR_DIR, default var/)."""
    return (BASE_DIR / (os.environ.get("ENCORE_VAR_DIR") or "var")).resolve()


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (an orphan nobody reaped) answers signals but serves nothing
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def server_alive(entry: dict[str, Any]) -> bool:
    return pid_alive(int(entry.get("pid") or 0)) and Path(entry.get("socket") or "/nonexistent").is_socket()


def read(var: Path) -> dict[str, Any]:
    try:
        data = json.loads((var / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(var: Path, data: dict[str, Any]) -> None:
    path = var / STATE_FILE
    if not data:
        path.unlink(missing_ok=True)
        return
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(temporary, path)  # readers never see half a file


@contextlib.contextmanager
def locked(var: Path) -> Iterator[None]:
    """One dev runner at a time decides what to start and what to stop."""
    var.mkdir(parents=True, exist_ok=True)
    with open(var / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _live_users(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [user for user in entry.get("users", []) if pid_alive(int(user.get("pid", 0)))]


def join(var: Path, name: str, *, url: str, pid: int, socket: str, started: bool, command: str) -> None:
    """Record that this process uses server `name` (call under `locked`).

    `started`: this process started it, so the last user out may stop it. A server
    that was already running without a record (started by hand) is never stopped.
    """
    data = read(var)
    entry = data.get(name)
    if not entry or entry.get("pid") != pid:
        entry = {"url": url, "pid": pid, "socket": socket, "stoppable": started, "users": []}
    me = os.getpid()
    entry["users"] = [user for user in _live_users(entry) if user["pid"] != me] + [{"pid": me, "command": command}]
    data[name] = entry
    write(var, data)


def leave(var: Path, name: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Drop this process from server `name`'s users (call under `locked`).

    Returns (the record, the other live users). With no other user the record is
    removed: the caller stops the server when the record says it is stoppable.
    """
    data = read(var)
    entry = data.get(name)
    if entry is None:
        return None, []
    me = os.getpid()
    others = [user for user in _live_users(entry) if user["pid"] != me]
    if others:
        data[name] = {**entry, "users": others}
    else:
        del data[name]
    write(var, data)
    return entry, others


def describe(users: list[dict[str, Any]]) -> str:
    return ", ".join(f"`{user.get('command', '?')}` (pid {user.get('pid')})" for user in users)


def running_servers(var: Path | None = None) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The URLs of the embedded servers that are up ({"DATABASE_URL": ..., "REDIS_URL": ...}),
    and the dev runners using them. Reads only; stale records (a crashed runner) are skipped."""
    data = read(var or var_dir())
    urls: dict[str, str] = {}
    users: dict[int, dict[str, Any]] = {}
    for name, variable in URL_NAMES.items():
        entry = data.get(name)
        if isinstance(entry, dict) and entry.get("url") and server_alive(entry):
            urls[variable] = entry["url"]
            users.update((user["pid"], user) for user in _live_users(entry))
    return urls, list(users.values())


_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def dotenv_value(name: str, path: Path | None = None) -> str:
    """The value `name` gets from the project's .env file (what settings.py reads), or ""."""
    try:
        lines = (path or BASE_DIR / ".env").read_text().splitlines()
    except OSError:
        return ""
    value = ""
    for line in lines:
        match = _DOTENV_LINE.match(line)
        if match and match.group(1) == name:
            value = match.group(2).strip("'\"")
    return value


def configured(name: str) -> str:
    """`name` as settings.py will see it: the environment first, then .env."""
    return os.environ.get(name) or dotenv_value(name)
