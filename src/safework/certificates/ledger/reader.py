"""Reading a ledger file row by row: .xlsx (every sheet, streamed by openpyxl's read-only
mode) and .csv (UTF-8 with or without BOM, GBK/GB18030, detected by trying them in that
order). Limits: at most MAX_BYTES and MAX_ROWS rows, refused with a clear message."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from safework.core.uploads import classify

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# UTF-8 first (a BOM is skipped by utf-8-sig); GB18030 is a superset of GBK and GB2312,
# which Excel on a Chinese Windows writes.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class LedgerFileError(ValueError):
    """The file as a whole cannot be imported (type, size, encoding, row count)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SheetRows:
    name: str
    rows: Iterator[tuple[int, list]]  # (1-based row number, cell values)


def file_kind(data: bytes) -> str:
    """ "xlsx" or "csv"; anything else is refused with what to do instead."""
    if len(data) > MAX_BYTES:
        raise LedgerFileError(too_big_message())
    kind = classify(data)
    if kind == "xlsx":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise LedgerFileError(
            _("This is an old .xls workbook; open it in Excel or WPS and save it as .xlsx.")
        )
    if kind != "unknown" or b"\x00" in data[:65536]:
        raise LedgerFileError(_("The file is neither an .xlsx workbook nor a .csv text file."))
    return "csv"


def too_big_message() -> str:
    return _("The file is larger than %(mb)d MB; split the ledger into several files.") % {
        "mb": MAX_BYTES // (1024 * 1024)
    }


def too_many_rows_message() -> str:
    return _("The file has more than %(rows)s rows; split the ledger into several files.") % {
        "rows": f"{MAX_ROWS:,}"
    }


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(
        _("The CSV file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV.")
    )


def sheets(data: bytes, *, csv_name: str = "CSV") -> Iterator[SheetRows]:
    """Every sheet of the file with its rows, counted against MAX_ROWS as they stream."""
    counter = _RowCounter()
    if file_kind(data) == "csv":
        yield SheetRows(csv_name, counter.wrap(_csv_rows(decode_csv(data))))
        return
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise LedgerFileError(_("The workbook cannot be read; save it again as .xlsx.")) from None
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # some writers store a wrong sheet size; read every row
            yield SheetRows(ws.title, counter.wrap(_xlsx_rows(ws)))
    finally:
        wb.close()


def _xlsx_rows(ws) -> Iterator[tuple[int, list]]:
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        yield number, list(values)


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


class _RowCounter:
    def __init__(self) -> None:
        self.count = 0

    def wrap(self, rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
        for item in rows:
            self.count += 1
            if self.count > MAX_ROWS:
                raise LedgerFileError(too_many_rows_message())
            yield item
