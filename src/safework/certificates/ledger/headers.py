"""Finding the header row of a ledger sheet and mapping its columns to fields.

Ledgers start with a title row (often merged across the sheet), sometimes a date line,
then the header; a header may span two rows where a merged "有效期" cell sits above "起" and
"至". Header texts vary ("身份证号码（18位）", "有效期至\n(年月日)"): they are normalised before
lookup. Columns that map to nothing are reported, never silently dropped."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .values import compact, is_blank

# Canonical field -> the header texts seen in ledgers (normalised form, see ``normalize``).
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "持证人", "持证人姓名", "作业人员姓名", "员工姓名"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "身份证",
        "公民身份号码",
        "身份证件号码",
        "身份证件号",
    ),
    "sex": ("性别",),
    "organization": (
        "单位",
        "所属单位",
        "工作单位",
        "单位名称",
        "所在单位",
        "公司",
        "所属公司",
        "用工单位",
        "施工单位",
    ),
    "category": ("作业类别", "工种类别", "类别", "作业类型", "种类"),
    "item": (
        "准操项目",
        "操作项目",
        "作业项目",
        "准操作项目",
        "工种",
        "证书类型",
        "资格项目",
        "作业项目名称",
        "项目",
    ),
    "number": ("证号", "证书编号", "证书号", "证书号码", "操作证号", "证件编号", "操作证编号"),
    "issued_by": ("发证机关", "发证单位", "发证部门", "签发机关", "发证机构"),
    "first_issued_on": ("初领日期", "初次领证日期", "初领证日期", "初次发证日期", "领证日期"),
    "valid_from": (
        "有效期起",
        "有效期开始",
        "有效期自",
        "有效期起始",
        "有效起始日期",
        "有效期开始日期",
        "有效期起始日期",
        "有效期开始时间",
        "起始日期",
    ),
    "valid_until": (
        "有效期至",
        "有效期止",
        "有效期截止",
        "有效期结束",
        "有效期终止",
        "有效期截止日期",
        "有效期结束日期",
        "有效期至日期",
        "截止日期",
        "到期日期",
        "到期时间",
        "有效期限至",
    ),
    "validity": ("有效期", "有效期限", "有效日期", "证书有效期"),
    "next_review_due": (
        "复审日期",
        "下次复审日期",
        "应复审日期",
        "复审时间",
        "下次复审时间",
        "应复审时间",
        "复审到期日期",
    ),
    "phone": ("手机", "联系电话", "手机号", "手机号码", "电话", "联系方式", "电话号码"),
}
_LOOKUP = {h: f for f, headers in FIELD_HEADERS.items() for h in headers}
# Under a merged parent cell: "有效期" above "起" / "至".
_CHILD_SUFFIXES = ("起", "至", "止", "开始", "截止", "结束", "起始", "终止")
MIN_HEADER_FIELDS = 3
HEADER_SEARCH_ROWS = 30


def normalize(raw) -> str:
    """Header text for lookup: NFKC, no whitespace, no parenthesised notes, no marks."""
    value = unicodedata.normalize("NFKC", str(raw or ""))
    value = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", value)
    return re.sub(r"[\s*:：#、/]+", "", value)


def field_of(raw) -> str | None:
    return _LOOKUP.get(normalize(raw))


@dataclass
class HeaderMap:
    """Where the header is and what each column holds (0-based column -> field)."""

    header_rows: list[int]  # 1-based row numbers of the header (one or two rows)
    columns: dict[int, str]
    labels: dict[int, str]  # column -> header text as written (for messages)
    unmapped: list[str] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    def fields(self) -> set[str]:
        return set(self.columns.values())


def _mapped(cells: list) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        name = field_of(cell)
        if name and name not in found.values():
            found[i] = name
    return found


def is_header(cells: list) -> bool:
    fields = set(_mapped(cells).values())
    return len(fields) >= MIN_HEADER_FIELDS and bool(fields & {"name", "id_number"})


def detect(rows: list[tuple[int, list]]) -> HeaderMap | None:
    """The header among the first rows of a sheet ((row number, cells) pairs), or None."""
    for index, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not is_header(cells):
            continue
        below = rows[index + 1] if index + 1 < len(rows) else None
        return _build(number, cells, below)
    return None


def _build(number: int, cells: list, below: tuple[int, list] | None) -> HeaderMap:
    labels = {i: compact(c) for i, c in enumerate(cells) if not is_blank(c)}
    sub = _sub_header(cells, below[1]) if below else {}
    header_rows = [number, below[0]] if sub else [number]
    for i, label in sub.items():
        labels[i] = label
    columns: dict[int, str] = {}
    for i, label in sorted(labels.items()):
        name = field_of(label)
        if name and name not in columns.values():
            columns[i] = name
    unmapped = [labels[i] for i in sorted(labels) if i not in columns]
    return HeaderMap(header_rows, columns, labels, unmapped)


def _sub_header(header: list, below: list) -> dict[int, str]:
    """Columns of a second header row under merged parents ("有效期" / "起", "至"): the
    combined labels, or {} when the row is data."""
    combined: dict[int, str] = {}
    parent = ""
    for i in range(max(len(header), len(below))):
        top = header[i] if i < len(header) else None
        parent = compact(top) if not is_blank(top) else parent
        child = compact(below[i]) if i < len(below) else ""
        if not child:
            continue
        if field_of(child) and not is_blank(top):
            combined[i] = child  # a full header text under its own (merged) title
        elif child in _CHILD_SUFFIXES or field_of(parent + child):
            combined[i] = parent + child
        else:
            return {}
    return combined if any(field_of(v) for v in combined.values()) else {}
