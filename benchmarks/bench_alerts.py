# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""Issue 4 benchmarks, printed as JSON rows (DESIGN.md Benchmarks):

- alerts_scan_s: the daily scan (find what is due, write the warnings, outbox rows, inbox
  items and transitions; rolled back after each run so every run does the full work) on
  1,000,000 certificates, target < 30 s and within 5x of a hand-written SQL COUNT of the
  same due predicate measured in the same run.
- alerts_scan_next_day_s (an additional row, not a replacement of the first): the next
  day's scan once the first one has committed, as every morning after the first, with
  its own COUNT of the same predicate on that day (same target and ratio).
- alerts_scan_find_ms: only the scan's own due queries, counted, against the same COUNT
  (the find phase alone, target within 5x).
- alerts_delivery_per_s: outbox delivery to a local webhook receiver, 4 worker threads,
  target >= 200 messages/s.

Data: benchmarks/generate.py's register cut to exactly 1,000,000 certificates (``--scale
small``: 15,000) in the database ``safework_bench_alerts`` on the server of
--database-url, with the recipients a plant has: a safety manager, an area head per site,
an admin and a contact per contractor, the owner's SMS account and WeCom group robot.

    python benchmarks/bench_alerts.py --scale full|small --database-url URL
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from benchmarks.common import bench_arguments, result_row, setup_django

DB_NAME = "safework_bench_alerts"
CERTIFICATES = {"full": 1_000_000, "small": 15_000}
# generate.py gives about 3.02 certificates a person (2.97 current, 5 % with a replaced
# one); a few more people than needed, then the register is cut to the exact size.
PEOPLE = {"full": 332_000, "small": 5_000}
SCAN_TARGET_S, MAX_RATIO, DELIVERY_TARGET = 30.0, 5.0, 200.0
MESSAGES, THREADS = 2_000, 4


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_database(url: str) -> str:
    """``DB_NAME`` on the server of ``url``, created when missing."""
    from benchmarks.common import bench_database_url as dedicated

    return dedicated(url, DB_NAME)


# --- data -----------------------------------------------------------------------------------


def prepare(scale: str) -> dict:
    """The register of the asked size (generated only when it is not there yet), then the
    logins and channels the scan sends to."""
    from django.db import connection

    from benchmarks import generate
    from safework.certificates.models import Certificate
    from safework.core.clock import today
    from safework.people.models import Person

    people, certificates = PEOPLE[scale], CERTIFICATES[scale]
    if (Person.objects.count(), Certificate.objects.count()) != (people, certificates):
        started = time.perf_counter()
        generate.wipe()
        if connection.vendor == "postgresql":
            copy_register(people=people, on=today())
        else:
            generate.generate(people=people, on=today(), log=log)
        _cut_to(certificates)
        generate.analyze()
        log(f"generate: {generate.size()} in {time.perf_counter() - started:.0f} s")
    _recipients()
    _channels()
    _analyze_recipients()
    return generate.size()


def _analyze_recipients() -> None:
    """Fresh statistics for the tables _recipients and _channels just wrote (every
    organization's contact changed: planned with the old ones, the fan-out took an
    organization for one row), as autovacuum gives a database in use."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = ["core_organization", "auth_user", "core_userprofile", "core_userprofile_sites",
              "alerts_channelconfig"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def copy_register(*, people: int, on) -> None:
    """generate.generate's register row for row (its code, seed and order of draws, the
    ids its INSERTs get after wipe()), written with COPY: through the ORM's INSERTs the
    full scale took most of an hour. PostgreSQL only, into an emptied register."""
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks import generate
    from safework.certificates.models import Certificate
    from safework.people.models import Person

    items, sites = Person.special_operations.through, Person.sites.through
    rng, now, cert_id = random.Random(2019), timezone.now(), 0
    with transaction.atomic():  # indexes dropped and built again: all of it, or nothing
        with connection.cursor() as cursor:  # foreign keys checked as rows go in, not queued
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        world = generate._world(people)
        tables = [m._meta.db_table for m in (Person, Certificate, items, sites)]
        with _indexes_built_after(tables):
            for start in range(0, people, generate.CHUNK):
                indexes = range(start, min(start + generate.CHUNK, people))
                persons, numbers, certificates, links = [], {}, [], []
                for i in indexes:
                    person, numbers[i] = generate._person(rng, i, on, world)
                    person.pk = i + 1
                    persons.append(person)
                for i, person in zip(indexes, persons, strict=True):
                    certs, types = generate._certificates(rng, on, person, numbers[i], world)
                    for cert in certs:
                        cert_id += 1
                        cert.pk = cert_id
                    certificates += certs
                    links += [(person.pk, t.pk) for t in types]
                rows = {
                    Person: (_columns(Person), [_row(p, now) for p in persons]),
                    Certificate: (_columns(Certificate), [_row(c, now) for c in certificates]),
                    items: (["person_id", "certificatetype_id"], links),
                    sites: (["person_id", "site_id"], [
                        (s.person_id, s.site_id) for s in generate._site_links(rng, persons, world)
                    ]),
                }  # fmt: skip
                with connection.cursor() as cursor:
                    for model, (columns, values) in rows.items():
                        _copy(cursor, model._meta.db_table, columns, values)
                log(f"generate: {indexes.stop:,} / {people:,} people")
    with connection.cursor() as cursor:  # the next INSERT's ids follow, as after bulk_create
        for model in rows:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
                [table],
            )


@contextmanager
def _indexes_built_after(tables: list[str]):
    """Without the indexes that back no constraint while the rows go in, then each built
    again from its definition: one sort per index instead of a million random inserts
    into indexes larger than the buffer cache. Inside the caller's transaction."""
    from django.db import connection

    query = """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid = ANY (%s::regclass[])
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"""
    with connection.cursor() as cursor:
        cursor.execute(query, [tables])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _row(obj, now) -> list:
    """A generated Person's or Certificate's column values, with the timestamps a save
    would set."""
    return [
        now if f.attname in ("created_at", "updated_at") else getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
    ]


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    from django.db import connection

    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _cut_to(certificates: int) -> None:
    from safework.certificates.models import Certificate

    last = Certificate.objects.order_by("pk").values_list("pk", flat=True)[certificates - 1]
    Certificate.objects.filter(pk__gt=last).delete()


def _recipients() -> None:
    """Contacts on every organization; a safety manager for all sites, an area head per
    site, an admin per contractor (the audiences of issue 4, Rules)."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    from safework.core.choices import OrganizationKind, Role
    from safework.core.models import Organization, Site

    email = Concat(Value("contact-"), Cast(F("pk"), CharField()), Value("@org.test"))
    Organization.objects.update(contact_phone="13800000000", contact_email=email)
    _login("bench-manager", Role.SAFETY_MANAGER)
    for site in Site.objects.filter(code__startswith="bench-"):
        _login(f"bench-head-{site.code}", Role.AREA_HEAD, sites=[site])
    for org in Organization.objects.filter(kind=OrganizationKind.CONTRACTOR):
        _login(f"bench-admin-{org.pk}", Role.CONTRACTOR_ADMIN, organization=org)


def _login(username: str, role: str, organization=None, sites=()) -> None:
    from django.contrib.auth import get_user_model

    from safework.core.models import UserProfile

    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@plant.test"}
    )
    if created or not hasattr(user, "profile"):
        profile, _ = UserProfile.objects.update_or_create(
            user=user, defaults={"role": role, "organization": organization}
        )
        profile.sites.set(sites)


def _channels() -> None:
    """Exactly the owner's SMS account and WeCom robot (a webhook left behind by an earlier
    delivery run would add messages to the scan)."""
    from safework.alerts import services
    from safework.alerts.models import ChannelConfig
    from safework.core.actors import Actor
    from safework.core.choices import OrganizationKind
    from safework.core.models import Organization

    ChannelConfig.objects.all().delete()
    owner = Organization.objects.get(kind=OrganizationKind.OWNER)
    actor = Actor.system("bench")
    sms = {"access_key_id": "bench", "access_key_secret": "bench", "sign_name": "基准",
           "template_code": "SMS_1", "endpoint": "http://127.0.0.1:9/aliyun"}  # fmt: skip
    services.channel_save(actor=actor, channel="sms_aliyun", organization=owner, values=sms)
    robot = {"webhook_url": "http://127.0.0.1:9/wecom"}
    services.channel_save(actor=actor, channel="wecom", organization=owner, values=robot)


# --- the scan -------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def scan_once(on):
    """The scan's report; everything it wrote is rolled back, after the checks a commit
    would make (PostgreSQL defers the foreign key checks to the commit)."""
    from django.db import connection, transaction

    from safework.alerts.services import scan_expiry
    from safework.core.actors import Actor

    try:
        with transaction.atomic():
            report = scan_expiry(on=on, actor=Actor.system("bench"))
            if connection.vendor == "postgresql":
                connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
            raise _Rollback
    except _Rollback:
        return report


def next_day_once(on) -> tuple[float, float, object]:
    """(seconds of the scan of ``on`` + 1 day, seconds of its COUNT, its report), after the
    scan of ``on`` in the same transaction (as if committed the day before); all of it
    rolled back. The scan's time includes the checks its commit would make."""
    from datetime import timedelta

    from django.db import connection, transaction

    from safework.alerts.services import scan_expiry
    from safework.core.actors import Actor

    def constraints():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")

    out = None
    try:
        with transaction.atomic():
            scan_expiry(on=on, actor=Actor.system("bench"))
            constraints()
            with connection.cursor() as cursor:  # the morning after: fresh statistics
                if connection.vendor == "postgresql":
                    cursor.execute("ANALYZE alerts_certificatewarning")
            nxt = on + timedelta(days=1)
            start = time.perf_counter()
            expected = count_sql(nxt)
            count_s = time.perf_counter() - start
            start = time.perf_counter()
            with transaction.atomic():
                report = scan_expiry(on=nxt, actor=Actor.system("bench"))
                constraints()
            scan_s = time.perf_counter() - start
            assert report.warnings == expected, (report.warnings, expected)
            out = (scan_s, count_s, report)
            raise _Rollback
    except _Rollback:
        return out


# The due predicate of issue 4 written out by hand: per kind, the level the date is at
# (smallest threshold reached; -1 once it passed, within the catch-up window), and no
# warning of that level or a more urgent one for the same due date yet. Default rules:
# 30, 15 and 7 days for both dates, a message on lapse; a renewal (换证中) still open after
# 30 days reminds once.
SQL = """
WITH due AS (
  SELECT c.id, 'expiry' AS kind, c.valid_until AS due_date,
         CASE WHEN c.valid_until < %(on)s THEN -1 WHEN c.valid_until <= %(d7)s THEN 7
              WHEN c.valid_until <= %(d15)s THEN 15 ELSE 30 END AS level
    FROM certificates_certificate c JOIN people_person p ON p.id = c.person_id
   WHERE NOT c.superseded AND c.manual_state = 'none' AND p.employment_state = 'active'
     AND c.valid_until BETWEEN %(lapsed)s AND %(d30)s
  UNION ALL
  SELECT c.id, 'review', c.next_review_due,
         CASE WHEN c.next_review_due < %(on)s THEN -1 WHEN c.next_review_due <= %(d7)s THEN 7
              WHEN c.next_review_due <= %(d15)s THEN 15 ELSE 30 END
    FROM certificates_certificate c JOIN people_person p ON p.id = c.person_id
   WHERE NOT c.superseded AND c.manual_state = 'none' AND p.employment_state = 'active'
     AND c.next_review_due BETWEEN %(lapsed)s AND %(d30)s AND c.valid_until >= %(on)s
  UNION ALL
  SELECT c.id, 'renewal_open', c.manual_state_on, 30
    FROM certificates_certificate c JOIN people_person p ON p.id = c.person_id
   WHERE NOT c.superseded AND c.manual_state = 'renewing' AND p.employment_state = 'active'
     AND c.manual_state_on <= %(renewal)s
)
SELECT COUNT(*) FROM due d
 WHERE NOT EXISTS (SELECT 1 FROM alerts_certificatewarning w
                    WHERE w.certificate_id = d.id AND w.kind = d.kind
                      AND w.due_date = d.due_date AND w.level <= d.level)
"""


def count_sql(on) -> int:
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection

    days = {f"d{n}": on + timedelta(days=n) for n in (7, 15, 30)}
    params = {"on": on, "lapsed": on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS),
              "renewal": on - timedelta(days=30), **days}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        return cursor.fetchone()[0]


def count_scan_queries(on) -> int:
    from safework.alerts.scan import due_queries

    return sum(qs.count() for qs, *_rest in due_queries(on))


def timed(fn, repeats: int, after=lambda: None) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
        after()
    return sorted(runs)[len(runs) // 2], result


def vacuum_alerts() -> None:
    """Clear what a rolled-back scan leaves in the alerts tables (dead rows and their
    index entries, 3 x 91,000 outbox rows at 200,000 certificates): the next scan and the
    delivery would wade through them, where the daily scan finds tables autovacuum keeps."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = ", ".join(m._meta.db_table for m in apps.get_app_config("alerts").get_models())
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def interleaved(fns: dict, repeats: int) -> dict[str, tuple[float, object]]:
    """Median time and last result of each function, run in turns so that the load of
    the (shared) machine falls on all of them alike."""
    runs = {name: [] for name in fns}
    results = {}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            results[name] = fn()
            runs[name].append(time.perf_counter() - start)
    return {name: (sorted(r)[len(r) // 2], results[name]) for name, r in runs.items()}


# --- delivery -------------------------------------------------------------------------------


def receive(port, received, distinct) -> None:
    """The webhook receiver, in a process of its own as the integrator's system would be
    (sharing the workers' interpreter lock, it would slow them down): HTTP/1.1 keep-alive,
    a thread per connection; it counts the requests and the distinct Idempotency-Keys."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen, lock = set(), threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                received.value += 1
                if (key := self.headers["Idempotency-Key"]) not in seen:
                    seen.add(key)
                    distinct.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    port.value = server.server_address[1]
    server.serve_forever()


def delivery_rate() -> tuple[float, int]:
    """Messages sent per second by ``THREADS`` workers, and the requests the receiver got
    (exactly one per message, or the rate counts duplicates)."""
    import multiprocessing

    from django.conf import settings
    from django.db import connections, transaction

    from safework.alerts import outbox, services
    from safework.alerts.delivery import deliver_due
    from safework.alerts.models import ChannelConfig, Notification
    from safework.core.actors import Actor

    settings.ALERTS_DELIVER_ON_COMMIT = False  # the 4 timed threads do all the delivering
    mp = multiprocessing.get_context("spawn")
    port, received, distinct = mp.Value("i", 0), mp.Value("i", 0), mp.Value("i", 0)
    receiver = mp.Process(target=receive, args=(port, received, distinct), daemon=True)
    receiver.start()
    while not port.value:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port.value}/hook"
    with transaction.atomic():
        services.channel_save(actor=Actor.system("bench"), channel="webhook", organization=None,
                              values={"webhook_url": url, "secret": "bench"})  # fmt: skip
        for i in range(MESSAGES):
            outbox.enqueue(
                channel="webhook",
                recipient=f"bench-{i}",
                body="x",
                dedupe_key=f"bench:{time.time()}:{i}",
            )

    def work():
        while deliver_due(batch=20, max_batches=1).total:
            pass
        connections.close_all()

    start = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    sent = Notification.objects.filter(recipient__startswith="bench-", state="sent").count()
    Notification.objects.filter(recipient__startswith="bench-").delete()
    ChannelConfig.objects.filter(organization__isnull=True, channel="webhook").delete()
    receiver.terminate()
    receiver.join()
    assert sent == MESSAGES == received.value == distinct.value, (sent, received.value)
    return sent / elapsed, received.value


# --- the rows -------------------------------------------------------------------------------


def main(args) -> int:
    import json

    from safework.core.clock import today

    on = today()
    size = prepare(args.scale)
    repeats = 5
    times = interleaved({"count": lambda: count_sql(on), "find": lambda: count_scan_queries(on)},
                        repeats)  # fmt: skip
    (base_s, expected), (find_s, found) = times["count"], times["find"]
    assert found == expected, (found, expected)  # the same predicate, or the ratio means nothing
    scan_s, report = timed(lambda: scan_once(on), 3, after=vacuum_alerts)
    assert report.warnings == expected, (report.warnings, expected)
    next_runs = []
    for _ in range(3):
        next_runs.append(next_day_once(on))
        vacuum_alerts()
    next_s, next_base_s, next_report = sorted(next_runs, key=lambda r: r[0])[1]
    rate, received = delivery_rate()
    counts = {"due": expected, "notifications": report.notifications, "inbox": report.inbox}
    rows = [
        result_row("alerts_scan_s", scan_s, "s", SCAN_TARGET_S, base_s, scan_s / base_s,
                   scan_s < SCAN_TARGET_S and scan_s / base_s <= MAX_RATIO) | size | counts,
        result_row("alerts_scan_next_day_s", next_s, "s", SCAN_TARGET_S, next_base_s,
                   next_s / next_base_s, next_s < SCAN_TARGET_S and next_s / next_base_s <= MAX_RATIO)
        | size | {"row": "additional: the next day's scan after the first one committed",
                  "due": next_report.warnings, "notifications": next_report.notifications,
                  "inbox": next_report.inbox},
        result_row("alerts_scan_find_ms", find_s * 1000, "ms", None, base_s * 1000,
                   find_s / base_s, find_s / base_s <= MAX_RATIO) | size,
        result_row("alerts_delivery_per_s", rate, "messages/s", DELIVERY_TARGET, None, None,
                   rate >= DELIVERY_TARGET) | {"threads": THREADS, "messages": MESSAGES,
                                           "received": received},
    ]  # fmt: skip
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    ARGS = bench_arguments("Time the daily scan and the outbox delivery.").parse_args()
    setup_django(bench_database(ARGS.database_url))
    raise SystemExit(main(ARGS))
