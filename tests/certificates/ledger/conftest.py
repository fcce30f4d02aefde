"""Ledger files as enterprises bring them, built with openpyxl in the test: a merged title
row, a date line, a header (sometimes two rows with a merged 有效期), several sheets, date
cells, serial numbers, IDs that Excel turned into numbers; and CSVs in each encoding."""

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook

from safework.core.choices import OrganizationKind
from tests.factories import OrganizationFactory, make_id_number

HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "所属单位",
    "作业类别",
    "准操项目",
    "证书编号",
    "发证机关",
    "初领日期",
    "有效期起",
    "有效期至",
    "复审日期",
    "联系电话",
]


SEQ_BASE = 40_000  # far from the factories' sequence numbers: no accidental duplicates


def id_no(seq: int) -> str:
    return make_id_number(SEQ_BASE + seq)


def row(seq: int, org: str = "甲建设公司", **over) -> list:
    """One ledger row: a welder (MEM-2.1) whose certificate number is their ID number."""
    values = {
        "序号": seq,
        "姓名": f"工人{seq}",
        "性别": "男",
        "身份证号码": id_no(seq),
        "所属单位": org,
        "作业类别": "焊接与热切割作业",
        "准操项目": "熔化焊接与热切割作业",
        "证书编号": f"T{id_no(seq)}",
        "发证机关": "上海市应急管理局",
        "初领日期": date(2020, 3, 1),
        "有效期起": date(2024, 3, 1),
        "有效期至": date(2030, 3, 1),
        "复审日期": date(2027, 3, 1),
        "联系电话": f"139{seq:08d}",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def xlsx(sheets: dict, *, title: str | None = "2025年特种作业人员台账") -> bytes:
    """``sheets``: name -> rows (below a merged title row and a date line)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
            ws.append(["制表日期：2025年6月1日"])
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger(*rows: list, **kw) -> bytes:
    return xlsx({"特种作业人员": [HEADER, *rows]}, **kw)


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([[("" if v is None else str(v)) for v in r] for r in rows])
    return out.getvalue().encode(encoding)


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="甲建设公司", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="乙安装公司", kind=OrganizationKind.CONTRACTOR)
