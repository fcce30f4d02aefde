"""The permit benchmark at its small scale on the test database: the page it times shows
the same first 100 permits, in the same order, as its hand-written SQL. No timing."""

import pytest
from benchmarks import bench_permits
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_page_and_sql_agree():
    site, user = bench_permits.ensure("small")
    client = Client()
    client.force_login(user)
    html = client.get(f"/permits/?site={site.pk}&active=on").content.decode()
    with connection.cursor() as cursor:
        cursor.execute(bench_permits.SQL, [site.pk])
        numbers = [row[1] for row in cursor.fetchall()]
        cursor.execute(bench_permits.COUNT, [site.pk])
        assert cursor.fetchone()[0] == bench_permits.ACTIVE
    assert len(numbers) == 100
    positions = [html.index(f">{n}<") for n in numbers]
    assert positions == sorted(positions)
