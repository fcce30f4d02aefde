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
        with planned_for(20, Person) as few:
            assert few and _settings() == ("1.1", "1")
        assert _settings() == before  # only inside, and only for the transaction
    assert _settings() == before


def test_many_warnings_keep_the_servers_settings(register_of_1000):
    before = _settings()
    with transaction.atomic(), planned_for(300, Person) as few:
        assert not few and _settings() == before


def test_a_register_never_analyzed_keeps_the_servers_settings():
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1 WHERE oid = %s::regclass", [Person._meta.db_table]
        )
    before = _settings()
    with transaction.atomic(), planned_for(1, Person):
        assert _settings() == before


class _Undo(Exception):
    pass


def _messages(plant, *, register: int | None) -> set:
    """What the scan of DAY0 writes, planned as for ``register`` people (None: as
    counted); everything rolled back after."""
    from safework.alerts.models import InboxItem, Notification
    from safework.alerts.services import scan_expiry

    from .conftest import DAY0

    out = set()
    try:
        with transaction.atomic():
            if register is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE pg_class SET reltuples = %s WHERE oid = %s::regclass",
                        [register, Person._meta.db_table],
                    )
            scan_expiry(on=DAY0, actor=plant.system)
            # Warning ids differ between the runs (sequences are not rolled back): compare
            # what the messages say.
            out |= set(Notification.objects.values_list("channel", "recipient", "subject", "body"))
            out |= set(InboxItem.objects.values_list("user_id", "title", "body"))
            raise _Undo
    except _Undo:
        return out


def test_a_day_planned_as_few_writes_exactly_the_same_messages(plant, clock, sms_channel):
    from datetime import timedelta

    from .conftest import DAY0, certificate, worker

    for i, days in enumerate([-1, 3, 5, 10, 20, 29]):
        person = worker(plant, name=f"工人{i}", phone=f"139000000{i:02d}")
        certificate(person, valid_until=DAY0 + timedelta(days=days))
    owners = worker(plant, org=plant.owner, name="业主工", phone="13900000099")
    certificate(owners, valid_until=DAY0 + timedelta(days=6))
    as_counted = _messages(plant, register=None)
    as_few = _messages(plant, register=1_000_000)  # 7 warnings: few
    assert len(as_counted) > 10 and as_few == as_counted


def test_an_error_inside_leaves_the_settings_to_the_rollback(register_of_1000):
    before = _settings()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), planned_for(20, Person):
        1 / 0  # noqa: B018
    assert _settings() == before  # the savepoint's rollback undid the SET LOCAL
