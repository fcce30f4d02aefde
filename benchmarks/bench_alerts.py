# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""Issue 4 benchmarks, on the register of benchmarks/generate.py:

- alerts_scan_s: the daily scan (find what is due, write warnings, outbox rows, inbox
  items, transitions; rolled back after each run so every run does the full work),
  target < 30 s at 1,000,000 certificates; ratio against one hand-written SQL COUNT of
  the same predicate (the union of the level ranges, not yet sent), target within 5x.
- alerts_scan_find_ms: only the scan's own due queries, counted, against the same SQL.
- alerts_delivery_per_s: outbox delivery to a local webhook receiver, 4 worker threads,
  target >= 200 messages/s.

    python benchmarks/bench_alerts.py --scale full|small --database-url URL
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import setup_bench_from_argv

    ARGS = setup_bench_from_argv("Time the daily scan and the outbox delivery.")

from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import connection, connections, transaction

from benchmarks.common import SCALES, result_row

SCAN_TARGET_S, MAX_RATIO, DELIVERY_TARGET = 30.0, 5.0, 200.0
MESSAGES, THREADS = 2_000, 4


class _Rollback(Exception):
    pass


def scan_once(on: date) -> float:
    from safework.alerts.services import scan_expiry
    from safework.core.actors import Actor

    start = time.perf_counter()
    try:
        with transaction.atomic():
            scan_expiry(on=on, actor=Actor.system("bench"))
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        return elapsed


SQL = """
SELECT COUNT(*) FROM certificates_certificate c JOIN people_person p ON p.id = c.person_id
 WHERE NOT c.superseded AND c.manual_state = 'none' AND p.employment_state = 'active'
   AND ((c.valid_until BETWEEN %(lapsed)s AND %(horizon)s
         AND NOT EXISTS (SELECT 1 FROM alerts_certificatewarning w WHERE w.certificate_id = c.id
                         AND w.kind = 'expiry' AND w.due_date = c.valid_until))
     OR (c.next_review_due BETWEEN %(lapsed)s AND %(horizon)s AND c.valid_until >= %(on)s
         AND NOT EXISTS (SELECT 1 FROM alerts_certificatewarning w WHERE w.certificate_id = c.id
                         AND w.kind = 'review' AND w.due_date = c.next_review_due)))
"""


def count_sql(on: date) -> int:
    from django.conf import settings

    params = {"on": on, "lapsed": on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS),
              "horizon": on + timedelta(days=30)}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        return cursor.fetchone()[0]


def count_scan_queries(on: date) -> int:
    from safework.alerts.scan import due_queries

    return sum(qs.count() for qs, *_rest in due_queries(on))


def timed(fn, repeats: int) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return sorted(runs)[len(runs) // 2], result


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def delivery_rate() -> float:
    from django.conf import settings

    from safework.alerts import outbox, services
    from safework.alerts.delivery import deliver_due
    from safework.alerts.models import ChannelConfig, Notification
    from safework.core.actors import Actor

    settings.ALERTS_DELIVER_ON_COMMIT = False  # the 4 timed threads do all the delivering
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    ChannelConfig.objects.filter(organization__isnull=True, channel="webhook").delete()
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
    server.shutdown()
    return sent / elapsed


def main(args) -> int:
    import json

    from benchmarks import generate
    from safework.certificates.models import Certificate
    from safework.core.clock import today

    on = today()
    generate.ensure(people=SCALES[args.scale], on=on, log=lambda m: print(m, file=sys.stderr))
    size = {"certificates": Certificate.objects.count()}
    base_s, expected = timed(lambda: count_sql(on), 5)
    find_s, found = timed(lambda: count_scan_queries(on), 5)
    assert found == expected, (found, expected)  # the same predicate, or the ratio means nothing
    scan_s, _ = timed(lambda: scan_once(on), 3)
    rate = delivery_rate()
    rows = [
        result_row("alerts_scan_s", scan_s, "s", SCAN_TARGET_S, base_s, scan_s / base_s,
                   scan_s < SCAN_TARGET_S and scan_s / base_s <= MAX_RATIO) | size | {"due": expected},
        result_row("alerts_scan_find_ms", find_s * 1000, "ms", None, base_s * 1000, find_s / base_s,
                   find_s / base_s <= MAX_RATIO) | size,
        result_row("alerts_delivery_per_s", rate, "messages/s", DELIVERY_TARGET, None, None,
                   rate >= DELIVERY_TARGET) | {"threads": THREADS, "messages": MESSAGES},
    ]  # fmt: skip
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(ARGS))
