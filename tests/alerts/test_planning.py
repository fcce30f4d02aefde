"""The scan's fan-out is planned for the size of the day (alerts/sql.planned_for): a few
warnings against a large register are joined by index lookups from the warnings out, a
register's first scan keeps the server's planner settings."""

import pytest
from django.db import connection, transaction

from safework.alerts.sql import planned_for
from safework.people.models import Person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('random_page_cost'), current_setting('join_collapse_limit')"
        )
        return cursor.fetchone()


@pytest.fixture
def register_of_1000():
    """What ANALYZE would have counted for a register of 1,000 people."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = 1000 WHERE oid = %s::regclass",
            [Person._meta.db_table],
        )


def test_few_warnings_are_planned_from_the_warnings_out(register_of_1000):
    before = _settings()
    with transaction.atomic():
        with planned_for(20, Person):
            assert _settings() == ("1.1", "1")
        assert _settings() == before  # only inside, and only for the transaction
    assert _settings() == before


def test_many_warnings_keep_the_servers_settings(register_of_1000):
    before = _settings()
    with transaction.atomic(), planned_for(300, Person):
        assert _settings() == before


def test_a_register_never_analyzed_keeps_the_servers_settings():
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1 WHERE oid = %s::regclass", [Person._meta.db_table]
        )
    before = _settings()
    with transaction.atomic(), planned_for(1, Person):
        assert _settings() == before
