"""benchmarks/bench_gate.py at a tiny scale on the test database: its data gives every
person an allowlist entry, and its rows have the shape of results.json. No timings."""

import pytest
from benchmarks import bench_gate, generate

from safework.access import allowlist
from safework.access.models import AllowlistEntry, Badge
from safework.core.clock import today
from safework.people.models import Person

pytestmark = pytest.mark.django_db
KEYS = {"name", "value", "unit", "target", "baseline", "ratio", "ok", "measured_at"}


def test_the_bench_data_puts_everyone_on_the_allowlist():
    generate.generate(people=60, on=today(), log=lambda m: None)
    gates = bench_gate._gates_and_authorisations()
    bench_gate._everyone_active_with_a_badge()
    allowlist.reconcile()
    assert len(gates) == 2 * generate.SITES
    assert Badge.objects.count() == Person.objects.count() == 60
    assert AllowlistEntry.objects.filter(allowed=True).count() == 60


def test_the_rows_have_the_results_shape():
    latency = {
        "check": {"requests": 100, "errors": 0, "p50": 3.0, "p99": 8.0},
        "ping": {"requests": 100, "errors": 0, "p50": 2.5, "p99": 5.0},
    }
    rows = bench_gate.rows(latency, 1.2, 100_000, 20.0, 100, 100_000)
    assert [r["name"] for r in rows] == [
        "gate_check_p99_ms",
        "gate_check_p50_ms",
        "allowlist_full_s",
        "allowlist_delta_100_ms",
    ]
    assert all(set(r) >= KEYS for r in rows)
    assert rows[1]["ratio"] == 1.2 and rows[1]["ok"] is True
    assert all(r["ok"] for r in rows)
    slow = {**latency, "check": {**latency["check"], "p99": 12.0, "errors": 1}}
    assert bench_gate.rows(slow, 1.2, 100_000, 20.0, 100, 100_000)[0]["ok"] is False
