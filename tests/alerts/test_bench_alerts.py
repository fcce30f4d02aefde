"""benchmarks/bench_alerts.py at a tiny scale on the test database: its hand-written
COUNT and the scan's own due queries agree, the scan issues exactly that many warnings
(or the ratio it prints would compare different work). No timings."""

import pytest
from benchmarks import bench_alerts, generate
from django.db import connection

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
    assert report.warnings == expected and report.notifications > 0 and report.inbox > 0
    assert bench_alerts.count_sql(on) == expected  # the scan was rolled back


def _register():
    from safework.certificates.models import Certificate
    from safework.people.models import Person

    people = Person.objects.order_by("id").values_list(
        "id", "name", "id_number_hash", "birth_date", "organization_id", "employment_state"
    )
    certificates = Certificate.objects.order_by("id").values_list(
        "id", "person_id", "type_id", "number_hash", "valid_until", "next_review_due",
        "manual_state", "manual_state_on", "superseded",
    )  # fmt: skip
    items = Person.special_operations.through.objects.order_by("person_id", "certificatetype_id")
    sites = Person.sites.through.objects.order_by("person_id", "site_id")
    return (
        list(people),
        list(certificates),
        list(items.values_list("person_id", "certificatetype_id")),
        list(sites.values_list("person_id", "site_id")),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_copied_register_is_the_generated_one():
    on = today()
    generate.wipe()
    generate.generate(people=150, on=on, log=lambda m: None)
    expected = _register()
    with connection.cursor() as cursor:  # the test's transaction: check, then empty
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    generate.wipe()
    bench_alerts.copy_register(people=150, on=on)
    assert _register() == expected
