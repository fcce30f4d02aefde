"""core/sql.fetch: the gate check's statements, prepared on PostgreSQL once per connection
(Django's own queries never are), plain without preparing when SAFEWORK_DB_PREPARE=false
asks for it (a pooler that does not track prepared statements), Django's errors either way.
core/sql.execute_many: one statement per row, values as they are, Django's errors."""

import pytest
from django.db import IntegrityError, connection, transaction

from safework.core.sql import execute_many, fetch

pytestmark = pytest.mark.django_db

PROBE = "SELECT %s + 1, 'safework-sql-probe'"


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_rows_and_one_row():
    assert fetch(PROBE, [1]) == [(2, "safework-sql-probe")]
    assert fetch(PROBE, [41], one=True) == (42, "safework-sql-probe")
    assert fetch("SELECT 1 WHERE false", [], one=True) is None


def test_prepared_on_postgresql_and_django_queries_are_not():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from safework.core.models import Organization

    list(Organization.objects.filter(name="x"))
    fetch(PROBE, [1])
    statements = prepared()
    assert any("safework-sql-probe" in s for s in statements)
    assert not any("core_organization" in s for s in statements)


def test_without_preparing(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    assert fetch(PROBE + " AS unprepared", [1]) == [(2, "safework-sql-probe")]
    assert not any("unprepared" in s for s in prepared())


def test_errors_are_djangos():
    with pytest.raises(IntegrityError), transaction.atomic():
        fetch("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, 0, '') RETURNING id", [])


def test_execute_many_writes_every_row_with_its_text_as_it_is():
    from safework.core.models import Organization

    awkward = ["引号 ' \" \\ 和 {} %s", "<b>&amp;</b>\n第二行"]
    execute_many(
        "UPDATE core_organization SET name = %s WHERE id = %s",
        [(text, org.pk) for text, org in zip(awkward, _two_organizations(), strict=True)],
    )
    assert sorted(Organization.objects.values_list("name", flat=True)) == sorted(awkward)


def test_execute_many_errors_are_djangos():
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_many("INSERT INTO audit_audithead (id, seq, hash) VALUES (%s, 0, '')", [(1,)])


def _two_organizations():
    from tests.factories import OrganizationFactory

    return [OrganizationFactory(), OrganizationFactory()]
