"""What the benchmark scripts share (DESIGN.md, Benchmarks): the database they run in, the
timing, and the result format. Importable before Django is set up."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse, urlunparse

BENCH_DB = "safework_bench"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
SCALES = {"full": 100_000, "small": 5_000}
MAX_RATIO = 3.0  # issue 2, part 10: within 3x of the equivalent hand-written SQL


def bench_database_url(url: str, name: str = BENCH_DB) -> str:
    """The dedicated database ``name`` (``safework_bench``: the register) on the server
    of ``url``, created when missing. The database named in ``url`` (the test suite's) is
    only connected to."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return url
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunparse(parsed._replace(path=f"/{name}"))


def setup_django(database_url: str | None) -> None:
    """Point the settings at ``database_url`` (they read it at import), set up, migrate."""
    if database_url:
        os.environ["SAFEWORK_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safework.settings")
    os.environ.setdefault("SAFEWORK_DEBUG", "false")  # no query log while timing
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def bench_arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    return parser


def setup_bench_from_argv(description: str) -> argparse.Namespace:
    """For a bench script: parse its arguments, then set Django up on the bench database."""
    args = bench_arguments(description).parse_args()
    setup_django(bench_database_url(args.database_url))
    return args


@dataclass(frozen=True)
class Case:
    """One timed question: the product's code path and hand-written SQL answering it."""

    name: str
    target_ms: float
    run: Callable[[], object]
    baseline: Callable[[], object]


def measure(case: Case, *, warmup: int = 3, repeats: int = 15) -> dict:
    """Median of ``repeats`` runs after ``warmup``; product and baseline interleaved, so a
    load spike on the machine hits both alike."""
    for _ in range(warmup):
        case.run(), case.baseline()
    runs, baselines = [], []
    for _ in range(repeats):
        runs.append(_elapsed_ms(case.run))
        baselines.append(_elapsed_ms(case.baseline))
    value, baseline = statistics.median(runs), statistics.median(baselines)
    ratio = value / baseline if baseline else None
    ok = value < case.target_ms and ratio is not None and ratio <= MAX_RATIO
    return result_row(case.name, value, "ms", case.target_ms, baseline, ratio, ok)


def _elapsed_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def result_row(name, value, unit, target, baseline=None, ratio=None, ok=True) -> dict:
    return {
        "name": name,
        "value": _round(value),
        "unit": unit,
        "target": target,
        "baseline": _round(baseline),
        "ratio": _round(ratio),
        "ok": bool(ok),
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _round(value):
    return round(value, 2) if isinstance(value, float) else value


def run_script(cases, args: argparse.Namespace) -> int:
    """The body of a bench script: data of the asked scale, then each case timed; the
    results are printed as JSON for ``run.py`` to collect."""
    import json
    import sys

    from benchmarks import generate
    from safework.core.clock import today

    on = today()
    generate.ensure(people=SCALES[args.scale], on=on, log=lambda m: print(m, file=sys.stderr))
    size = generate.size()  # recorded with each result, as bench_audit does with "entries"
    results = [measure(case) | size for case in cases(generate.manager_actor(), on)]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0
