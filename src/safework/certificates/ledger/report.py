"""The error report of an import: the ledger as uploaded, every sheet and row, with an
error column added in front (column A) holding the problems of each row, as .xlsx."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from ..models import LedgerImport
from . import headers as hdr
from . import reader, storage

_RED = PatternFill("solid", fgColor="FFF2CC")
_BOLD = Font(bold=True, color="C00000")


def error_report(ledger_import: LedgerImport) -> str:
    """Write the report to a temporary file and return its path."""
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for e in ledger_import.errors:
        by_row[(e["sheet"], e["row"])].append(f"{e['column']}: {e['message']}")
    data = storage.load(ledger_import.stored_file)
    wb = Workbook(write_only=True)
    for sheet in reader.sheets(data, csv_name=_csv_name(ledger_import)):
        ws = wb.create_sheet(sheet.name[:31])
        _copy(ws, sheet, by_row)
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    wb.save(tmp.name)
    return tmp.name


def _csv_name(ledger_import: LedgerImport) -> str:
    return ledger_import.file_name.rsplit(".", 1)[0] or "CSV"


def _copy(ws, sheet, by_row) -> None:
    head: list[tuple[int, list]] = []
    for number, cells in sheet.rows:
        if len(head) < hdr.HEADER_SEARCH_ROWS:
            head.append((number, cells))
            if len(head) < hdr.HEADER_SEARCH_ROWS:
                continue
            _flush(ws, sheet.name, head, by_row)
            continue
        ws.append([_error_cell(ws, by_row.get((sheet.name, number))), *map(_plain, cells)])
    if len(head) < hdr.HEADER_SEARCH_ROWS:
        _flush(ws, sheet.name, head, by_row)


def _flush(ws, name: str, head, by_row) -> None:
    header = hdr.detect(head)
    header_row = header.header_rows[0] if header else None
    for number, cells in head:
        if number == header_row:
            first = WriteOnlyCell(ws, value=str(_("Errors")))
            first.font = _BOLD
        else:
            first = _error_cell(ws, by_row.get((name, number)))
        ws.append([first, *map(_plain, cells)])


def _error_cell(ws, messages: list[str] | None):
    if not messages:
        return None
    cell = WriteOnlyCell(ws, value="\n".join(messages))
    cell.fill = _RED
    return cell


def _plain(value):
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def template_workbook() -> str:
    """An empty ledger with the usual Chinese headers, to fill in."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Ledger"))
    labels = ("name", "sex", "id_number", "organization", "category", "item", "number")
    rest = ("issued_by", "first_issued_on", "valid_from", "valid_until", "next_review_due")
    ws.append([hdr.FIELD_HEADERS[f][0] for f in (*labels, *rest, "phone")])
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    wb.save(tmp.name)
    return tmp.name
