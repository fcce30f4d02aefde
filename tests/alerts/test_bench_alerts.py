"""benchmarks/bench_alerts.py at a tiny scale on the test database: its hand-written
COUNT and the scan's own due queries agree, the scan issues exactly that many warnings
(or the ratio it prints would compare different work). No timings."""

import pytest
from benchmarks import bench_alerts, generate

from safework.core.clock import today

pytestmark = pytest.mark.django_db


def test_the_hand_written_count_is_the_scans_predicate():
    on = today()
    generate.generate(people=150, on=on, log=lambda m: None)
    bench_alerts._recipients()
    bench_alerts._channels()
    expected = bench_alerts.count_sql(on)
    assert expected > 0  # the generated register has certificates due
    assert bench_alerts.count_scan_queries(on) == expected
    report = bench_alerts.scan_once(on)
    assert report.warnings == expected and report.notifications > expected
    assert bench_alerts.count_sql(on) == expected  # the scan was rolled back
