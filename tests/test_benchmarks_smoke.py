"""The benchmark scripts at a tiny scale, on the test database: the generator spreads data
over every status, the timed code and its hand-written SQL give the same answers, and the
results have the shape of DESIGN.md's results.json. No timing assertions."""

import json

import pytest
from benchmarks import bench_people, bench_status, common, generate

from safework.certificates.models import Certificate
from safework.certificates.selectors import status_counts
from safework.core.clock import today
from safework.core.idnumbers import parse_id_number
from safework.people.models import Person
from safework.people.selectors import person_list

PEOPLE = 200
KEYS = {"name", "value", "unit", "target", "baseline", "ratio", "ok", "measured_at"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    generate.generate(people=PEOPLE, on=today(), log=lambda message: None)
    return generate.manager_actor()


def _cases(actor):
    return bench_status.cases(actor, today()) + bench_people.cases(actor, today())


def test_generate_fills_people_certificates_and_every_status(generated):
    assert Person.objects.count() == PEOPLE
    assert 2.5 * PEOPLE <= Certificate.objects.count() <= 3.5 * PEOPLE
    counts = status_counts(actor=generated, on=today())
    assert all(counts[s] > 0 for s in ("valid", "expiring", "expired", "review_overdue"))
    assert all(counts[s] > 0 for s in ("renewing", "suspended", "revoked"))
    assert Certificate.objects.filter(superseded=True).exists()
    assert person_list(actor=generated, on=today(), status="unqualified").exists()


def test_generated_id_numbers_are_valid_and_distinct(generated):
    numbers = [p.full_id_number() for p in Person.objects.all()]
    assert len(set(numbers)) == PEOPLE
    for person, number in zip(Person.objects.all(), numbers, strict=True):
        assert parse_id_number(number).birth_date == person.birth_date


def test_the_selectors_and_the_hand_written_sql_agree(generated):
    for case in _cases(generated):
        assert case.run() == case.baseline(), case.name


def test_the_people_page_is_not_empty(generated):
    count, rows = bench_people.people_page(generated, today())
    assert count > 0
    assert len(rows) == min(count, bench_people.PAGE_SIZE)


def test_results_have_the_documented_shape(generated):
    results = [common.measure(case, warmup=1, repeats=2) for case in _cases(generated)]
    assert [r["name"] for r in results] == ["status_counts_ms", "people_list_status_page1_ms"]
    for row in json.loads(json.dumps(results)):
        assert set(row) == KEYS
        assert row["unit"] == "ms" and row["value"] > 0 and row["baseline"] > 0
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"], rel=0.1)
        assert isinstance(row["ok"], bool)


def test_ensure_keeps_data_of_the_asked_size(generated):
    before = list(Person.objects.values_list("pk", flat=True))
    generate.ensure(people=PEOPLE, on=today(), log=lambda message: None)
    assert list(Person.objects.values_list("pk", flat=True)) == before
