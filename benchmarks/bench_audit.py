"""Audit trail benchmarks (issue 6), printed as JSON (DESIGN.md Benchmarks):

- ``audit_append_ms``: cost of one ``audit_record`` while appending at 100 entries/s on
  PostgreSQL, inside a transaction that has written its change, as services append
  (target < 2 ms; the value is the 95th percentile, the mean is reported too); beside it,
  not instead of it, the same append as the first statement of its transaction
  (``audit_append_first_statement_ms``, the BEGIN round trip included) and one that
  commits on its own (``audit_append_standalone_commit_ms``);
- ``audit_verify_1m_s``: ``verify_chain()`` over 1,000,000 entries (target < 60 s).

Runs in its own database ``safework_bench_audit`` on the server of --database-url.
``--scale small`` appends for 3 s (full: 30 s, a third of the entries each way) and verifies 20,000 entries, as a smoke check.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse, urlunparse

DB_NAME = "safework_bench_audit"


def _prepare(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["SAFEWORK_DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{DB_NAME}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safework.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _reset_chain() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE audit_auditentry RESTART IDENTITY")
        cur.execute("UPDATE audit_audithead SET seq = 0, hash = %s", ["0" * 64])


def bench_append(seconds: float, rate: int = 100) -> dict:
    """Paced appends, three ways in turn. A service appends inside its own transaction,
    after writing its change, so the cost an append adds is measured there (``in_txn``:
    the service's UPDATE of a row first, then the timed append). Two more are reported
    beside it: the append as the first statement of its transaction (``first``: the
    BEGIN round trip included, which the transaction pays whether it is audited or not)
    and an append that commits on its own (``standalone``: mostly the commit's WAL
    fsync)."""
    from django.db import connection, transaction

    from safework.audit.services import audit_record
    from safework.core.actors import Actor

    with connection.cursor() as cur:  # the rows the audited "service" changes
        cur.execute("CREATE TABLE IF NOT EXISTS bench_subject (id int PRIMARY KEY, phone text)")
        cur.execute(
            "INSERT INTO bench_subject SELECT i, '' FROM generate_series(0, 99) i "
            "ON CONFLICT DO NOTHING"
        )
    actor = Actor(ip="127.0.0.1", request_id="bench", system_label="bench")
    costs = {"in_txn": [], "first": [], "standalone": []}
    start = time.perf_counter()
    for i in range(int(seconds * rate)):
        due = start + i / rate
        if (pause := due - time.perf_counter()) > 0:
            time.sleep(pause)
        kwargs = {
            "actor": actor,
            "action": "update",
            "object_type": "people.person",
            "object_id": str(i),
            "object_repr": f"工人{i}",
            "changes": {"phone": {"before": "13900000000", "after": f"139{i:08d}"}},
        }
        way = ("in_txn", "first", "standalone")[i % 3]
        if way == "standalone":
            t0 = time.perf_counter()
            audit_record(**kwargs)
            costs[way].append((time.perf_counter() - t0) * 1000)
            continue
        with transaction.atomic():
            if way == "in_txn":  # the service's own change
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE bench_subject SET phone = %s WHERE id = %s",
                        [f"139{i:08d}", i % 100],
                    )
            t0 = time.perf_counter()
            audit_record(**kwargs)
            costs[way].append((time.perf_counter() - t0) * 1000)
    return {way: _stats(values) for way, values in costs.items()}


def _stats(costs: list[float]) -> dict:
    costs = sorted(costs)
    return {
        "p95": costs[max(0, int(len(costs) * 0.95) - 1)],
        "mean": statistics.fmean(costs),
        "median": statistics.median(costs),
    }


def _fill_chain(n: int) -> None:
    """Write n valid chained entries fast (COPY), continuing from the current head."""
    from django.db import connection

    from safework.audit.chain import body_of, entry_hash
    from safework.audit.models import AuditHead

    head = AuditHead.objects.get(pk=1)
    prev, seq = head.hash, head.seq
    base = datetime(2026, 1, 1, tzinfo=UTC)
    cols = (
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip",
        "request_id",
        "prev_hash",
        "hash",
    )
    with (
        connection.cursor() as cur,
        cur.connection.cursor().copy(
            f"COPY audit_auditentry ({', '.join(cols)}) FROM STDIN"
        ) as copy,
    ):
        for i in range(n):
            seq += 1
            at = base + timedelta(milliseconds=seq)
            changes = {"valid_until": {"before": "2026-01-01", "after": "2027-01-01"}}
            body = body_of(
                seq=seq,
                at=at,
                actor="bench",
                actor_user_id=None,
                action="update",
                object_type="certificates.certificate",
                object_id=str(i),
                object_repr=f"证书{i}",
                changes=changes,
                ip="127.0.0.1",
                request_id="bench",
            )
            digest = entry_hash(prev_hash=prev, body=body)
            copy.write_row(
                (
                    seq,
                    at,
                    "bench",
                    "update",
                    "certificates.certificate",
                    str(i),
                    f"证书{i}",
                    json.dumps(changes, ensure_ascii=False),
                    "127.0.0.1",
                    "bench",
                    prev,
                    digest,
                )
            )
            prev = digest
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


def bench_verify(n: int) -> float:
    from safework.audit.models import AuditHead
    from safework.audit.verify import verify_chain

    if AuditHead.objects.get(pk=1).seq != n:
        _reset_chain()
        _fill_chain(n)
    t0 = time.perf_counter()
    result = verify_chain()
    elapsed = time.perf_counter() - t0
    if not result.ok or result.count != n:
        raise SystemExit(f"verify failed on generated chain: {result}")
    return elapsed


def _row(name, value, unit, target, extra=None) -> dict:
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "target": target,
        "baseline": None,
        "ratio": None,
        "ok": value < target,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test")
    args = parser.parse_args(argv)
    _prepare(args.database_url)
    full = args.scale == "full"
    _reset_chain()
    append = bench_append(30 if full else 3)
    n = 1_000_000 if full else 20_000
    verify_s = bench_verify(n)
    results = [
        _row(
            "audit_append_ms",
            append["in_txn"]["p95"],
            "ms (p95 at 100/s, in the caller's transaction after its change)",
            2.0,
            {"mean_ms": round(append["in_txn"]["mean"], 3)},
        ),
        _row(
            "audit_append_first_statement_ms",
            append["first"]["p95"],
            "ms (p95 at 100/s, as its transaction's first statement, incl. BEGIN)",
            2.0,
            {"mean_ms": round(append["first"]["mean"], 3)},
        ),
        _row(
            "audit_append_standalone_commit_ms",
            append["standalone"]["p95"],
            "ms (p95 at 100/s, own transaction incl. commit fsync)",
            2.0,
            {"mean_ms": round(append["standalone"]["mean"], 3)},
        ),
        _row(f"audit_verify_{'1m' if full else '20k'}_s", verify_s, "s", 60.0, {"entries": n}),
    ]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return results


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    main()
