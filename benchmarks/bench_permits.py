# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""The list of active permits for a site (issue 8): GET /permits/?site=S&active=on as a
safety manager, the whole Django stack in process (middleware, session, scoping,
template), with 1,000 active permits at that site and closed permits elsewhere; target
< 300 ms server time. Baseline: the same rows by hand-written SQL.

    python benchmarks/bench_permits.py --scale full|small --database-url URL

Runs in its own database ``safework_bench_permits``.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DB = "safework_bench_permits"
ACTIVE = 1_000
OTHERS = {"full": 20_000, "small": 1_000}
TARGET_MS = 300


def bench_database_url(url: str) -> str:
    """``BENCH_DB`` on the server of ``url``, created when missing."""
    from benchmarks.common import bench_database_url as dedicated

    return dedicated(url, BENCH_DB)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import bench_arguments, setup_django

    ARGS = bench_arguments("Time the active-permit list of a site.").parse_args()
    setup_django(bench_database_url(ARGS.database_url))

import json
import random
from datetime import timedelta

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from benchmarks.common import Case, measure

SQL = """
SELECT p.id, p.number, p.kind, p.level, p.status, p.place, p.planned_start, p.planned_end,
       w.name, o.name
  FROM permits_permit p
  JOIN core_workarea w ON w.id = p.work_area_id
  JOIN core_organization o ON o.id = p.performing_org_id
 WHERE p.site_id = %s AND p.status IN ('approved', 'in_progress', 'suspended')
 ORDER BY p.planned_start, p.id
 LIMIT 100
"""
COUNT = """SELECT COUNT(*) FROM permits_permit p
 WHERE p.site_id = %s AND p.status IN ('approved', 'in_progress', 'suspended')"""


def _fixtures():
    from safework.core.choices import OrganizationKind, Role
    from safework.core.models import Organization, Site, UserProfile, WorkArea
    from safework.people.models import Person

    owner, _ = Organization.objects.get_or_create(name="基准业主", kind=OrganizationKind.OWNER)
    sites = []
    for n in range(5):
        site, _ = Site.objects.get_or_create(code=f"bench-permits-{n}",
                                             defaults={"name": f"基准厂区{n}", "owner": owner})  # fmt: skip
        WorkArea.objects.get_or_create(site=site, code="unit", defaults={"name": "装置区"})
        sites.append(site)
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="bench-permits")
    if created:
        UserProfile.objects.create(user=user, role=Role.SAFETY_MANAGER)
    person = Person.objects.filter(organization=owner).first() or _person(owner)
    return owner, sites, user, person


def _person(owner):
    from safework.core import crypto
    from safework.people.models import Person

    number = "110101198506150011"
    return Person.objects.create(
        name="基准负责人", organization=owner, id_number_encrypted=crypto.encrypt(number),
        id_number_hash=crypto.blind_index(number), id_number_masked="110101********0011",
        birth_date="1985-06-15", sex="M",
    )  # fmt: skip


def _permits(site, owner, person, count: int, statuses: list[str], start: int):
    from safework.permits.models import Permit

    now, area = timezone.now(), site.work_areas.first()
    kinds = ["hot_work", "confined_space", "height", "lifting", "temp_power"]
    levels = {"hot_work": "hot_2", "height": "height_1", "lifting": "lift_3"}
    rows = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        begin = now - timedelta(hours=random.randint(0, 20))
        rows.append(Permit(
            number=f"B-{start + i:06d}", site=site, work_area=area, kind=kind,
            level=levels.get(kind, ""), status=random.choice(statuses), applicant_org=owner,
            performing_org=owner, person_in_charge=person, content="检修", place=f"E-{i}",
            planned_start=begin, planned_end=begin + timedelta(hours=24),
        ))  # fmt: skip
    Permit.objects.bulk_create(rows, batch_size=1000)


@transaction.atomic
def ensure(scale: str):
    from safework.permits.models import Permit

    owner, sites, user, person = _fixtures()
    target = sites[0]
    if not Permit.objects.filter(site=target).exists():
        _permits(target, owner, person, ACTIVE, ["approved", "in_progress", "suspended"], 0)
        per_site = OTHERS[scale] // len(sites)
        for n, site in enumerate(sites):
            _permits(site, owner, person, per_site, ["closed", "expired", "cancelled"],
                     (n + 1) * 100_000)  # fmt: skip
    return target, user


def main() -> int:
    random.seed(8)
    site, user = ensure(ARGS.scale)
    client = Client()
    client.force_login(user)
    url = f"/permits/?site={site.pk}&active=on"
    first = client.get(url)
    assert first.status_code == 200 and first.content.count(b"data-permit=") == 100, (
        first.status_code
    )

    def page():
        response = client.get(url)
        assert response.status_code == 200

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(COUNT, [site.pk])
            cursor.fetchone()
            cursor.execute(SQL, [site.pk])
            cursor.fetchall()

    case = Case("permits_active_list_site_1000_ms", TARGET_MS, run=page, baseline=sql)
    row = measure(case)
    row["ok"] = row["value"] < TARGET_MS  # the target is the page's server time
    from safework.permits.models import Permit

    row |= {"active_permits": ACTIVE, "permits": Permit.objects.count()}
    print(json.dumps([row], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
