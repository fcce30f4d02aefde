"""A dashboard list as .xlsx: the list's own rows and columns (``lists.LISTS``), written
by the certificates' export helpers (write-only openpyxl, bold Chinese headers), ID
numbers masked, and recorded in the audit trail with the filter and the row count."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.certificates.exports import CHUNK, _save, _workbook

from .filters import DashboardFilter
from .lists import ListSpec


def _cell(value):
    if isinstance(value, (date, datetime, int, float)) or value is None:
        return value
    return str(value)


def list_export_xlsx(*, f: DashboardFilter, name: str, spec: ListSpec, params: dict):
    """(path of the .xlsx, number of rows)."""
    wb, ws = _workbook(spec.title(params), [str(c.header) for c in spec.columns])
    count = 0
    rows = spec.rows(f, params)
    if hasattr(rows, "iterator"):  # a queryset: in chunks (prefetches too, Django 5)
        rows = rows.iterator(chunk_size=CHUNK)
    for row in rows:
        if spec.prepare:
            spec.prepare(f, row)
        ws.append([_cell(c.value(row)) for c in spec.columns])
        count += 1
    path = _save(wb)
    audit_record(
        actor=f.actor,
        action="export",
        object_type=f"dashboard.{name}",
        object_repr=_("Dashboard list export"),
        changes={"rows": count, "filters": {**params, "query": f.query()}},
    )
    return path, count
