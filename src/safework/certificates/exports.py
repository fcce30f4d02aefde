"""Export of the people and certificate lists to .xlsx (issue 3): the list's own selector
with the current filters (so scoping is the list's), Chinese headers, masked ID numbers;
full ones only for roles allowed to see them and only when asked, and every export is
recorded in the audit trail (with the filters, the row count, and whether full ID numbers
were included). Written row by row by openpyxl's write-only mode: constant memory."""

from __future__ import annotations

import tempfile
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from safework.audit.services import audit_record
from safework.core.actors import Actor
from safework.core.errors import NotAllowed
from safework.people.selectors import person_list

from . import numbers
from .choices import Status
from .selectors import certificate_list
from .templatetags.certificate_tags import cert_number

CHUNK = 2000
_BOLD = Font(bold=True)


def _check_full_ids(actor: Actor, full_ids: bool) -> None:
    if full_ids and not actor.can_view_full_id:
        raise NotAllowed(_("Your role may not see full ID numbers."))


def _workbook(title: str, headers: list[str]):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _BOLD
        cells.append(cell)
    ws.append(cells)
    return wb, ws


def _save(wb) -> str:
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    wb.save(tmp.name)
    return tmp.name


def _record(actor: Actor, kind: str, count: int, filters: dict, full_ids: bool) -> None:
    audit_record(
        actor=actor,
        action="export",
        object_type=kind,
        object_repr=_("List export"),
        changes={"rows": count, "filters": filters, "full_id_numbers": full_ids},
    )


def people_export_xlsx(*, actor: Actor, on: date, filters: dict, full_ids: bool = False):
    """(path of the .xlsx, number of people) for ``person_list(**filters)``."""
    _check_full_ids(actor, full_ids)
    wb, ws = _workbook(
        _("People"),
        [
            _("Full name"),
            _("Sex"),
            _("ID number"),
            _("Birth date"),
            _("Organization"),
            _("Mobile phone"),
            _("Employment state"),
            _("Special operations"),
            _("Job title"),
        ],
    )
    qs = person_list(actor=actor, on=on, **filters).prefetch_related("special_operations")
    count = 0
    for p in qs.iterator(chunk_size=CHUNK):
        items = "、".join(f"{t.name}({t.code})" for t in p.special_operations.all())
        ws.append(
            [
                p.name,
                p.get_sex_display(),
                p.full_id_number() if full_ids else p.id_number_masked,
                p.birth_date,
                p.organization.name,
                p.phone,
                p.get_employment_state_display(),
                items,
                p.job_title,
            ]
        )
        count += 1
    path = _save(wb)
    _record(actor, "people.person", count, filters, full_ids)
    return path, count


def certificates_export_xlsx(*, actor: Actor, on: date, filters: dict, full_ids: bool = False):
    """(path of the .xlsx, number of certificates) for ``certificate_list(**filters)``."""
    _check_full_ids(actor, full_ids)
    wb, ws = _workbook(
        _("Certificates"),
        [
            _("Full name"),
            _("ID number"),
            _("Organization"),
            _("Operation category"),
            _("Operation item"),
            _("Item code"),
            _("Certificate number"),
            _("Issuing authority"),
            _("First issued on"),
            _("Valid from"),
            _("Valid until"),
            _("Next review due"),
            _("Status"),
        ],
    )
    count = 0
    for c in certificate_list(actor=actor, on=on, **filters).iterator(chunk_size=CHUNK):
        ws.append(_certificate_row(c, full_ids))
        count += 1
    path = _save(wb)
    _record(actor, "certificates.certificate", count, filters, full_ids)
    return path, count


def _certificate_row(c, full_ids: bool) -> list:
    person = c.person
    return [
        person.name,
        person.full_id_number() if full_ids else person.id_number_masked,
        person.organization.name,
        c.type.category_name,
        c.type.name,
        c.type.code,
        numbers.full_number(c) if full_ids else cert_number(c.number),
        c.issued_by,
        c.first_issued_on,
        c.valid_from,
        c.valid_until,
        c.next_review_due,
        str(Status(c.status).label),
    ]
