"""The dev runner's record of the embedded servers (var/dev-servers.json) and plain manage.py.

No embedded PostgreSQL is started here: a "running server" is this test process (a live
pid) and a unix socket bound in a temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError

from marketplace.dev import manage_py, state

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # A unix socket path must stay under ~100 characters; pytest's tmp_path may not.
    path = Path(tempfile.mkdtemp(prefix="encore-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the file stays: enough for the check, which never connects
    return path


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def _write_servers(var: Path, *, pid: int, users: list[int] | None = None, redis: bool = True) -> dict[str, str]:
    data = {
        "postgres": {
            "url": f"postgresql://postgres:@/encore?host={var}",
            "pid": pid,
            "socket": str(_socket(var / ".s.PGSQL.5432")),
            "stoppable": True,
            "users": [{"pid": user, "command": "run"} for user in users or [os.getpid()]],
        }
    }
    if redis:
        data["redis"] = {
            "url": f"unix://{var}/redis.sock?db=0",
            "pid": pid,
            "socket": str(_socket(var / "redis.sock")),
            "stoppable": True,
            "users": [{"pid": user, "command": "run"} for user in users or [os.getpid()]],
        }
    state.write(var, data)
    return {"DATABASE_URL": data["postgres"]["url"], **({"REDIS_URL": data["redis"]["url"]} if redis else {})}


# --- discovery ----------------------------------------------------------------------------


def test_running_servers_are_found_with_their_users(short_dir: Path) -> None:
    urls = _write_servers(short_dir, pid=os.getpid())

    found, users = state.running_servers(short_dir)

    assert found == urls
    assert users == [{"pid": os.getpid(), "command": "run"}]


def test_no_record_means_no_running_servers(tmp_path: Path) -> None:
    assert state.running_servers(tmp_path) == ({}, [])
    (tmp_path / state.STATE_FILE).write_text("{not json")
    assert state.running_servers(tmp_path) == ({}, [])


def test_a_record_of_a_dead_server_is_ignored(short_dir: Path) -> None:
    _write_servers(short_dir, pid=_dead_pid())
    assert state.running_servers(short_dir) == ({}, [])


def test_a_record_whose_socket_is_gone_is_ignored(short_dir: Path) -> None:
    _write_servers(short_dir, pid=os.getpid())
    (short_dir / ".s.PGSQL.5432").unlink()

    found, _ = state.running_servers(short_dir)

    assert "DATABASE_URL" not in found


# --- who stops the servers ------------------------------------------------------------------


def _redis_record(users: list[int]) -> dict[str, object]:
    records = [{"pid": pid, "command": "run"} for pid in users]
    return {"url": "u", "pid": 9, "socket": "s", "stoppable": True, "users": records}


def test_the_last_runner_out_gets_the_record_and_the_file_goes(tmp_path: Path) -> None:
    state.join(tmp_path, "postgres", url="u", pid=123, socket="s", started=True, command="manage shell")

    entry, others = state.leave(tmp_path, "postgres")

    assert entry is not None
    assert entry["stoppable"] is True
    assert others == []
    assert not (tmp_path / state.STATE_FILE).exists()


def test_a_runner_leaving_while_make_run_still_runs_stops_nothing(tmp_path: Path) -> None:
    run_pid = os.getppid()  # alive for the whole test: plays the `make run` runner
    state.write(
        tmp_path,
        {"redis": _redis_record(users=[run_pid])},
    )
    state.join(tmp_path, "redis", url="u", pid=9, socket="s", started=False, command="manage shell")

    _, others = state.leave(tmp_path, "redis")

    assert others == [{"pid": run_pid, "command": "run"}]
    assert state.read(tmp_path)["redis"]["users"] == others
    assert state.read(tmp_path)["redis"]["stoppable"] is True  # joining never changes who may stop it


def test_users_that_died_are_pruned(tmp_path: Path) -> None:
    dead = _dead_pid()
    state.write(
        tmp_path,
        {"redis": _redis_record(users=[dead])},
    )
    state.join(tmp_path, "redis", url="u", pid=9, socket="s", started=False, command="manage")

    assert [user["pid"] for user in state.read(tmp_path)["redis"]["users"]] == [os.getpid()]
    _, others = state.leave(tmp_path, "redis")
    assert others == []


def test_a_server_found_running_without_a_record_is_never_stoppable(tmp_path: Path) -> None:
    state.join(tmp_path, "postgres", url="u", pid=5, socket="s", started=False, command="manage")
    entry, _ = state.leave(tmp_path, "postgres")
    assert entry is not None
    assert entry["stoppable"] is False


def test_a_record_of_an_older_server_is_replaced(tmp_path: Path) -> None:
    state.join(tmp_path, "postgres", url="old", pid=5, socket="s", started=False, command="run")
    state.join(tmp_path, "postgres", url="new", pid=6, socket="s", started=True, command="manage")

    entry = state.read(tmp_path)["postgres"]

    assert (entry["url"], entry["pid"], entry["stoppable"]) == ("new", 6, True)


def test_dotenv_value(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text('# DATABASE_URL=commented\nexport DATABASE_URL="postgres://db/x"\nREDIS_URL=\n')
    assert state.dotenv_value("DATABASE_URL", dotenv) == "postgres://db/x"
    assert state.dotenv_value("REDIS_URL", dotenv) == ""
    assert state.dotenv_value("DATABASE_URL", tmp_path / "missing") == ""


# --- plain manage.py --------------------------------------------------------------------------


@pytest.fixture
def no_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG"):
        monkeypatch.setenv(name, "")  # so that teardown restores what the code under test sets
        monkeypatch.delenv(name)
    monkeypatch.setattr(state, "dotenv_value", lambda name, path=None: "")


def test_manage_py_uses_the_running_servers(
    no_database_url: None, short_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = _write_servers(short_dir, pid=os.getpid())

    assert manage_py.use_running_servers(short_dir) is True

    assert os.environ["DATABASE_URL"] == urls["DATABASE_URL"]
    assert os.environ["REDIS_URL"] == urls["REDIS_URL"]
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "using the running embedded PostgreSQL and Redis" in captured.err


def test_manage_py_keeps_a_redis_url_it_was_given(
    no_database_url: None, short_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/1")
    urls = _write_servers(short_dir, pid=os.getpid())

    manage_py.use_running_servers(short_dir)

    assert os.environ["DATABASE_URL"] == urls["DATABASE_URL"]
    assert os.environ["REDIS_URL"] == "redis://elsewhere:6379/1"


def test_manage_py_without_running_servers_changes_nothing(no_database_url: None, tmp_path: Path) -> None:
    assert manage_py.use_running_servers(tmp_path) is False
    assert "DATABASE_URL" not in os.environ


def test_guidance_is_one_line_naming_what_to_run() -> None:
    target = "postgresql://postgres@127.0.0.1:5432/encore"

    line = manage_py.guidance(["manage.py", "showmigrations", "marketplace"], target)

    assert "\n" not in line
    assert target in line
    assert 'make manage ARGS="showmigrations marketplace"' in line
    assert "python -m marketplace.dev manage showmigrations marketplace" in line
    assert "set DATABASE_URL" in line
    assert "make shell " in manage_py.guidance(["manage.py", "shell"], target)
    quoted = manage_py.guidance(["manage.py", "shell", "-c", 'print("hi")'], target)
    assert """make manage ARGS='shell -c '"'"'print("hi")'"'"''""" in quoted


def test_with_database_url_manage_py_is_plain_django(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/encore")
    monkeypatch.setattr(state, "running_servers", pytest.fail)
    monkeypatch.setattr(manage_py, "database_reachable", pytest.fail)
    ran: list[list[str]] = []

    assert manage_py.main(["manage.py", "shell"], ran.append) == 0
    assert ran == [["manage.py", "shell"]]


def test_an_interactive_command_without_a_database_says_what_to_run(
    no_database_url: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENCORE_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(manage_py, "database_reachable", lambda: False)
    ran: list[list[str]] = []

    assert manage_py.main(["manage.py", "createsuperuser"], ran.append) == 1

    assert ran == []
    assert 'make manage ARGS="createsuperuser"' in capsys.readouterr().err


def test_a_connection_failure_becomes_the_guidance_line(
    no_database_url: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENCORE_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(manage_py, "database_reachable", lambda: False)

    def fails(argv: list[str]) -> None:
        raise OperationalError("connection failed")

    assert manage_py.main(["manage.py", "migrate"], fails) == 1
    assert 'make manage ARGS="migrate"' in capsys.readouterr().err

    # The database answers: the error was something else, and is raised as it is.
    monkeypatch.setattr(manage_py, "database_reachable", lambda: True)
    with pytest.raises(OperationalError):
        manage_py.main(["manage.py", "migrate"], fails)


# --- the real manage.py ---------------------------------------------------------------------


def _plain_env(var: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env["ENCORE_VAR_DIR"] = str(var)  # never this checkout's var/, where a `make run` may be up
    # Should a PostgreSQL answer at the settings' default (127.0.0.1:5432, as on CI), libpq
    # still refuses it: only a hot standby would do.
    env["PGTARGETSESSIONATTRS"] = "standby"
    return env


@pytest.fixture
def no_dotenv_database() -> None:
    if state.dotenv_value("DATABASE_URL"):
        pytest.skip(".env sets DATABASE_URL: manage.py is plain Django here")


def test_manage_py_without_a_database_prints_the_guidance_line(no_dotenv_database: None, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "showmigrations", "marketplace"],
        cwd=BASE_DIR,
        env=_plain_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert 'make manage ARGS="showmigrations marketplace"' in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_manage_py_finds_the_running_servers(no_dotenv_database: None, short_dir: Path) -> None:
    urls = _write_servers(short_dir, pid=os.getpid())

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", "import os; print(os.environ['DATABASE_URL'])"],
        cwd=BASE_DIR,
        env=_plain_env(short_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == urls["DATABASE_URL"]
    assert f"using the running embedded PostgreSQL and Redis under {short_dir}" in result.stderr
    assert json.loads((short_dir / state.STATE_FILE).read_text())["postgres"]["url"] == urls["DATABASE_URL"]
