"""benchmarks/bench_contractors.py at a tiny scale on the test database: the generator
makes what the list counts, the page and the hand-written SQL agree, and the result has
the shape of DESIGN.md's results.json. No timing assertion."""

import json

import pytest
from benchmarks import bench_contractors as bench

from safework.contractors.selectors import contractor_list
from safework.core.actors import Actor
from safework.core.clock import today

KEYS = {"name", "value", "unit", "target", "baseline", "ratio", "ok", "measured_at"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    bench.generate(contractors=6, workers=90, on=today(), log=lambda m: None)
    yield
    from django.db.models.signals import post_save

    from safework.contractors import handlers
    from safework.people.models import Person

    post_save.connect(handlers._person_saved, sender=Person, dispatch_uid="contractors.enrol")


def test_the_page_and_the_sql_agree(generated):
    on = today()
    rows = contractor_list(actor=Actor.system("bench"), on=on)
    mine = [(r.organization.pk, r.workers, r.admitted, r.pending) for r in rows]
    sql = [(pk, workers, ok, pending) for pk, _n, _c, workers, ok, pending in bench.counts_sql(on)]
    assert mine == sql and sum(r.workers for r in rows) == 90
    assert 0 < sum(r.admitted for r in rows) < 90 and sum(r.pending for r in rows) > 0
    assert bench.render_page(bench.manager_client()) == 6


def test_the_result_row(generated):
    row = bench.measure(today(), warmup=1, repeats=2)
    row = json.loads(json.dumps(row))
    assert set(row) == KEYS and row["unit"] == "ms" and row["target"] == 300
    assert row["value"] > 0 and row["baseline"] > 0 and isinstance(row["ok"], bool)
