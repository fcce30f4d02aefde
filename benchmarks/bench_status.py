# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""Counts of current certificates by status (issue 2, part 10): ``status_counts`` read by
a safety manager; target < 300 ms with 100,000 people and 300,000 certificates, and
within 3x of the same counts by one hand-written GROUP BY over a CASE.

    python benchmarks/bench_status.py --scale full|small --database-url URL
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import setup_bench_from_argv

    ARGS = setup_bench_from_argv("Time the counts of certificates by status.")

from datetime import date, timedelta

from django.db import connection

from benchmarks.common import Case, run_script
from safework.certificates.choices import Status
from safework.certificates.selectors import status_counts
from safework.certificates.status import horizon_days

TARGET_MS = 300

# DESIGN.md's status rules, written out by hand: the first matching WHEN wins.
SQL = """
SELECT CASE
         WHEN manual_state = 'revoked' THEN 'revoked'
         WHEN manual_state = 'suspended' THEN 'suspended'
         WHEN manual_state = 'renewing' THEN 'renewing'
         WHEN valid_until < %s THEN 'expired'
         WHEN next_review_due < %s THEN 'review_overdue'
         WHEN valid_until <= %s OR next_review_due <= %s THEN 'expiring'
         ELSE 'valid'
       END AS status,
       COUNT(*)
  FROM certificates_certificate
 WHERE NOT superseded
 GROUP BY 1
"""


def status_counts_sql(on: date) -> dict[str, int]:
    horizon = on + timedelta(days=horizon_days())
    with connection.cursor() as cursor:
        cursor.execute(SQL, [on, on, horizon, horizon])
        rows = cursor.fetchall()
    counts = {s: 0 for s in Status.values if s != Status.SUPERSEDED}
    counts.update(dict(rows))
    return counts


def cases(actor, on: date) -> list[Case]:
    return [
        Case(
            "status_counts_ms",
            TARGET_MS,
            run=lambda: status_counts(actor=actor, on=on),
            baseline=lambda: status_counts_sql(on),
        )
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(cases, ARGS))
