# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""Benchmark data (issue 2, part 10): N people with about three certificates each, spread
over statuses, organizations, sites and operation items.

Written with bulk_create: this is test data, not the service path (no audit entries).
ID numbers are valid, encrypted and indexed with safework.core.crypto like real ones.

    python benchmarks/generate.py --people 100000 [--database-url URL] [--replace]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Fill a database with benchmark people.")
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--database-url", help="default: SAFEWORK_DATABASE_URL or SQLite")
    parser.add_argument("--replace", action="store_true", help="delete existing people first")
    return parser


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import setup_django

    ARGS = _arguments().parse_args()
    setup_django(ARGS.database_url)

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, models, transaction

from safework.certificates.models import Certificate, CertificateReview, CertificateType
from safework.certificates.numbers import StoredNumber, number_hash, protect
from safework.certificates.services import add_years
from safework.core import crypto
from safework.core.choices import OrganizationKind
from safework.core.demo import FEMALE_NAMES, MALE_NAMES, PHONE_PREFIXES, SURNAMES, id_number
from safework.core.idnumbers import mask_id_number
from safework.core.models import Organization, Site, WorkArea
from safework.people.models import Person

CHUNK = 5_000  # people per transaction
BATCH = 2_000  # rows per INSERT: PostgreSQL allows at most 65,535 parameters
SITES = 12
PEOPLE_PER_CONTRACTOR = 2_500
OWNER_SHARE = 0.4
# Operation items and how common they are among workers.
ITEMS = {
    "MEM-1.1": 4, "MEM-1.2": 12, "MEM-1.3": 2, "MEM-2.1": 14, "MEM-3.1": 6, "MEM-3.2": 8,
    "MEM-4.1": 2, "MEM-4.2": 2, "MEM-8.1": 1, "MEM-9.2": 2, "MEM-9.6": 3, "MEM-9.8": 3,
    "MEM-9.14": 3, "MEM-9.16": 4, "SAMR-A": 1, "SAMR-G1": 2, "SAMR-N1": 8, "SAMR-Q1": 4,
    "SAMR-Q2": 6, "SAMR-R1": 1,
}  # fmt: skip
CERTS_PER_PERSON = {1: 12, 2: 25, 3: 30, 4: 20, 5: 13}  # mean 2.97
STATUSES = {
    "valid": 72, "expiring": 8, "expired": 8, "review_overdue": 4,
    "renewing": 3, "suspended": 3, "revoked": 2,
}  # fmt: skip
MANUAL_STATES = {"renewing", "suspended", "revoked"}
SUPERSEDED_SHARE = 0.05  # people whose history holds a replaced certificate
UNCERTIFIED_SHARE = 0.02  # people assigned an item they hold no certificate for
LEGACY_SHARE = 0.05
EMPLOYMENT = {"active": 90, "left": 8, "blacklisted": 2}
AUTHORITIES = {
    "mem": ["上海市应急管理局", "江苏省应急管理厅", "浙江省应急管理厅", "安徽省应急管理厅"],
    "samr": ["上海市市场监督管理局", "江苏省市场监督管理局", "浙江省市场监督管理局"],
}
# fmt: off
AREAS = [
    "310116", "310112", "310120", "320623", "320682", "320684", "320921", "321323",
    "320381", "330481", "330482", "341221", "342422", "340823", "411521", "412724",
    "430524", "360121", "370826", "510922", "513021", "500234", "522121", "130425",
]
# fmt: on
SPAN = 13_870  # days between the birth dates of the oldest (58) and youngest (20) worker
STRIDE = 4_099  # prime to SPAN, so that i -> birth date offset is a bijection


@dataclass(frozen=True)
class World:
    owner: int
    contractors: list[int]
    sites: list[int]
    types: list[CertificateType]
    weights: list[int]


def generate(*, people: int, on: date, seed: int = 2019, log=print) -> dict[str, int]:
    rng = random.Random(seed)
    world = _world(people)
    for start in range(0, people, CHUNK):
        stop = min(start + CHUNK, people)
        with transaction.atomic():
            _chunk(rng, on, range(start, stop), world)
        log(f"generate: {stop:,} / {people:,} people")
    return size()


def size() -> dict[str, int]:
    return {"people": Person.objects.count(), "certificates": Certificate.objects.count()}


def _world(people: int) -> World:
    owner = Organization.objects.create(name="基准业主石化有限公司", kind=OrganizationKind.OWNER)
    contractors = Organization.objects.bulk_create(
        Organization(name=f"基准承包商{n:03d}工程有限公司", kind=OrganizationKind.CONTRACTOR)
        for n in range(1, max(2, people // PEOPLE_PER_CONTRACTOR) + 1)
    )
    sites = Site.objects.bulk_create(
        Site(name=f"基准厂区{n:02d}", code=f"bench-{n:02d}", owner=owner)
        for n in range(1, SITES + 1)
    )
    types = list(CertificateType.objects.filter(code__in=ITEMS))
    return World(
        owner.pk,
        [c.pk for c in contractors],
        [s.pk for s in sites],
        types,
        [ITEMS[t.code] for t in types],
    )


def _chunk(rng: random.Random, on: date, indexes: range, world: World) -> None:
    numbers = {}
    persons = []
    for i in indexes:
        person, numbers[i] = _person(rng, i, on, world)
        persons.append(person)
    Person.objects.bulk_create(persons, batch_size=BATCH)
    certificates, items = [], []
    for i, person in zip(indexes, persons, strict=True):
        certs, types = _certificates(rng, on, person, numbers[i], world)
        certificates += certs
        items += [_item_link(person, t) for t in types]
    Certificate.objects.bulk_create(certificates, batch_size=BATCH)
    Person.special_operations.through.objects.bulk_create(items, batch_size=BATCH)
    Person.sites.through.objects.bulk_create(_site_links(rng, persons, world), batch_size=BATCH)


def _person(rng: random.Random, i: int, on: date, world: World) -> tuple[Person, str]:
    female = rng.random() < 0.12
    number, birth = _identity(i, on, female)
    person = Person(
        name=rng.choice(SURNAMES) + rng.choice(FEMALE_NAMES if female else MALE_NAMES),
        id_number_encrypted=crypto.encrypt(number),
        id_number_hash=crypto.blind_index(number),
        id_number_masked=mask_id_number(number),
        birth_date=birth,
        sex="F" if female else "M",
        phone=PHONE_PREFIXES[i % len(PHONE_PREFIXES)] + f"{i:08d}",
        organization_id=world.owner
        if rng.random() < OWNER_SHARE
        else rng.choice(world.contractors),
        employment_state=_pick(rng, EMPLOYMENT),
    )
    return person, number


def _identity(i: int, on: date, female: bool) -> tuple[str, date]:
    """A distinct valid ID number for every ``i``: area, birth date and serial are a
    bijection of it (GB 11643-1999: the serial is odd for men, even for women)."""
    rest = i // len(AREAS)
    birth = add_years(on, -20) - timedelta(days=rest * STRIDE % SPAN)
    serial = rest // SPAN * 2 + (0 if female else 1)
    return id_number(AREAS[i % len(AREAS)], birth, serial), birth


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _certificates(rng, on: date, person: Person, number: str, world: World):
    count = _pick(rng, CERTS_PER_PERSON)
    types: list[CertificateType] = []
    while len(types) < count:
        ctype = rng.choices(world.types, world.weights)[0]
        if ctype not in types:
            types.append(ctype)
    legacy = rng.random() < LEGACY_SHARE
    certs = [
        _certificate(rng, on, person, t, protect(_number(number, t, person, legacy), number))
        for t in types
    ]
    if rng.random() < SUPERSEDED_SHARE:
        certs.append(_replaced(person, types[0], certs[0]))
    if rng.random() < UNCERTIFIED_SHARE:
        types.append(next(t for t in world.types if t not in types))
    return certs, types


def _number(id_no: str, ctype: CertificateType, person: Person, legacy: bool) -> str:
    # New-style numbers are the holder's ID number (RULES.md 1); a few legacy formats.
    return f"L{person.pk:09d}-{ctype.pk}" if legacy else id_no


def _certificate(rng, on: date, person: Person, ctype: CertificateType, number: StoredNumber):
    status = _pick(rng, STATUSES)
    start, end, due = _dates(rng, on, ctype, status)
    manual = status if status in MANUAL_STATES else "none"
    return Certificate(
        person_id=person.pk,
        type_id=ctype.pk,
        number=number.number,
        number_hash=number.number_hash,
        number_is_id_number=number.is_id_number,
        issued_by=rng.choice(AUTHORITIES[ctype.system]),
        first_issued_on=start,
        valid_from=start,
        valid_until=end,
        next_review_due=due,
        manual_state=manual,
        manual_state_on=on - timedelta(days=rng.randint(1, 90)) if manual != "none" else None,
    )


def _dates(rng: random.Random, on: date, ctype: CertificateType, status: str):
    """(valid_from, valid_until, next_review_due) giving ``status`` on ``on``."""
    years, review = ctype.validity_years, ctype.review_interval_years
    if status == "expiring":
        end = on + timedelta(days=rng.randint(0, 30))
    elif status == "expired" or (status == "review_overdue" and not review):
        end = on - timedelta(days=rng.randint(1, 900))
    elif status == "review_overdue":
        due = on - timedelta(days=rng.randint(1, 400))
        start = add_years(due, -review)
        return start, add_years(start, years), due
    else:  # valid; renewing, suspended and revoked as marked
        start = on - timedelta(days=rng.randint(30, years * 365 - 45))
        due = add_years(start, review) if review else None
        return start, add_years(start, years), due if due and due > on + timedelta(31) else None
    return add_years(end, -years), end, None


def _replaced(person: Person, ctype: CertificateType, current: Certificate) -> Certificate:
    """The certificate ``current`` replaced (第二十四条): kept in history, superseded."""
    end = current.valid_from - timedelta(days=1)
    start = add_years(end, -ctype.validity_years)
    return Certificate(
        person_id=person.pk, type_id=ctype.pk, number=f"H{person.pk:09d}-{ctype.pk}",
        number_hash=number_hash(f"H{person.pk:09d}-{ctype.pk}"),
        issued_by=current.issued_by, first_issued_on=start, valid_from=start,
        valid_until=end, superseded=True,
    )  # fmt: skip


def _item_link(person: Person, ctype: CertificateType):
    return Person.special_operations.through(person_id=person.pk, certificatetype_id=ctype.pk)


def _site_links(rng: random.Random, persons: list[Person], world: World) -> list:
    through = Person.sites.through
    return [
        through(person_id=person.pk, site_id=site)
        for person in persons
        for site in rng.sample(world.sites, 2 if rng.random() < 0.2 else 1)
    ]


# --- keeping the benchmark database at the asked size ------------------------------------

TABLES = (CertificateReview, Certificate, Person, WorkArea, Site, Organization)


def ensure(*, people: int, on: date, log=print) -> None:
    """Generate only when the database holds a different number of people, so that
    re-running the benchmarks is quick."""
    have = Person.objects.count()
    if have == people:
        log(f"generate: reusing the {have:,} people already there")
        return
    if have:
        wipe()
    started = time.perf_counter()
    summary = generate(people=people, on=on, log=log)
    analyze()
    log(f"generate: {summary} in {time.perf_counter() - started:.0f} s")


def wipe() -> None:
    """Delete the register. On PostgreSQL TRUNCATE ... CASCADE also empties the tables
    pointing at it (logins' profiles): use it on benchmark databases only."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in TABLES)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    for model in TABLES:  # in this order: certificates protect people, people organizations
        model.objects.all().delete()


def analyze() -> None:
    """Fresh planner statistics and visibility map, as a database in use would have."""
    statement = "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)


def manager_actor():
    """A safety manager (sees everything), the login the timed pages are read as."""
    from django.contrib.auth import get_user_model

    from safework.core.actors import Actor
    from safework.core.choices import Role
    from safework.core.models import UserProfile

    user, _ = get_user_model().objects.get_or_create(username="bench-manager")
    UserProfile.objects.get_or_create(user=user, defaults={"role": Role.SAFETY_MANAGER})
    return Actor(user=user)


def main(args: argparse.Namespace) -> int:
    from safework.core.clock import today

    if Person.objects.exists() and not args.replace:
        print("The database already has people; add --replace to delete them first.")
        return 2
    wipe()
    ensure(people=args.people, on=today(), log=lambda m: print(m, file=sys.stderr))
    print(f"{Person.objects.count()} people, {Certificate.objects.count()} certificates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(ARGS))


# --- gate events and permits (issue 10's dashboard benchmark) -----------------------------

GATE_DAYS = 90
DENY_SHARE = 0.05
DENY_REASONS = ["certificate_expired", "review_overdue", "no_certificate", "not_admitted",
                "briefing_not_passed", "area_not_authorized", "person_blacklisted"]  # fmt: skip
PERMIT_DAYS = 365
PERMIT_KINDS = {"hot_work": ["hot_special", "hot_1", "hot_2"], "confined_space": [""],
                "height": ["height_1", "height_2", "height_3"], "lifting": ["lift_2", "lift_3"],
                "temp_power": [""], "excavation": [""], "blind_plate": [""]}  # fmt: skip
PERMIT_ROLES = ["hot_worker", "electrician", "crane_driver", "scaffolder"]


def _workers_with_sites() -> list[tuple[int, int, str, int]]:
    """(person, organization, name, site) of every employed person, one of their sites."""
    through = Person.sites.through
    sites = dict(
        through.objects.order_by("person_id", "site_id").values_list("person_id", "site_id")
    )
    rows = Person.objects.filter(employment_state="active").values_list(
        "id", "organization_id", "name"
    )
    return [(pk, org, name, sites[pk]) for pk, org, name in rows if pk in sites]


def ensure_gate_events(*, count: int, log=print) -> None:
    """``count`` gate events over the last GATE_DAYS days: each day a share of the
    employed people come in through their site's gate in the morning and leave in the
    evening (today: not yet left), 5% of the attempts refused with reasons."""
    from django.utils import timezone

    from safework.access.models import GateEvent

    if GateEvent.objects.count() == count:
        log(f"generate: reusing the {count:,} gate events already there")
        return
    GateEvent.objects.all().delete()
    rng = random.Random(2026)
    people = _workers_with_sites()
    now = timezone.now()
    per_day = count // GATE_DAYS
    made = 0
    for back in range(GATE_DAYS - 1, -1, -1):
        day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        day -= timedelta(days=back)
        todo = per_day if back else count - made
        rows = _gate_day(rng, people, day, now, todo)
        with transaction.atomic():
            GateEvent.objects.bulk_create(rows, batch_size=BATCH)
        made += len(rows)
        if back % 10 == 0:
            log(f"generate: {made:,} / {count:,} gate events")


def _gate_day(rng, people, day, now, todo: int) -> list:
    from safework.access.models import GateEvent

    rows = []
    # Entries between 06:00 and 10:00; today, only up to now (before 06:00: since
    # midnight, and none at all in the first second of the day). Picking mornings and
    # skipping those after now never ended when the day's events were asked for before
    # 06:00 Shanghai time (22:00 UTC).
    earliest, latest = day + timedelta(hours=6), day + timedelta(hours=10)
    if latest > now:
        earliest, latest = (earliest if now > earliest else day), now
    window = int((latest - earliest).total_seconds())
    while len(rows) < todo and window > 0:
        pk, org, name, site = rng.choice(people)
        morning = earliest + timedelta(seconds=rng.randrange(window))
        evening = day + timedelta(hours=16, seconds=rng.randrange(6 * 3600))
        denied = rng.random() < DENY_SHARE
        common = {"person_id": pk, "person_name": name, "organization_id": org, "site_id": site,
                  "credential_kind": "badge", "actor": "bench"}  # fmt: skip
        rows.append(GateEvent(
            at=morning, direction="in", decision="deny" if denied else "allow",
            reasons=rng.sample(DENY_REASONS, rng.choice([1, 1, 2])) if denied else [], **common,
        ))  # fmt: skip
        if not denied and evening <= now and len(rows) < todo:
            rows.append(GateEvent(at=evening, direction="out", decision="allow", **common))
    return rows


def ensure_permits(*, count: int, log=print) -> None:
    """``count`` permits over the last PERMIT_DAYS days on the generated sites (a few
    live now), each with two people in certificate roles."""
    from django.utils import timezone

    from safework.permits.models import Assignment, Permit

    if Permit.objects.count() == count:
        log(f"generate: reusing the {count:,} permits already there")
        return
    Assignment.objects.all().delete()
    Permit.objects.all().delete()
    rng = random.Random(2027)
    sites = list(Site.objects.order_by("id"))
    areas = {}
    for site in sites:
        area, _created = WorkArea.objects.get_or_create(
            site=site, code="unit", defaults={"name": f"{site.name}装置区"}
        )
        areas[site.pk] = area.pk
    people = _workers_with_sites()
    owner = Organization.objects.filter(kind=OrganizationKind.OWNER).order_by("id").first()
    now = timezone.now()
    for start in range(0, count, CHUNK):
        rows, links = [], []
        for i in range(start, min(start + CHUNK, count)):
            permit, staff = _permit(rng, i, count, now, sites, areas, people, owner.pk)
            rows.append(permit)
            links.append(staff)
        with transaction.atomic():
            Permit.objects.bulk_create(rows, batch_size=BATCH)
            Assignment.objects.bulk_create(
                [Assignment(permit_id=p.pk, person_id=pk, role=role, added_at=p.planned_start)
                 for p, staff in zip(rows, links, strict=True) for pk, role in staff],
                batch_size=BATCH, ignore_conflicts=True,
            )  # fmt: skip
        log(f"generate: {min(start + CHUNK, count):,} / {count:,} permits")


def _permit(rng, i, count, now, sites, areas, people, owner_id):
    from safework.permits.models import Permit

    kind = rng.choice(list(PERMIT_KINDS))
    live = i < count // 200  # 0.5% live now
    begin = now - timedelta(hours=rng.randrange(1, 8)) if live else (
        now - timedelta(minutes=rng.randrange(PERMIT_DAYS * 24 * 60)))  # fmt: skip
    status = rng.choice(["approved", "in_progress", "suspended"]) if live else rng.choice(
        ["closed"] * 8 + ["cancelled", "expired"])  # fmt: skip
    worked = status not in ("approved", "cancelled")
    site = rng.choice(sites)
    head = rng.choice(people)
    permit = Permit(
        number=f"BD-{i:06d}", site_id=site.pk, work_area_id=areas[site.pk], kind=kind,
        level=rng.choice(PERMIT_KINDS[kind]), status=status, applicant_org_id=owner_id,
        performing_org_id=head[1], person_in_charge_id=head[0], content="检修",
        place=f"E-{i % 500}", planned_start=begin, planned_end=begin + timedelta(hours=8),
        approved_at=begin - timedelta(minutes=30) if status != "cancelled" else None,
        started_at=begin if worked else None,
    )  # fmt: skip
    staff = [(rng.choice(people)[0], rng.choice(PERMIT_ROLES)) for _ in range(2)]
    return permit, staff


def ensure_outbox(*, count: int, log=print) -> None:
    """``count`` outbox messages of the last 90 days, as the warnings leave them: nearly
    all sent, a few pending, failing or dead (the dashboard's outbox health)."""
    from datetime import timedelta

    from django.utils import timezone

    from safework.alerts.models import Notification

    if Notification.objects.count() == count:
        log(f"generate: reusing the {count:,} outbox messages already there")
        return
    Notification.objects.all().delete()
    rng, now = random.Random(2028), timezone.now()
    states = {"sent": 960, "pending": 20, "failed": 10, "dead": 10}
    for start in range(0, count, CHUNK * 4):
        rows = []
        for i in range(start, min(start + CHUNK * 4, count)):
            at = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
            state = _pick(rng, states)
            rows.append(Notification(
                channel=rng.choice(("sms", "email", "wecom", "inbox")), recipient=f"r{i}",
                subject="证书到期提醒", body="您的特种作业操作证将于 30 天后到期。",
                state=state, attempts=0 if state == "pending" else 1 + (state == "dead") * 4,
                next_attempt_at=at, sent_at=at if state == "sent" else None,
            ))  # fmt: skip
        with transaction.atomic():
            made = Notification.objects.bulk_create(rows, batch_size=BATCH)
            # created_at is auto_now_add: spread it over the 90 days afterwards.
            Notification.objects.filter(pk__in=[n.pk for n in made]).update(
                created_at=models.F("next_attempt_at")
            )
        log(f"generate: {min(start + CHUNK * 4, count):,} / {count:,} outbox messages")


def ensure_quiz_attempts(*, workers: int, log=print) -> None:
    """One published briefing course per site and work type and, for ``workers`` contractor
    workers, their attempts over the last two years (some failed before passing; passes
    valid 12 months): what 待复训 by category counts."""
    from datetime import timedelta

    from django.utils import timezone

    from safework.contractors.models import Course, QuizAttempt

    if (
        QuizAttempt.objects.count()
        and QuizAttempt.objects.values("person").distinct().count() == workers
    ):
        log(f"generate: reusing the quiz attempts of {workers:,} workers already there")
        return
    QuizAttempt.objects.all().delete()
    Course.objects.filter(title__startswith="bench ").delete()
    rng, now = random.Random(2029), timezone.now()
    courses = [
        Course.objects.create(title=f"bench {site.code} {category}", category=category, site=site,
                              is_published=True)
        for site in Site.objects.order_by("id")
        for category in ("入场通用", "动火作业", "高处作业", "受限空间")
    ]  # fmt: skip
    people = list(
        Person.objects.filter(organization__kind=OrganizationKind.CONTRACTOR)
        .order_by("id")
        .values_list("id", flat=True)[:workers]
    )
    rows = []
    for pk in people:
        for course in rng.sample(courses, 2):
            passed_at = now - timedelta(days=rng.randrange(730))
            if rng.random() < 0.3:  # failed first
                rows.append(QuizAttempt(person_id=pk, course=course, passed=False, score=60,
                                        submitted_at=passed_at - timedelta(hours=1)))  # fmt: skip
            rows.append(QuizAttempt(person_id=pk, course=course, passed=True, score=90,
                                    submitted_at=passed_at,
                                    valid_until=(passed_at + timedelta(days=365)).date()))  # fmt: skip
    with transaction.atomic():
        QuizAttempt.objects.bulk_create(rows, batch_size=BATCH)
    log(f"generate: {len(rows):,} quiz attempts of {len(people):,} contractor workers")
