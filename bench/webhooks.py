"""Webhook benchmark: real Celery workers deliver outbox events to a local receiver.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/webhooks.py [--events 5000] [--concurrency 2]
    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/webhooks.py --backlog 100000 [--shared-worker]

Throughput (default): `--events` order events are written to the outbox of a bench partner with one
endpoint on a local HTTP receiver (127.0.0.1, answering 204), then one relay task is sent; a Celery
worker with `--concurrency` processes (prefork) consuming the `webhooks` queue relays them and
delivers them. Prints deliveries per second from the relay's start to the last success (target:
>= 200/s with 2 processes), and the relay's own rate.

Backlog (`--backlog N`): the same with N events waiting at once (100,000), while a second worker
consumes the `default` queue, where a probe task is sent every second: prints the webhook workers'
memory (RSS of each process, sampled every 5 s) from start to end, the queue length in Redis (the
dispatcher keeps at most WEBHOOKS_MAX_QUEUED messages there), and the probe's latency (other Celery
work must not wait for the backlog). `--shared-worker` runs one worker consuming every queue, as
`make run` does, instead of one worker per queue.

The database is migrated, not seeded (only a bench partner and its endpoint are needed); each run
starts from an empty delivery log.
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.sharedctypes
import os
import signal
import statistics
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "0" * 40)
os.environ.setdefault("WEBHOOKS_ALLOW_PRIVATE_URLS", "true")  # the receiver is on 127.0.0.1
os.environ.setdefault("LOG_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROBE_KEY = "bench:webhooks:probe:"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # many workers' requests may arrive at once


def _serve(port: multiprocessing.sharedctypes.Synchronized, count: multiprocessing.sharedctypes.Synchronized) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with count.get_lock():
                count.value += 1
            self.send_response(204)
            self.send_header("Connection", "close")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    server.serve_forever()


class Receiver:
    """An HTTP receiver on 127.0.0.1 in its own process (threaded), answering 204 and counting."""

    def __init__(self) -> None:
        self._port = multiprocessing.Value("i", 0)
        self._count = multiprocessing.Value("i", 0)
        self.process = multiprocessing.Process(target=_serve, args=(self._port, self._count), daemon=True)
        self.process.start()
        while not self._port.value:
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self._port.value}/encore"

    @property
    def count(self) -> int:
        return int(self._count.value)

    def stop(self) -> None:
        self.process.terminate()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(url: str, events: int) -> int:
    """A bench partner with one endpoint; `events` order.paid events in its outbox. Returns the partner id."""
    from django.db import transaction

    from marketplace.actors import Actor
    from marketplace.events import emit_many
    from marketplace.models import Event, Organisation
    from partners.models import WebhookDelivery, WebhookEndpoint
    from partners.services.endpoints import webhook_endpoint_create

    partner, _ = Organisation.objects.get_or_create(
        slug="bench-webhooks", defaults={"name": "Bench Webhooks Partner", "kind": "partner", "country": "fr"}
    )
    WebhookDelivery.objects.filter(endpoint__organisation=partner).delete()
    WebhookEndpoint.objects.filter(organisation=partner).delete()
    Event.objects.filter(organisation=partner).delete()
    Event.objects.filter(relayed_at__isnull=True).update(relayed_at=time_now())
    webhook_endpoint_create(organisation=partner, url=url, events=["*"], actor=Actor.system("bench"))
    # No after-commit nudge from these writes: the bench starts the relay itself once the workers are up.
    partner.receives_webhooks = False
    started = time.perf_counter()
    for offset in range(0, events, 5000):
        with transaction.atomic():
            emit_many(
                "order.paid",
                [
                    ({"order": f"E{n:09d}", "total": {"amount": 12999, "currency": "EUR"}}, partner)
                    for n in range(offset, min(events, offset + 5000))
                ],
            )
    print(f"outbox: {events} events written in {time.perf_counter() - started:.1f}s")
    return partner.pk


def time_now():
    from django.utils import timezone

    return timezone.now()


def start_worker(name: str, queues: str, concurrency: int) -> subprocess.Popen[bytes]:
    command = [
        PYTHON, "-m", "celery", "-A", "marketplace", "worker", "-Q", queues, "--concurrency", str(concurrency),
        "--pool", "prefork", "--hostname", f"{name}@%h", "--loglevel", "WARNING", "--without-mingle",
        "--without-gossip", "--include", "bench.webhooks_probe",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), start_new_session=True)


def rss_mb(pid: int) -> list[float]:
    """Resident memory (MB) of a worker's main process and its pool processes."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        return []
    sizes = []
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return sizes


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a worker's main process and its pool processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return 0.0
    total = 0.0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def queue_length(name: str) -> int:
    from marketplace.celery import app

    with app.connection_for_write() as connection:
        return int(connection.default_channel.client.llen(name))


def wait_ready(seconds: float = 30) -> None:
    from marketplace.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
    sys.exit("the Celery workers did not start")


def succeeded(partner_id: int) -> int:
    from partners.models import WebhookDelivery

    return WebhookDelivery.objects.filter(endpoint__organisation_id=partner_id, status="succeeded").count()


def deliveries_of(partner_id: int) -> int:
    from partners.models import WebhookDelivery

    return WebhookDelivery.objects.filter(endpoint__organisation_id=partner_id).count()


def run(args: argparse.Namespace) -> None:
    from django.core.cache import cache

    from marketplace.celery import app
    from partners.tasks import webhook_relay_task

    backlog = args.backlog
    total = backlog or args.events
    receiver = Receiver()
    partner_id = prepare(receiver.url, total)
    workers = []
    if backlog and not args.shared_worker:
        workers.append(start_worker("bench-webhooks", "webhooks", args.concurrency))
        workers.append(start_worker("bench-default", "default", 1))
    elif backlog:
        workers.append(start_worker("bench-all", "default,emails,webhooks,scoring", args.concurrency))
    else:
        workers.append(start_worker("bench-webhooks", "webhooks", args.concurrency))
    try:
        wait_ready()
        time.sleep(2)
        cpu_before = cpu_seconds(workers[0].pid)
        started = time.monotonic()
        webhook_relay_task.delay()
        probes: list[float] = []
        memory: list[tuple[float, list[float]]] = []
        queue_lengths: list[int] = []
        relayed_at = None
        last_sample = 0.0
        last_sweep = started
        last_relay_check = 0.0
        probe_number = 0
        while True:
            now = time.monotonic()
            # Progress from the receiver's own count (no query); the database confirms the end.
            done = succeeded(partner_id) if receiver.count >= total else receiver.count
            if relayed_at is None and now - last_relay_check >= 2:
                last_relay_check = now
                if deliveries_of(partner_id) == total:
                    relayed_at = now
            if backlog and now - last_sample >= 5:
                last_sample = now
                memory.append((now - started, rss_mb(workers[0].pid)))
                queue_lengths.append(queue_length("webhooks"))
                print(f"  {now - started:6.0f}s delivered {done:>7} rss MB {[round(x) for x in memory[-1][1]]} "
                      f"queued {queue_lengths[-1]}", flush=True)  # fmt: skip
            if backlog:
                probe_number += 1
                key = f"{PROBE_KEY}{os.getpid()}:{probe_number}"  # unique per run: keys outlive a run
                sent = time.time()
                app.send_task("bench.webhooks_probe.probe_task", args=[key, sent], queue="default")
                for _ in range(100):
                    value = cache.get(key)
                    if value is not None:
                        probes.append(float(value) - sent)
                        break
                    time.sleep(0.05)
                else:
                    probes.append(float("inf"))
            if done >= total and receiver.count >= total:
                break
            if now - last_sweep >= 15:  # what beat does every 15 s: due retries, lost messages
                last_sweep = now
                webhook_relay_task.delay()
            if now - started > args.timeout:
                sys.exit(f"timed out with {done} of {total} delivered")
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        cpu = cpu_seconds(workers[0].pid) - cpu_before
        relay_time = (relayed_at or time.monotonic()) - started
        print(f"delivered {total} in {elapsed:.1f}s: {total / elapsed:.0f} deliveries/s "
              f"({args.concurrency} worker processes); receiver counted {receiver.count}")  # fmt: skip
        print(f"relay: all {total} deliveries created {relay_time:.1f}s after the start")
        print(f"webhook worker CPU: {cpu:.1f}s in all, {cpu / total * 1000:.2f} ms per delivery "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
        if backlog:
            first, last = memory[1] if len(memory) > 1 else memory[0], memory[-1]
            print(f"webhook worker RSS MB (main + pool) at {first[0]:.0f}s: {[round(x) for x in first[1]]}, "
                  f"at {last[0]:.0f}s: {[round(x) for x in last[1]]}")  # fmt: skip
            peak = max(max(sample) for _, sample in memory if sample)
            print(f"peak process RSS {peak:.0f} MB; webhooks queue length max {max(queue_lengths)}")
            finite = sorted(p for p in probes if p != float("inf"))
            p99 = finite[max(0, int(len(finite) * 0.99) - 1)]
            print(f"default-queue probe ({len(probes)} sent, {len(probes) - len(finite)} over 5 s): "
                  f"p50 {statistics.median(finite) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                  f"max {finite[-1] * 1000:.0f} ms")  # fmt: skip
    finally:
        receiver.stop()
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--backlog", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--shared-worker", action="store_true")
    parser.add_argument("--timeout", type=int, default=3600)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the workers (finally) when stopped
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    setup_django()
    from marketplace.celery import app

    with app.connection_for_write() as connection:  # a clean broker: no messages from earlier runs
        for queue in ("default", "emails", "webhooks", "scoring"):
            connection.default_channel.client.delete(queue)
    run(args)


if __name__ == "__main__":
    main()
