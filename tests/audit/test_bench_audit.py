"""benchmarks/bench_audit.py at a tiny scale on the test database (PostgreSQL: it fills
the chain with COPY): the chain it generates for the 1,000,000-entry verification is one
that ``verify_chain`` accepts, so the benchmark times a real verification; the paced
appends leave an unbroken chain; its rows have the shape of results.json. No timings."""

import pytest
from benchmarks import bench_audit
from django.db import connection

from safework.audit.models import AuditEntry
from safework.audit.verify import verify_chain

pytestmark = pytest.mark.django_db
KEYS = {"name", "value", "unit", "target", "baseline", "ratio", "ok", "measured_at"}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("bench_audit fills the chain with PostgreSQL's COPY")


def test_the_generated_chain_verifies_and_continues_after_appends():
    stats = bench_audit.bench_append(0.12, rate=100)
    assert set(stats) == {"in_txn", "first", "standalone"}
    assert all(s["p95"] > 0 for s in stats.values())
    appended = AuditEntry.objects.count()
    assert appended == 12
    bench_audit._fill_chain(200)
    result = verify_chain()
    assert result.ok, result.problem
    assert result.count == appended + 200


def test_bench_verify_refuses_nothing_it_generated():
    assert bench_audit.bench_verify(150) >= 0
    assert verify_chain().count == 150


def test_the_rows_have_the_results_shape():
    row = bench_audit._row("audit_append_ms", 1.5, "ms", 2.0, {"mean_ms": 1.0})
    assert set(row) >= KEYS and row["ok"] is True
    assert bench_audit._row("audit_verify_1m_s", 61.0, "s", 60.0)["ok"] is False
