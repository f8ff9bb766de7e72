"""One HTTP POST to a webhook receiver, bounded in time and memory, with urllib3.

- The connection goes to the address `destinations` has just checked, with the URL's host name as
  `Host` and, for https, as the TLS server name (SNI) the certificate is verified against.
- One deadline (`WEBHOOKS_TIMEOUT_SECONDS`, 10 s) covers everything: connect, TLS, sending, the
  answer's headers and the bounded read of its body. Socket timeouts alone would let a receiver
  drip one byte every few seconds for ever; a watchdog timer shuts the socket down at the
  deadline, which ends any blocking read at once.
- Only the first `MAX_STORED_BYTES` (1 KB) of the answer are read and kept; the rest is never
  read (the connection is closed), so a huge or endless answer costs nothing.
- No redirect is followed (a 3xx is an unsuccessful answer), no proxy from the environment is used.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse

from partners.destinations import Destination

MAX_STORED_BYTES = 1024
MAX_RETRY_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Answer:
    """What an attempt got: an HTTP status and the start of the body, or an error without one."""

    status_code: int | None
    body: str
    duration_ms: int
    error: str = ""
    retry_after: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def ssl_context() -> ssl.SSLContext | None:
    """The TLS context (None: urllib3's default, the system's CAs). Tests trust their own CA here."""
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> int | None:
    """Seconds to wait from a `Retry-After` header (delay in seconds or an HTTP date), at most a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = datetime.fromtimestamp(time.time() if now is None else now, tz=UTC)
        seconds = int((when - current).total_seconds())
    return max(0, min(seconds, MAX_RETRY_AFTER_SECONDS))


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def post(destination: Destination, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `destination` within `timeout` seconds in all; never raises for network trouble."""
    started = time.monotonic()
    connection: HTTPConnection
    if destination.scheme == "https":
        connection = HTTPSConnection(
            destination.address,
            destination.port,
            timeout=timeout,
            server_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
            ssl_context=ssl_context(),
        )
    else:
        connection = HTTPConnection(destination.address, destination.port, timeout=timeout)
    timed_out = threading.Event()

    def watchdog() -> None:
        timed_out.set()
        _shut(connection)

    timer = threading.Timer(timeout, watchdog)
    timer.daemon = True
    timer.start()
    try:
        try:
            connection.request(
                "POST",
                destination.target,
                body=body,
                headers={
                    **headers,
                    "Host": destination.host_header,
                    "Content-Length": str(len(body)),
                    "Connection": "close",
                },
                preload_content=False,
                decode_content=False,
            )
            response = connection.getresponse()
        except Exception as error:  # any network or protocol trouble before an answer: unsuccessful
            reason = "timeout" if timed_out.is_set() or isinstance(error, TimeoutError) else _describe(error)
            return Answer(status_code=None, body="", duration_ms=_elapsed_ms(started), error=reason)
        # The receiver has answered: its status counts, however its body ends.
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if response.status == 429 else None
        return Answer(
            status_code=response.status,
            body=_read_head(response).decode("utf-8", errors="replace"),
            duration_ms=_elapsed_ms(started),
            retry_after=retry_after,
        )
    finally:
        timer.cancel()
        connection.close()


def _read_head(response: BaseHTTPResponse) -> bytes:
    """Up to `MAX_STORED_BYTES` of the body, as they come (a body left open is cut at the deadline)."""
    head = b""
    try:
        while len(head) < MAX_STORED_BYTES:
            chunk = response.read1(MAX_STORED_BYTES - len(head))
            if not chunk:
                break
            head += chunk
    except Exception:  # noqa: S110 - the answer's status is what matters; keep what arrived
        pass
    return head[:MAX_STORED_BYTES]


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    if "timed out" in text.lower():
        return "timeout"
    return text[:200]
