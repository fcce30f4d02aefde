# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""The contractor list (issue 7): 500 contractors and 20,000 workers, each contractor shown
with its workers' admission state (admitted today, in approval, not admitted); the
whole page rendered for a safety manager through the test client (middleware, view,
template), target < 300 ms server time. The baseline is the hand-written SQL answering
the same counts, measured in the same run; the target is on the page alone.

    python benchmarks/bench_contractors.py --scale full|small --database-url URL

Its own database, ``safework_bench_contractors``, on the server of URL.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DB = "safework_bench_contractors"
SCALES = {"full": (500, 20_000), "small": (50, 2_000)}
TARGET_MS = 300


def _database_url(url: str) -> str:
    """``BENCH_DB`` on the server of ``url``, created when missing."""
    from benchmarks.common import bench_database_url as dedicated

    return dedicated(url, BENCH_DB)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import bench_arguments, setup_django

    ARGS = bench_arguments("Time the contractor list with each one's admission state.").parse_args()
    setup_django(_database_url(ARGS.database_url))

import random
import statistics
import time
from datetime import date, timedelta

from django.db import connection, transaction

from benchmarks.common import result_row
from safework.contractors.choices import AdmissionState, DocumentKind, WorkerKind
from safework.contractors.models import ChecklistItem, ContractorWorker, SiteAdmission
from safework.core import crypto
from safework.core.choices import OrganizationKind, Role
from safework.core.clock import today
from safework.core.demo import SURNAMES, id_number
from safework.core.idnumbers import mask_id_number
from safework.core.models import Organization, Site
from safework.people.models import Person

BATCH = 2_000
PREFIX = "基准承包商"


def _signals_off():
    """Test data is written in bulk (no services, no audit): the person signal that
    enrols one by one is not wanted here; rows are written below."""
    from django.db.models.signals import post_save

    from safework.contractors import handlers

    post_save.disconnect(handlers._person_saved, sender=Person, dispatch_uid="contractors.enrol")


def generate(*, contractors: int, workers: int, on: date, log=print) -> None:
    _signals_off()
    rng = random.Random(2026)
    owner, _ = Organization.objects.get_or_create(
        name="基准业主", defaults={"kind": OrganizationKind.OWNER}
    )
    site, _ = Site.objects.get_or_create(
        code="bench-c", defaults={"name": "基准厂区", "owner": owner}
    )
    ChecklistItem.objects.get_or_create(
        site=site,
        worker_kind=WorkerKind.SPECIAL,
        kind=DocumentKind.INSURANCE,
        defaults={"expires": True},
    )
    orgs = Organization.objects.bulk_create(
        [
            Organization(name=f"{PREFIX}{i:04d}", kind=OrganizationKind.CONTRACTOR)
            for i in range(contractors)
        ]
    )
    for start in range(0, workers, BATCH):
        with transaction.atomic():
            _chunk(rng, on, range(start, min(start + BATCH, workers)), orgs, site)
        log(f"contractors bench: {min(start + BATCH, workers)} / {workers} workers")
    if connection.vendor == "postgresql":  # the visibility map, for index-only scans
        # VACUUM cannot run in a transaction (the smoke test's): statistics only there.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{vacuum} contractors_contractorworker")


def _chunk(rng, on: date, indexes: range, orgs: list, site: Site) -> None:
    people = []
    for i in indexes:
        birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        number = id_number(f"{320101 + i // 1000:06d}", birth, i % 1000)
        people.append(Person(
            name=rng.choice(SURNAMES) + f"工{i}", organization=orgs[i % len(orgs)],
            id_number_encrypted=crypto.encrypt(number), id_number_hash=crypto.blind_index(number),
            id_number_masked=mask_id_number(number), birth_date=birth, sex="M",
            phone=f"136{i:08d}",
        ))  # fmt: skip
    people = Person.objects.bulk_create(people, batch_size=BATCH)
    workers = ContractorWorker.objects.bulk_create(
        [_worker(rng, on, p) for p in people], batch_size=BATCH
    )
    admissions = [SiteAdmission(worker=w, site=site, state=_state(w, rng)) for w in workers]
    SiteAdmission.objects.bulk_create(admissions, batch_size=BATCH)
    pending = [a.worker_id for a in admissions if a.state == AdmissionState.PENDING]
    ContractorWorker.objects.filter(pk__in=pending).update(in_approval=True)


def _worker(rng, on: date, person: Person) -> ContractorWorker:
    roll = rng.random()
    return ContractorWorker(
        person=person, organization_id=person.organization_id, active=True, subject=True,
        admitted=roll < 0.7,
        documents_until=on + timedelta(days=rng.randint(-30, 400)),
        briefing_required=True,
        briefing_until=on + timedelta(days=rng.randint(-60, 360)) if roll < 0.9 else None,
    )  # fmt: skip


def _state(worker: ContractorWorker, rng) -> str:
    if worker.admitted:
        return AdmissionState.ADMITTED
    return rng.choice([AdmissionState.PENDING, AdmissionState.DRAFT, AdmissionState.REJECTED])


def ensure(*, contractors: int, workers: int, on: date, log=print) -> None:
    have = Organization.objects.filter(name__startswith=PREFIX).count()
    have_workers = ContractorWorker.objects.filter(
        person__organization__name__startswith=PREFIX
    ).count()
    if (have, have_workers) == (contractors, workers):
        return
    if have or have_workers:
        wipe()
    generate(contractors=contractors, workers=workers, on=on, log=log)


def wipe() -> None:
    from safework.audit.models import AuditEntry  # noqa: F401  (nothing written by the generator)

    ours = Person.objects.filter(organization__name__startswith=PREFIX)
    SiteAdmission.objects.filter(worker__person__in=ours).delete()
    ContractorWorker.objects.filter(person__in=ours).delete()
    ours.delete()
    Organization.objects.filter(name__startswith=PREFIX).delete()


def manager_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from safework.core.models import UserProfile

    user, created = get_user_model().objects.get_or_create(username="bench-contractors")
    if created:
        UserProfile.objects.create(user=user, role=Role.SAFETY_MANAGER)
    client = Client()
    client.force_login(user)
    return client


def render_page(client) -> int:
    response = client.get("/contractors/")
    assert response.status_code == 200, response.status_code
    return response.content.count(b"data-contractor=")


# The same answer by hand: per contractor, workers, admitted today, in approval.
SQL = """
SELECT o.id, o.name, o.credit_code, c.workers, c.ok, c.pending
  FROM core_organization o
  LEFT JOIN (
    SELECT w.organization_id,
           COUNT(*) AS workers,
           COUNT(*) FILTER (WHERE w.admitted
                            AND (w.documents_until IS NULL OR w.documents_until >= %(on)s)
                            AND (NOT w.briefing_required OR w.briefing_until >= %(on)s)) AS ok,
           COUNT(*) FILTER (WHERE w.in_approval) AS pending
      FROM contractors_contractorworker w
     WHERE w.subject AND w.active
     GROUP BY w.organization_id
  ) c ON c.organization_id = o.id
 WHERE o.kind IN ('contractor', 'subcontractor', 'general_contractor') AND o.is_active
 ORDER BY o.name
"""


def counts_sql(on: date) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"on": on})
        return cursor.fetchall()


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(on: date, *, warmup: int = 3, repeats: int = 15) -> dict:
    client = manager_client()
    for _ in range(warmup):
        render_page(client), counts_sql(on)
    runs, baselines = [], []
    for _ in range(repeats):
        runs.append(_ms(lambda: render_page(client)))
        baselines.append(_ms(lambda: counts_sql(on)))
    value, baseline = statistics.median(runs), statistics.median(baselines)
    return result_row(
        "contractor_list_render_ms", value, "ms", TARGET_MS, baseline,
        value / baseline if baseline else None, value < TARGET_MS,
    )  # fmt: skip


def main(args) -> int:
    import json

    on = today()
    contractors, workers = SCALES[args.scale]
    ensure(contractors=contractors, workers=workers, on=on, log=lambda m: print(m, file=sys.stderr))
    row = measure(on) | {"contractors": contractors, "workers": workers}
    print(json.dumps([row], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(ARGS))
