# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""Gate access benchmarks (issue 5), printed as JSON rows (DESIGN.md Benchmarks):

- ``gate_check_p99_ms``: POST /api/v1/gate/check at 200 requests/s for 60 s from a load
  generator on loopback against gunicorn on 127.0.0.1 (target p99 < 10 ms, no errors);
- ``gate_check_p50_ms``: its median, with the median of a trivial authenticated endpoint
  (GET /api/v1/gate/ping, same token, same rate) measured in the same run as baseline
  (target ratio <= 1.5); the two loads alternate in 10 s blocks so both see the same
  machine;
- ``allowlist_full_s``: GET /api/v1/gate/allowlist of 100,000 entries (target < 2 s);
- ``allowlist_delta_100_ms``: the same with a cursor 100 changes old (target < 50 ms).

Data: benchmarks/generate.py's 100,000 people (``--scale small``: 5,000 and 10 s of load)
in the database ``safework_bench_gate`` on the server of --database-url, every person
active with a badge, every organization authorised for an entrance area of each site
(no certificate rule) and a tank farm (valid certificates required).

    python benchmarks/bench_gate.py --scale full|small --database-url URL
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import time
import urllib.request

from benchmarks.common import DEFAULT_URL, SCALES, result_row

DB_NAME = "safework_bench_gate"
RATE = 200  # requests per second
BLOCK_SECONDS = 10  # check and ping alternate in blocks of this length
SECONDS = {"full": 60, "small": 10}
DELTA_CHANGES = 100
REPEATS = 5


def bench_database(url: str) -> str:
    """``DB_NAME`` on the server of ``url``, created when missing."""
    from benchmarks.common import bench_database_url as dedicated

    return dedicated(url, DB_NAME)


def setup(database_url: str) -> None:
    os.environ["SAFEWORK_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safework.settings")
    os.environ.setdefault("SAFEWORK_DEBUG", "false")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data -----------------------------------------------------------------------------------


def prepare(people: int) -> dict:
    """The register, badges, areas, gates and authorisations; the allowlist built."""
    from benchmarks import generate
    from safework.access.models import AllowlistEntry
    from safework.core.clock import today

    generate.ensure(people=people, on=today(), log=log)
    gates = _gates_and_authorisations()
    _everyone_active_with_a_badge()
    if AllowlistEntry.objects.filter(allowed=True).count() != people:
        from safework.access import allowlist

        started = time.perf_counter()
        allowlist.reconcile()
        log(f"allowlist: rebuilt in {time.perf_counter() - started:.1f} s")
    from safework.access import allowlist

    allowlist.refresh_pending()  # what the minutely task (no consumer here) would work off
    generate.analyze()
    return {"gates": gates}


def _gates_and_authorisations() -> list[str]:
    from safework.access.models import AreaAuthorization, AreaPolicy, Gate
    from safework.core.models import Organization, Site, WorkArea

    codes = []
    for site in Site.objects.filter(code__startswith="bench-").order_by("code"):
        for kind, strict in (("gate", False), ("tanks", True)):
            area, _ = WorkArea.objects.get_or_create(site=site, code=kind, defaults={"name": kind})
            AreaPolicy.objects.update_or_create(
                area=area, defaults={"requires_qualification": strict}
            )
            code = f"{site.code}-{kind}"
            Gate.objects.get_or_create(code=code, defaults={"name": code, "area": area})
            codes.append(code)
            for org in Organization.objects.exclude(area_authorizations__area=area):
                AreaAuthorization.objects.create(area=area, organization=org)
    return codes


def _everyone_active_with_a_badge() -> None:
    from django.utils import timezone

    from safework.access.keys import ring
    from safework.access.models import Badge
    from safework.people.models import Person

    Person.objects.exclude(employment_state="active").update(employment_state="active")
    missing = Person.objects.filter(badge__isnull=True).values_list("id", flat=True)
    now, key = timezone.now(), ring().signing
    Badge.objects.bulk_create(
        (Badge(person_id=pk, key_id=key, issued_at=now) for pk in missing.iterator()),
        batch_size=5000,
    )


def gate_token() -> str:
    from safework.core.actors import Actor
    from safework.core.tokens import token_create

    return token_create(actor=Actor.system("bench"), name="bench gate", scope="gate")[1]


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn as ``safework run`` starts it: 2 gthread workers of 4 threads."""
    from django.conf import settings

    port = free_port()
    env = {
        **os.environ,
        "SAFEWORK_DATABASE_URL": database_url,
        "SAFEWORK_SECRET_KEY": settings.SECRET_KEY,
        "SAFEWORK_FIELD_KEY": ",".join(settings.FIELD_KEYS),
        "SAFEWORK_DEBUG": "false",
        # As ``safework run`` serves, not with the test suite's settings (which, among
        # others, commit without waiting for the WAL flush).
        "SAFEWORK_ENV": "development",
    }
    command = [
        sys.executable, "-m", "gunicorn", "safework.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2",
        "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)


# --- the load generator (asyncio, raw HTTP/1.1 on loopback, open loop) ---------------------
#
# Open loop: each request is sent at its due time whatever happened to the earlier ones, and
# its latency counts from that moment (no coordinated omission). Requests go over kept-alive
# connections, as a gate controller holds one: a request due while every connection is busy
# opens another (the pool grows to the concurrency the server needs). Opening a TCP
# connection and a gunicorn accept per request (``Connection: close``) cost more than the
# trivial endpoint itself and, past ~150 requests/s on the shared 2 cores, queued the accepts
# into seconds of latency for the ping as much as for the check.


def _request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


MAX_IN_FLIGHT = 400  # beyond this the server is not keeping up: count errors, open no more
IDLE_SECONDS = 1.0  # gunicorn closes a kept-alive connection idle for 2 s (its keepalive)


class Pool:
    """Idle kept-alive connections to 127.0.0.1:``port``, the most recently used first."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.busy = 0
        self.opened = 0

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bool]:
        now = time.perf_counter()
        while self.idle:
            used, reader, writer = self.idle.pop()
            if now - used < IDLE_SECONDS and not reader.at_eof():
                return reader, writer, True
            writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.opened += 1
        return reader, writer, False

    def give(self, reader, writer) -> None:
        self.idle.append((time.perf_counter(), reader, writer))

    def close(self) -> None:
        for _used, _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _exchange(reader, writer, payload: bytes) -> tuple[int, bool]:
    """Send one request, read its response; the status and whether the connection stays."""
    writer.write(payload)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    headers = {k.strip().lower(): v.strip().lower() for k, v in headers.items()}
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


async def _one(pool: Pool, payload: bytes, due: float, results: list) -> None:
    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    if pool.busy >= MAX_IN_FLIGHT:
        results.append((float("inf"), 0))
        return
    pool.busy += 1
    try:
        status = await _send(pool, payload)
    finally:
        pool.busy -= 1
    results.append(((time.perf_counter() - due) * 1000, status))


async def _send(pool: Pool, payload: bytes) -> int:
    """The status, 0 for a failed exchange. A kept-alive connection the server closed
    just before it was reused fails without a byte of answer: the request is sent again
    once on a new connection, as any HTTP client does."""
    for attempt in range(2):
        try:
            reader, writer, reused = await pool.take()
        except OSError:
            return 0
        try:
            status, keep = await _exchange(reader, writer, payload)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            writer.close()
            if reused and attempt == 0 and not getattr(exc, "partial", b""):
                continue
            return 0
        except (OSError, ValueError, IndexError, asyncio.LimitOverrunError):
            writer.close()
            return 0
        if keep:
            pool.give(reader, writer)
        else:
            writer.close()
        return status
    return 0


async def _block(port: int, make_payload, seconds: float) -> list:
    pool = Pool(port)
    results: list = []
    start = time.perf_counter() + 0.05
    tasks = [
        asyncio.create_task(_one(pool, make_payload(), start + i / RATE, results))
        for i in range(int(seconds * RATE))
    ]
    await asyncio.gather(*tasks)
    pool.close()
    return results


def load(base: str, token: str, gates: list[str], people: list[int], seconds: int) -> dict:
    """Alternate blocks of gate checks and pings, each at RATE, ``seconds`` of each."""
    port = int(base.rsplit(":", 1)[1])
    rng = random.Random(5)

    def check() -> bytes:
        body = {"credential": str(rng.choice(people)), "gate": rng.choice(gates)}
        return _request("POST", "/api/v1/gate/check", token, json.dumps(body).encode())

    def ping() -> bytes:
        return _request("GET", "/api/v1/gate/ping", token)

    asyncio.run(_block(port, check, 2))  # warm up both workers and their connections
    runs = {"check": [], "ping": []}
    for _ in range(max(1, seconds // BLOCK_SECONDS)):
        for name, maker in (("ping", ping), ("check", check)):
            runs[name] += asyncio.run(_block(port, maker, min(BLOCK_SECONDS, seconds)))
    return {name: _latency(results) for name, results in runs.items()}


def _latency(results: list) -> dict:
    times = sorted(ms for ms, _status in results)
    errors = sum(1 for _ms, status in results if status != 200)
    return {
        "requests": len(times),
        "errors": errors,
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
    }


# --- the allowlist --------------------------------------------------------------------------------


def _get(base: str, path: str, token: str) -> tuple[float, dict]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        data = response.read()
    return time.perf_counter() - started, json.loads(data)


def allowlist_full(base: str, token: str) -> tuple[float, int]:
    _get(base, "/api/v1/gate/allowlist", token)  # warm
    runs = [_get(base, "/api/v1/gate/allowlist", token) for _ in range(REPEATS)]
    return statistics.median(s for s, _a in runs), len(runs[-1][1]["entries"])


def allowlist_delta(base: str, token: str, people: list[int]) -> tuple[float, int]:
    """Each repeat: take the cursor, reissue 100 badges (through the service, so the
    change is marked, refreshed after commit and numbered), then time the delta."""
    from safework.access.services import badge_reissue
    from safework.core.actors import Actor
    from safework.people.models import Person

    actor, rng, runs = Actor.system("bench"), random.Random(9), []
    for _ in range(REPEATS + 1):
        cursor = _get(base, "/api/v1/gate/allowlist?limit=1&since=", token)[1]["cursor"]
        for person in Person.objects.filter(pk__in=rng.sample(people, DELTA_CHANGES)):
            badge_reissue(actor=actor, person=person, reason="bench")
        runs.append(_get(base, f"/api/v1/gate/allowlist?since={cursor}", token))
    runs = runs[1:]  # the first one warms the path
    return statistics.median(s for s, _a in runs) * 1000, len(runs[-1][1]["entries"])


def vacuum_hot_tables() -> None:
    """What autovacuum does for a database in use, before the load: this machine's
    PostgreSQL runs with autovacuum off (conf.d/90-ci.conf), and the audit chain's head
    row, updated by every check of every earlier run, had grown to 81 pages of dead
    versions that each check's ``FOR UPDATE`` walked."""
    from django.db import connection

    tables = "audit_audithead, audit_auditentry, access_gateevent, core_apitoken"
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gate check, allowlist full and delta.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    database_url = bench_database(args.database_url)
    setup(database_url)
    people_count = SCALES[args.scale]
    world = prepare(people_count)
    from safework.people.models import Person

    people = list(Person.objects.values_list("id", flat=True))
    token = gate_token()
    proc, base = start_server(database_url)
    try:
        full_s, entries = allowlist_full(base, token)
        delta_ms, changed = allowlist_delta(base, token, people)
        vacuum_hot_tables()
        log("load: gate checks and pings ...")
        latency = load(base, token, world["gates"], people, SECONDS[args.scale])
    finally:
        stop_server(proc)
    print(json.dumps(rows(latency, full_s, entries, delta_ms, changed, people_count), indent=2))
    return 0


def rows(latency, full_s, entries, delta_ms, changed, people) -> list[dict]:
    check, ping = latency["check"], latency["ping"]
    ratio = check["p50"] / ping["p50"] if ping["p50"] else None
    load_info = {"rate_per_s": RATE, "requests": check["requests"], "errors": check["errors"]}
    p99_ok = check["p99"] < 10 and check["errors"] == 0
    return [
        result_row("gate_check_p99_ms", check["p99"], "ms (p99 at 200 req/s)", 10.0, ok=p99_ok)
        | load_info
        | {"people": people},
        result_row(
            "gate_check_p50_ms",
            check["p50"],
            "ms (p50 at 200 req/s; target: ratio to GET /gate/ping)",
            1.5,
            baseline=ping["p50"],
            ratio=ratio,
            ok=ratio is not None and ratio <= 1.5,
        )
        | {"baseline_p99_ms": round(ping["p99"], 2), "baseline_errors": ping["errors"]},
        result_row("allowlist_full_s", full_s, "s", 2.0, ok=full_s < 2.0 and entries >= people)
        | {"entries": entries},
        result_row(
            "allowlist_delta_100_ms", delta_ms, "ms", 50.0, ok=delta_ms < 50 and changed == 100
        )
        | {"entries": changed},
    ]


if __name__ == "__main__":
    raise SystemExit(main())
