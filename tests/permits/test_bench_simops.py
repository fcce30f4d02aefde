"""The SIMOPS benchmark at its small scale on the test database: the check it times finds
exactly the conflicts that the rules give when every live permit and activity of the site
is compared without the SQL bounding box, and its hand-written SQL holds every permit in
conflict; its rows have the results shape. No timing."""

import pytest
from benchmarks import bench_simops
from benchmarks.common import Case, measure

from safework.permits.models import Activity, Permit
from safework.permits.rules import simops as rules
from safework.permits.services import simops

pytestmark = pytest.mark.django_db
KEYS = {"name", "value", "unit", "target", "baseline", "ratio", "ok", "measured_at"}


def brute_force(permit):
    """Every live permit and activity of the site, windows read, no box."""
    live = simops.with_position(
        Permit.objects.filter(site=permit.site, status__in=simops.LIVE_STATUSES)
    ).exclude(pk=permit.pk)
    others = [simops.permit_job(p, (p.px, p.py)) for p in live]
    if permit.kind == "hot_work":
        acts = Activity.objects.filter(site=permit.site, cancelled_at__isnull=True)
        others += [simops.activity_job(a) for a in acts]
    dist = simops.distances_for(permit.site)
    return rules.conflicts(simops.permit_job(permit), others, dist)


@pytest.mark.parametrize("case", ["spread", "dense"])
def test_the_check_finds_what_comparing_everything_finds(case):
    permit = Permit.objects.select_related("site").get(pk=bench_simops.ensure("small", case).pk)
    assert Permit.objects.filter(site=permit.site, status__in=bench_simops.STATUSES).count() == 500
    found, errors = bench_simops.check(permit)
    expected = brute_force(permit)
    assert {c.key for c in found} == {c.key for c in expected}
    assert found and errors  # the data gives conflicts to report
    candidates, _acts = bench_simops.sql_candidates(permit)
    in_conflict = {int(c.other.ref.split(":")[1]) for c in found if c.other.is_permit}
    assert in_conflict <= {row[0] for row in candidates}
    if case == "dense":
        assert len(candidates) == 500


def test_rows_have_the_results_shape():
    permit = bench_simops.ensure("small", "spread")
    row = measure(Case("simops", 50, run=lambda: bench_simops.check(permit),
                       baseline=lambda: bench_simops.sql_candidates(permit)),
                  warmup=0, repeats=1)  # fmt: skip
    assert set(row) >= KEYS and row["unit"] == "ms"
