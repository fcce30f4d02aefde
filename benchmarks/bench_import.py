# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""Import of a generated ledger (issue 3): 50,000 rows (small: 2,000) in one .xlsx, each
a worker with a certificate, dates as date cells, serials and typed text. Targets: the
whole import (read, plan, write, in one transaction) < 60 s and < 500 MB peak memory of
the importing process (openpyxl streams the rows); printed with rows/s and the ratio to a
bare openpyxl read of the same file. The re-import of the same file (nothing changes) is
timed too.

Runs in its own database (``safework_bench_import`` on the server of the URL), emptied of
people and certificates first; the import itself runs in a child process so that its
peak memory is its own.

    python benchmarks/bench_import.py --scale full|small --database-url URL
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))

from benchmarks.common import bench_arguments, result_row, setup_django

ROWS = {"full": 50_000, "small": 2_000}
TARGET_S = 60
TARGET_MB = 500
IMPORT_DB = "safework_bench_import"
ORGANIZATION = "基准承包商有限公司"
ITEMS = (
    "电焊工",
    "熔化焊接与热切割作业",
    "高压电工",
    "低压电工作业",
    "登高架设",
    "MEM-3.2",
    "叉车司机",
)


def import_database_url(url: str) -> str:
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return url
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, [IMPORT_DB]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(IMPORT_DB)))
    return urlunparse(parsed._replace(path=f"/{IMPORT_DB}"))


def id_number(seq: int) -> str:
    from safework.core.idnumbers import id_check_char

    birth = date(1970 + seq % 30, 1 + seq % 12, 1 + seq % 28)
    first17 = f"{310000 + seq // 1000:06d}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def ledger_bytes(rows: int) -> bytes:
    """A ledger as enterprises keep it: title, date line, header, one row per worker."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("特种作业人员")
    ws.append(["特种作业人员持证台账（基准测试）"])
    ws.append(["制表日期：2025年6月1日"])
    header = ["序号", "姓名", "性别", "身份证号码", "所属单位", "准操项目", "证书编号"]
    ws.append([*header, "发证机关", "初领日期", "有效期起", "有效期至", "复审日期", "联系电话"])
    for i in range(rows):
        ws.append(_row(i))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(i: int) -> list:
    idn = id_number(i)
    item = ITEMS[i % len(ITEMS)]
    samr = item == "叉车司机"  # TSG Z6001: valid 4 years, reviewed at renewal
    start = date(2020 + i % 5, 1 + i % 12, 1 + i % 28)
    until = start.replace(year=start.year + (4 if samr else 6))
    review = "无" if samr or i % 7 == 0 else start.replace(year=start.year + 3)
    return [
        i + 1,
        f"工人{i:05d}",
        "男" if int(idn[16]) % 2 else "女",
        idn,
        ORGANIZATION,
        item,
        f"T{idn}" if i % 2 else f"LEG-{i:06d}",
        "上海市应急管理局",
        start if i % 3 else f"{start.year}年{start.month}月{start.day}日",
        start,
        until if i % 4 else f"{until:%Y.%m.%d}",
        review,
        f"139{i:08d}",
    ]


def bare_read_seconds(path: str) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for _row in ws.iter_rows(values_only=True):
            pass
    wb.close()
    return time.perf_counter() - started


def reset(rows: int) -> None:
    """An empty register with the contractor the ledger names."""
    from django.db import connection

    from safework.core.choices import OrganizationKind
    from safework.core.models import Organization

    tables = (
        "certificates_ledgerimportrow",
        "certificates_ledgerimport",
        "certificates_certificatescan",
        "certificates_certificateverification",
        "certificates_certificatereview",
        "certificates_certificate",
        "people_person_special_operations",
        "people_person_sites",
        "people_person",
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
    Organization.objects.get_or_create(
        name=ORGANIZATION, defaults={"kind": OrganizationKind.CONTRACTOR}
    )


def child(path: str) -> None:
    """In the child process: import, then import again; print the timings."""
    from safework.certificates.ledger.services import ledger_import_file
    from safework.core.actors import Actor

    data = Path(path).read_bytes()
    timings = {}
    for name in ("import", "reimport"):
        started = time.perf_counter()
        record = ledger_import_file(
            actor=Actor.system("bench"), data=data, file_name="bench.xlsx", dry_run=False
        )
        timings[name] = time.perf_counter() - started
        timings[f"{name}_counts"] = record.counts
        assert record.state == "committed", record.errors[:5]
    print(json.dumps(timings, default=str))


def main() -> int:
    parser = bench_arguments("Time the import of a generated ledger.")
    parser.add_argument("--child", help=argparse_hidden())
    args = parser.parse_args()
    url = import_database_url(args.database_url)
    setup_django(url)
    if args.child:
        child(args.child)
        return 0
    rows = ROWS[args.scale]
    reset(rows)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
        tmp.write(ledger_bytes(rows))
    try:
        bare = min(bare_read_seconds(tmp.name) for _ in range(2))
        timings = _run_child(tmp.name, args)
    finally:
        os.unlink(tmp.name)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(_results(rows, bare, timings, peak_mb), ensure_ascii=False, indent=2))
    return 0


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def _run_child(path: str, args) -> dict:
    command = [sys.executable, str(HERE), "--scale", args.scale, "--database-url"]
    command += [args.database_url, "--child", path]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _results(rows: int, bare: float, timings: dict, peak_mb: float) -> list[dict]:
    seconds = timings["import"]
    counts = timings["import_counts"]
    assert counts["certificates_created"] == rows, counts
    assert timings["reimport_counts"]["unchanged"] == rows, timings["reimport_counts"]
    scale = f"ledger_import_{rows // 1000}k"
    return [
        result_row(f"{scale}_s", seconds, "s", TARGET_S, bare, seconds / bare, seconds < TARGET_S),
        result_row(
            f"{scale}_rows_per_s",
            rows / seconds,
            "rows/s",
            rows / TARGET_S,
            None,
            None,
            rows / seconds > rows / TARGET_S,
        ),
        result_row(f"{scale}_peak_mb", peak_mb, "MB", TARGET_MB, None, None, peak_mb < TARGET_MB),
        result_row(
            f"{scale}_reimport_s",
            timings["reimport"],
            "s",
            TARGET_S,
            bare,
            timings["reimport"] / bare,
            timings["reimport"] < TARGET_S,
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
