"""A task for the kill -9 test (tests/marketplace/test_worker_crash.py), imported by its worker (`-I`).

It does what an e-mail task does (an idempotent write, then a message through marketplace.mail),
then, the first time only, waits to be killed before it is acknowledged."""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task

from marketplace.mail import send_mail
from marketplace.models import IdempotencyKey


@shared_task(acks_late=True)
def crash_probe_task(flag_dir: str, recipient: str) -> str:
    flags = Path(flag_dir)
    with (flags / "runs").open("a") as runs:
        runs.write("run\n")
    # The effect: an upsert, the same however many times the task runs.
    IdempotencyKey.objects.get_or_create(
        owner="crash-probe",
        key=recipient,
        defaults={"fingerprint": "x", "expires_at": "2100-01-01T00:00:00Z"},
    )
    send_mail("Your parcel is on its way", "Tracking: 1Z999", None, [recipient])
    (flags / "sent").touch()
    pause = flags / "pause"
    if pause.exists():
        pause.unlink()
        time.sleep(300)  # killed here, after the e-mail, before the acknowledgement
    (flags / "done").touch()
    return "done"
