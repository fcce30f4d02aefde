"""benchmarks/bench_dashboard.py at a tiny scale on the test database (PostgreSQL: the
hand-written SQL is PostgreSQL's): the generator makes gate events and permits, every
figure's selector and its hand-written SQL agree, and the rows have the results shape.
No timing assertion."""

import json
from datetime import timedelta

import pytest
from benchmarks import bench_dashboard as bench
from benchmarks import generate
from django.db import connection

from safework.core.clock import today
from safework.dashboard.filters import DashboardFilter

KEYS = {"name", "value", "unit", "target", "baseline", "ratio", "ok", "measured_at"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_today():
    """The generator's data is about the real today: no pinned date here."""


@pytest.fixture
def generated():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark's hand-written SQL is PostgreSQL's")
    generate.generate(people=300, on=today(), log=lambda m: None)
    generate.ensure_gate_events(count=3_000, log=lambda m: None)
    generate.ensure_permits(count=200, log=lambda m: None)


@pytest.mark.parametrize("days", [0, 89])
def test_selectors_and_hand_written_sql_agree(generated, days):
    on = today()
    f = DashboardFilter.of(generate.manager_actor(), on=on, date_from=on - timedelta(days=days))
    answers = bench.agreement(f)
    for name, (mine, sql) in answers.items():
        assert tuple(mine) == tuple(sql) if isinstance(mine, tuple) else mine == sql, name
    assert answers["on_site"][0] > 0
    assert 0 < answers["compliance_register"][0][1] < answers["compliance_register"][0][0]
    if days:  # the generated events give every kind of answer over the 90 days
        assert answers["denials"][0][0] > 0 and answers["new_entries"][0] > 0


def test_result_rows(generated):
    f = DashboardFilter.of(generate.manager_actor(), on=today())
    cases = bench.cases(f)
    assert len(cases) == 12
    row = json.loads(json.dumps(bench.measure(cases[-1], warmup=0, repeats=1)))
    assert set(row) == KEYS and row["target"] == 500 and row["value"] > 0
    selfcheck = json.loads(json.dumps(bench.selfcheck_row(today()), default=str))
    assert selfcheck["unit"] == "s" and set(selfcheck["items_checked_findings"]) == {
        "1", "2", "3", "4", "5", "6"
    }  # fmt: skip


def test_the_days_gate_events_are_made_at_any_hour_of_the_day():
    """Today's events end at now: asked for before 06:00 (Shanghai) the generator used to
    draw mornings after now for ever."""
    import random

    from django.utils import timezone

    people = [(1, 1, "甲", 1), (2, 1, "乙", 1)]
    day = timezone.localtime(timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    for hours in (0, 3, 7, 12, 23):
        now = day + timedelta(hours=hours)
        rows = generate._gate_day(random.Random(1), people, day, now, 50)
        assert all(r.at <= now for r in rows)
        assert len(rows) == (0 if hours == 0 else 50)
