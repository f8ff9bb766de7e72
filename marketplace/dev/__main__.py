"""`python -m marketplace.dev run|test|manage ...`: what `make run` and `make test` call.

run     start the embedded servers if needed, migrate, load demo data, then serve
        web (127.0.0.1:8000), a Celery worker and Celery beat in the foreground;
        Ctrl-C stops them all, then the embedded servers.
test    start the embedded servers if needed and run pytest (extra args pass through).
manage  start the embedded servers if needed (or share those of a running `run`) and
        run a manage.py command: `make manage ARGS="createsuperuser"`, `make shell`.

The runner's own lines ([encore] ...) go to stderr; a command's output stays on stdout.
Servers already running on var/ (another `run`) are shared, and stopped only by the
last runner that uses them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

from marketplace.dev.services import BASE_DIR, EmbeddedServices, _log

PYTHON = sys.executable
HOST = os.environ.get("ENCORE_HOST", "127.0.0.1")
PORT = os.environ.get("ENCORE_PORT", "8000")


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _foreground(command: list[str], env: dict[str, str]) -> int:
    """Run `command` attached to the terminal and wait for it.

    Ctrl-C belongs to the command (a Django shell survives it, pytest prints its
    summary): we keep waiting instead of killing it. SIGTERM/SIGHUP are passed on.
    """
    child: list[subprocess.Popen[bytes]] = []

    def _on_signal(signum: int, frame: object) -> None:
        if signum != signal.SIGINT and child:
            child[0].send_signal(signum)

    # Handlers (not SIG_IGN) are reset to the default in the child on exec.
    previous = {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        child.append(subprocess.Popen(command, cwd=BASE_DIR, env=env))
        code = child[0].wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code if code >= 0 else 128 - code


def _environment(services: EmbeddedServices) -> dict[str, str]:
    env = dict(os.environ)
    env.update(services.start())
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def run() -> int:
    services = EmbeddedServices(command="run")
    children: list[subprocess.Popen[bytes]] = []
    try:
        env = _environment(services)
        env.setdefault("DJANGO_DEBUG", "true")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        _manage(env, "seed_demo")
        celery = [PYTHON, "-m", "celery", "-A", "marketplace"]
        commands = {
            "web": [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2", "--hostname", "encore@%h"],
            "beat": [*celery, "beat", "--loglevel", "INFO"],
        }
        for name, command in commands.items():
            # Own process group: Ctrl-C reaches only us, and we stop the children in order.
            children.append(subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True))
            _log(f"started {name} (pid {children[-1].pid})")
        _log(f"Encore is up: storefront http://{HOST}:{PORT}/  seller http://{HOST}:{PORT}/seller/  ")
        _log(f"console http://{HOST}:{PORT}/console/  API docs http://{HOST}:{PORT}/api/v1/docs/  (Ctrl-C stops)")
        stop = False

        def _on_signal(signum: int, frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
        while not stop:
            if any(child.poll() is not None for child in children):
                _log("a process exited; stopping the others")
                break
            time.sleep(0.3)
        return 0
    except subprocess.CalledProcessError as error:
        _log(f"failed: {error}")
        return error.returncode or 1
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        services.stop()


def test(args: list[str]) -> int:
    services = EmbeddedServices(command="test")
    try:
        env = _environment(services)
        env["ENCORE_TESTING"] = "1"
        browser = chromium_path()
        if browser:
            env["CHROMIUM_PATH"] = browser
            _log(f"browser tests run in {browser}")
        else:
            _log("NO CHROMIUM FOUND: browser tests are SKIPPED (install Debian's 'chromium' to run them)")
        return _foreground([PYTHON, "-m", "pytest", *args], env)
    finally:
        services.stop()


def manage(args: list[str]) -> int:
    services = EmbeddedServices(command=shlex.join(["manage", *args[:1]]))
    try:
        env = _environment(services)
        # A developer's machine: development settings unless told otherwise (tests set their own).
        env.setdefault("DJANGO_DEBUG", "true")
        return _foreground([PYTHON, "manage.py", *args], env)
    finally:
        services.stop()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "manage"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    return manage(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
