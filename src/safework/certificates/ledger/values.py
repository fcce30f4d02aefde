"""Cell values as people type them into ledgers: dates in every common form, Excel date
cells and serial numbers, full-width digits; ID numbers that Excel turned into numbers.

Pure functions; a value that cannot be read raises ``CellError`` with a message for the
person fixing the ledger."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

# Excel's day 0 is 1899-12-30 (the 1900 leap-year bug makes serials from March 1900 on
# count from there). Serials outside 1950..2099 are not certificate dates.
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 18264, 73050  # 1950-01-01 .. 2099-12-31
# Excel keeps 15 significant digits: an 18-digit ID number typed into a number cell has
# lost its last digits, and nothing can bring them back.
EXCEL_DIGITS = 15

_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$")
_DATE_IN_TEXT = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|(?<!\d)\d{8}(?!\d)")
_TIME_SUFFIX = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# A review column saying "none due" (SAMR certificates are reviewed at renewal).
NO_DATE_WORDS = frozenset(
    {"无", "不需要", "无需", "免复审", "不复审", "/", "-", "—", "——", "无需复审"}
)


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    """A cell as text: full-width characters as ASCII (NFKC), spaces trimmed, whole
    numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    # NFKC leaves ASCII as it is; a ledger's cells are mostly ASCII (numbers, dates).
    return (value if value.isascii() else unicodedata.normalize("NFKC", value)).strip()


def compact(value) -> str:
    """``text`` without any whitespace inside (ID numbers, dates, codes)."""
    return "".join(text(value).split())


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        # NFKC maps whitespace to whitespace and nothing else to it.
        return not value.strip()
    return compact(value) == ""


def parse_date(value) -> date:
    """2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, an Excel date cell or an
    Excel serial number (45717), full-width digits and spaces anywhere."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_number(value)
    raw = compact(_TIME_SUFFIX.sub("", text(value)))
    # ASCII digits only: str.isdigit() also says yes to digits int() cannot read.
    if raw.isascii() and raw.isdigit() and len(raw) == 5:
        return _from_serial(int(raw))
    m = _DATE.match(raw)
    if not m:
        raise CellError(
            _("“%(value)s” is not a date; write it as 2025-03-01, 2025/3/1 or 2025年3月1日.")
            % {"value": text(value)[:40]}
        )
    year, month, day = m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5)
    return _make_date(int(year), int(month), int(day), text(value))


def _from_number(value: float) -> date:
    if not math.isfinite(value):
        raise _out_of_range(value)
    if float(value).is_integer() and 19000101 <= value <= 20991231:
        digits = str(int(value))
        return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), digits)
    return _from_serial(int(value))


def _from_serial(serial: int) -> date:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        raise _out_of_range(serial)
    return EXCEL_EPOCH + timedelta(days=serial)


def _out_of_range(value) -> CellError:
    return CellError(
        _("The number %(value)s is not a date (as an Excel date number it is out of range).")
        % {"value": value}
    )


def _make_date(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("The date “%(value)s” does not exist.") % {"value": shown[:40]}) from None


def parse_optional_date(value) -> tuple[date | None, bool]:
    """(date, explicit_none): an empty cell is (None, False) - "not given"; a cell saying
    "无" or "/" is (None, True) - "none due"."""
    if is_blank(value):
        return None, False
    if compact(value) in NO_DATE_WORDS:
        return None, True
    return parse_date(value), False


def parse_date_range(value) -> tuple[date, date]:
    """A single validity cell: 2021.03.01-2027.03.01, 2021年3月1日至2027年3月1日,
    2021-03-01~2027-03-01, 20210301-20270301."""
    found = _DATE_IN_TEXT.findall(compact(value))
    if len(found) != 2:
        raise CellError(
            _(
                "“%(value)s” is not a validity period; write it as 2021.03.01-2027.03.01 or "
                "2021年3月1日至2027年3月1日."
            )
            % {"value": text(value)[:60]}
        )
    return parse_date(found[0]), parse_date(found[1])


def id_number_text(value) -> str:
    """The ID number cell as text. A number cell (Excel's default for digits) has kept
    only 15 significant digits: the number is unrecoverable from the file."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= 10 ** (EXCEL_DIGITS + 1) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise CellError(unrecoverable_message())
        return str(int(value))
    raw = compact(value).upper()
    if re.fullmatch(r"[0-9](\.[0-9]+)?E\+?[0-9]+", raw):
        raise CellError(unrecoverable_message())
    return raw


def unrecoverable_message() -> str:
    return _(
        "Excel stored this ID number as a number and lost its last digits "
        "(e.g. 1.10101E+17); it cannot be recovered from the file. Format the column as "
        "text and enter the full 18 characters again."
    )


def number_text(value) -> str:
    """A certificate number cell; like an ID number, a long one stored as a number by
    Excel has lost digits."""
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 10**EXCEL_DIGITS):
        raise CellError(
            _(
                "Excel stored this certificate number as a number and lost digits; "
                "format the column as text and enter it again."
            )
        )
    raw = compact(value).upper()
    if re.fullmatch(r"[0-9](\.[0-9]+)?E\+?[0-9]+", raw):
        raise CellError(
            _(
                "Excel stored this certificate number as a number and lost digits; "
                "format the column as text and enter it again."
            )
        )
    return raw


def phone_text(value) -> str:
    return compact(value)
