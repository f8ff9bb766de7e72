"""kill -9 of a real Celery worker in the middle of a task: the broker delivers it again (acks_late,
a 3 s visibility timeout here), a new worker runs it again, and its effect happens once, the e-mail
included (marketplace/mail.py's sent-marker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from marketplace.celery import app
from marketplace.models import IdempotencyKey, SentEmail
from tests.marketplace.crash_tasks import crash_probe_task

ROOT = Path(__file__).resolve().parents[2]


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _worker(mail_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/"
        + db["NAME"],
        "EMAIL_URL": f"filemail:///{mail_dir}",  # environ drops one slash of the absolute path
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "ENCORE_TESTING": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "-Q", "default",
        "-I", "tests.marketplace.crash_tasks", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"crash-{uuid.uuid4().hex[:8]}@%h", "--loglevel=INFO",
    ]  # fmt: skip
    output = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_killed_mid_way_runs_again_after_restart_and_sends_its_email_once(tmp_path):
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    flags, mail_dir, log = tmp_path / "flags", tmp_path / "mail", tmp_path / "worker.log"
    flags.mkdir()
    mail_dir.mkdir()
    (flags / "pause").touch()
    crash_probe_task.apply_async(args=[str(flags), "buyer@example.test"], queue="default")

    first = _worker(mail_dir, log)
    try:
        _wait(lambda: (flags / "sent").exists(), 120, "the first run to send its e-mail")
        time.sleep(0.5)
        os.kill(first.pid, signal.SIGKILL)  # the worker dies with the task unacknowledged
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert not (flags / "done").exists()
    assert len(list(mail_dir.iterdir())) == 1

    time.sleep(4)  # past the visibility timeout: the broker hands the task out again
    second = _worker(mail_dir, log)
    try:
        _wait(lambda: (flags / "done").exists(), 120, "the task to run again: " + log.read_text()[-2000:])
    finally:
        second.terminate()
        second.wait(timeout=20)

    assert (flags / "runs").read_text().count("run") == 2  # it did run again
    assert len(list(mail_dir.iterdir())) == 1  # and the e-mail went once
    assert SentEmail.objects.count() == 1
    assert IdempotencyKey.objects.filter(owner="crash-probe").count() == 1
    app.control.purge()


@pytest.mark.django_db
def test_outside_a_task_the_mail_is_just_sent_and_inside_one_the_marker_holds(mailoutbox, monkeypatch):
    from django.core.mail import EmailMessage

    from marketplace import mail

    mail.send_mail("Hello", "Body", None, ["a@example.test"])
    assert len(mailoutbox) == 1
    assert not SentEmail.objects.exists()

    monkeypatch.setattr(mail, "_current_task_id", lambda: "task-1")
    message = EmailMessage("Shipped", "Body", None, ["b@example.test"])
    assert mail.send_message(message) == 1
    assert mail.send_message(EmailMessage("Shipped", "Body", None, ["b@example.test"])) == 0  # the redelivery
    assert mail.send_message(EmailMessage("Delivered", "Body", None, ["b@example.test"])) == 1  # another message
    assert len(mailoutbox) == 3
    assert SentEmail.objects.count() == 2
