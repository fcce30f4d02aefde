"""One ledger sheet -> parsed rows and row errors. Every problem names the sheet, the row
number as Excel shows it, and the column as the ledger titles it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safework.core.idnumbers import InvalidIdentifier, ResidentId, parse_id_number

from . import headers as hdr
from .items import ItemMatchError
from .reader import SheetRows
from .values import (
    CellError,
    compact,
    id_number_text,
    is_blank,
    number_text,
    parse_date,
    parse_date_range,
    parse_optional_date,
    phone_text,
    text,
)

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "id_number": gettext_lazy("ID number"),
    "sex": gettext_lazy("Sex"),
    "organization": gettext_lazy("Organization"),
    "category": gettext_lazy("Operation category"),
    "item": gettext_lazy("Operation item"),
    "number": gettext_lazy("Certificate number"),
    "issued_by": gettext_lazy("Issuing authority"),
    "first_issued_on": gettext_lazy("First issued on"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_until": gettext_lazy("Valid until"),
    "validity": gettext_lazy("Validity period"),
    "next_review_due": gettext_lazy("Next review due"),
    "phone": gettext_lazy("Mobile phone"),
}
CERTIFICATE_FIELDS = ("item", "number", "issued_by", "first_issued_on", "valid_from", "valid_until")
SEXES = {"男": "M", "女": "F", "M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}


@dataclass(slots=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(slots=True)
class LedgerRow:
    sheet: str
    row: int
    name: str = ""
    resident: ResidentId | None = None
    organization: str = ""
    phone: str = ""
    category: str = ""
    ctype: object | None = None  # CertificateType; None for a person-only row
    number: str = ""
    issued_by: str = ""
    first_issued_on: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    next_review_due: date | None = None
    review_given: bool = False  # the ledger says the due date (or that none is due)
    labels: dict = field(default_factory=dict)  # field -> column title, for messages

    @property
    def has_certificate(self) -> bool:
        return self.ctype is not None


@dataclass
class SheetResult:
    name: str
    header: hdr.HeaderMap | None
    rows: list[LedgerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    empty_rows: int = 0
    title_rows: list[tuple[int, list]] = field(default_factory=list)


def label(header: hdr.HeaderMap, name: str) -> str:
    for column, f in header.columns.items():
        if f == name:
            return header.labels[column]
    return str(FIELD_LABELS[name])


def read_sheet(sheet: SheetRows, matcher) -> SheetResult:
    """Detect the header, then parse every row below it (streamed)."""
    head: list[tuple[int, list]] = []
    for item in sheet.rows:
        head.append(item)
        if len(head) >= hdr.HEADER_SEARCH_ROWS:
            break
    header = hdr.detect(head)
    result = SheetResult(sheet.name, header)
    if header is None:
        return result
    result.title_rows = [r for r in head if r[0] < header.first_data_row]
    _check_columns(result, header)
    parser = _RowParser(sheet.name, header, matcher)
    for number, cells in _chain(head, sheet.rows):
        if number < header.first_data_row:
            continue
        parser.parse(number, cells, result)
    return result


def _chain(head, rest):
    yield from head
    yield from rest


def _check_columns(result: SheetResult, header: hdr.HeaderMap) -> None:
    fields = header.fields()
    missing = [f for f in ("name", "id_number") if f not in fields]
    if fields & {"item", "number"}:
        if "validity" in fields:
            fields |= {"valid_from", "valid_until"}
        missing += [f for f in CERTIFICATE_FIELDS if f not in fields]
    for f in missing:
        result.errors.append(
            RowError(
                result.name,
                header.header_rows[0],
                str(FIELD_LABELS[f]),
                _("The sheet has no column for this; add it (see the import template)."),
            )
        )


class _RowParser:
    def __init__(self, sheet: str, header: hdr.HeaderMap, matcher) -> None:
        self.sheet, self.header, self.matcher = sheet, header, matcher
        self.labels = {f: label(header, f) for f in FIELD_LABELS}
        self.present = header.fields() | (
            {"valid_from", "valid_until"} if "validity" in header.fields() else set()
        )

    def parse(self, number: int, cells: list, result: SheetResult) -> None:
        values = {f: cells[c] if c < len(cells) else None for c, f in self.header.columns.items()}
        if all(is_blank(c) for c in cells):
            result.empty_rows += 1
            return
        row = LedgerRow(self.sheet, number, labels=self.labels)
        errors: list[RowError] = []

        def fail(f: str, message: str) -> None:
            if f not in self.present and f not in ("name", "id_number"):
                return  # the missing column is reported once for the sheet
            errors.append(RowError(self.sheet, number, self.labels[f], message))

        self._person(values, row, fail)
        if any(not is_blank(values.get(f)) for f in ("item", "number", "validity", "valid_until")):
            self._certificate(values, row, fail)
        result.errors.extend(errors)
        if not errors:
            result.rows.append(row)

    def _person(self, values: dict, row: LedgerRow, fail) -> None:
        row.name = text(values.get("name"))
        if not row.name:
            fail("name", _("The name is empty; every row needs the person's name."))
        elif len(row.name) > 100:
            fail("name", _("The name is too long (at most 100 characters)."))
        try:
            row.resident = parse_id_number(id_number_text(values.get("id_number")))
        except CellError as exc:
            fail("id_number", exc.message)
        except InvalidIdentifier as exc:
            fail("id_number", str(exc.message))
        self._sex(values.get("sex"), row, fail)
        row.organization = text(values.get("organization"))
        row.phone = phone_text(values.get("phone"))

    def _sex(self, raw, row: LedgerRow, fail) -> None:
        sex = SEXES.get(compact(raw).upper())
        if is_blank(raw) or row.resident is None:
            return
        if sex is None:
            fail("sex", _("Write the sex as 男 or 女."))
        elif sex != row.resident.sex:
            fail("sex", _("The sex does not match the ID number; check the ID number."))

    def _certificate(self, values: dict, row: LedgerRow, fail) -> None:
        row.category = text(values.get("category"))
        try:
            row.ctype = self.matcher.match(values.get("item"), row.category)
        except ItemMatchError as exc:
            fail("item", exc.message)
        try:
            row.number = number_text(values.get("number"))
        except CellError as exc:
            fail("number", exc.message)
        else:
            if not row.number:
                fail("number", _("The certificate number is empty."))
        row.issued_by = text(values.get("issued_by"))
        if not row.issued_by:
            fail("issued_by", _("The issuing authority is empty."))
        self._dates(values, row, fail)

    def _dates(self, values: dict, row: LedgerRow, fail) -> None:
        row.first_issued_on = _date(values, "first_issued_on", fail)
        if not is_blank(values.get("validity")) and is_blank(values.get("valid_until")):
            try:
                row.valid_from, row.valid_until = parse_date_range(values["validity"])
            except CellError as exc:
                fail("validity", exc.message)
        else:
            row.valid_from = _date(values, "valid_from", fail)
            row.valid_until = _date(values, "valid_until", fail)
        if "next_review_due" in values:
            try:
                row.next_review_due, explicit_none = parse_optional_date(values["next_review_due"])
            except CellError as exc:
                fail("next_review_due", exc.message)
            else:
                row.review_given = row.next_review_due is not None or explicit_none


def _date(values: dict, name: str, fail) -> date | None:
    raw = values.get(name)
    if is_blank(raw):
        fail(name, _("The date is empty."))
        return None
    try:
        return parse_date(raw)
    except CellError as exc:
        fail(name, exc.message)
        return None
