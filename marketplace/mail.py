"""The one way e-mails leave Encore: `send_mail` / `send_message`, with a sent-marker inside tasks.

E-mail tasks are `acks_late`: a worker killed in the middle of one (kill -9, a node lost) has its
message delivered again, and the task runs again from the start. Everything it changed in the
database is idempotent by design; an e-mail is not. So each message a task sends writes a
`SentEmail` row whose key is the task's id (the same on redelivery and on retries) with the
message's subject and recipients, in the same transaction as the send:

- the row exists: this message went out in an earlier run: nothing is sent again;
- the send fails: the row is rolled back with it, and the next run sends it;
- two runs at once (a redelivery while the first still runs): the unique key makes the second wait
  for the first's commit, then skip.

Outside a task (a request sending synchronously) there is no redelivery: the message is just sent.
Every app's notifications send through here (`from marketplace.mail import send_mail`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.models import SentEmail


def _current_task_id() -> str | None:
    from celery import current_task

    request = getattr(current_task, "request", None)
    task_id = getattr(request, "id", None)
    # Eager calls (tests, a task called as a function) have no delivery to repeat.
    if task_id is None or getattr(request, "is_eager", False) or getattr(request, "called_directly", True):
        return None
    return str(task_id)


def sent_marker_key(task_id: str, message: EmailMessage) -> str:
    """Deterministic per task run and message: the same on redelivery, different for each message."""
    recipients = ",".join(sorted(str(address).lower() for address in message.recipients()))
    return hashlib.sha256(f"{task_id}\n{message.subject}\n{recipients}".encode()).hexdigest()


def send_message(message: EmailMessage, *, fail_silently: bool = False) -> int:
    """Send `message` once per task run (see the module docstring); returns the number sent (0 or 1)."""
    task_id = _current_task_id()
    if task_id is None:
        return message.send(fail_silently=fail_silently)
    key = sent_marker_key(task_id, message)
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key)
            return message.send(fail_silently=fail_silently)
    except IntegrityError:
        return 0  # sent by an earlier run of this task


def send_mail(
    subject: str,
    message: str,
    from_email: str | None,
    recipient_list: Sequence[str],
    *,
    fail_silently: bool = False,
) -> int:
    """`django.core.mail.send_mail`'s signature, through the sent-marker."""
    email = EmailMessage(subject, message, from_email or settings.DEFAULT_FROM_EMAIL, list(recipient_list))
    return send_message(email, fail_silently=fail_silently)


SENT_MARKER_DAYS = 30


def sent_markers_purge() -> int:
    """Forget markers past any redelivery (the broker's visibility timeout is an hour): beat, daily."""
    cutoff = timezone.now() - timedelta(days=SENT_MARKER_DAYS)
    deleted, _ = SentEmail.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
