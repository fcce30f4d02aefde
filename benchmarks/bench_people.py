# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""The people list filtered by status, page 1 (issue 2, part 10): ``person_list`` for a
safety manager with status=expired, evaluated for the first page of 50 plus the count the
pagination needs; target < 150 ms server time with 100,000 people, and within 3x of the
hand-written SQL (EXISTS subquery, ORDER BY name LIMIT 50, and COUNT).

    python benchmarks/bench_people.py --scale full|small --database-url URL
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import setup_bench_from_argv

    ARGS = setup_bench_from_argv("Time page 1 of the people list filtered by status.")

from datetime import date

from django.core.paginator import Paginator
from django.db import connection

from benchmarks.common import Case, run_script
from safework.certificates.choices import Status
from safework.people.selectors import person_list

TARGET_MS = 150
STATUS = Status.EXPIRED
PAGE_SIZE = 50

# What a DBA would write for the page: the columns the list shows, people holding a
# certificate expired on the day (current, not marked: DESIGN.md status rules).
EXPIRED = """
EXISTS (SELECT 1 FROM certificates_certificate c
         WHERE c.person_id = p.id AND NOT c.superseded
           AND c.manual_state = 'none' AND c.valid_until < %s)
"""
PAGE_SQL = f"""
SELECT p.id, p.name, o.name, p.id_number_masked, p.phone, p.employment_state
  FROM people_person p
  JOIN core_organization o ON o.id = p.organization_id
 WHERE {EXPIRED}
 ORDER BY p.name, p.id
 LIMIT {PAGE_SIZE}
"""
COUNT_SQL = f"SELECT COUNT(*) FROM people_person p WHERE {EXPIRED}"


def people_page(actor, on: date) -> tuple[int, list[tuple]]:
    page = Paginator(person_list(actor=actor, on=on, status=STATUS), PAGE_SIZE).page(1)
    return page.paginator.count, [(p.pk, p.name, p.organization.name) for p in page]


def people_page_sql(on: date) -> tuple[int, list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, [on])
        (count,) = cursor.fetchone()
        cursor.execute(PAGE_SQL, [on])
        rows = [tuple(row[:3]) for row in cursor.fetchall()]
    return count, rows


def cases(actor, on: date) -> list[Case]:
    return [
        Case(
            "people_list_status_page1_ms",
            TARGET_MS,
            run=lambda: people_page(actor, on),
            baseline=lambda: people_page_sql(on),
        )
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(cases, ARGS))
