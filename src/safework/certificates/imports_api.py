"""Ledger import endpoint (issue 3): ``POST /imports/ledger`` with a multipart ``file``
(.xlsx or .csv) and ``dry_run``; ``GET /imports/ledger/{id}`` for a recorded import.

A dry run answers 200 with what would happen; a commit answers 201, or 422 with every row
error when the file has any (and then nothing was written)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from safework.core.access import organizations_visible
from safework.core.api import ErrorOut, LocalDateTime, answers, resolve_ref
from safework.core.auth import actor_of
from safework.core.models import Organization
from safework.core.uploads import read_limited

from .ledger import reader
from .ledger.services import ledger_import_file, ledger_import_list
from .models import LedgerImport

router = Router(tags=["imports"])


class RowErrorOut(Schema):
    sheet: str
    row: int = Field(description="Row number as Excel shows it.")
    column: str = Field(description="The column's title in the ledger.")
    message: str


class ColumnOut(Schema):
    sheet: str
    column: str


class LedgerImportOut(Schema):
    id: int
    state: str = Field(description="preview (dry run), committed, or refused (errors).")
    dry_run: bool
    committed: bool
    created: int = Field(description="Rows that create a person or a certificate.")
    updated: int = Field(description="Rows that change an existing person or certificate.")
    unchanged: int = Field(description="Rows already in the register as they are.")
    rows: int
    empty_rows: int
    people_created: int
    people_updated: int
    certificates_created: int
    certificates_updated: int
    errors: list[RowErrorOut]
    unmapped_columns: list[ColumnOut] = Field(description="Columns not recognised: not imported.")
    sheets: list[str]
    skipped_sheets: list[str] = Field(description="Sheets without a recognisable header.")
    file_name: str
    file_sha256: str
    created_at: LocalDateTime
    error_report_url: str | None
    message: str = ""


def _out(record: LedgerImport) -> dict:
    c = record.counts
    keys = ("created", "updated", "unchanged", "rows", "empty_rows", "people_created")
    more = ("people_updated", "certificates_created", "certificates_updated")
    return {
        "id": record.pk,
        "state": record.state,
        "dry_run": record.state == LedgerImport.State.PREVIEW,
        "committed": record.state == LedgerImport.State.COMMITTED,
        **{k: c.get(k, 0) for k in (*keys, *more)},
        "errors": record.errors,
        "unmapped_columns": record.unmapped_columns,
        "sheets": c.get("sheets", []),
        "skipped_sheets": c.get("skipped_sheets", []),
        "file_name": record.file_name,
        "file_sha256": record.file_sha256,
        "created_at": record.created_at,
        "error_report_url": (
            reverse("certificates:import_errors", args=[record.pk]) if record.errors else None
        ),
        "message": _refused_message(record) if record.state == LedgerImport.State.REFUSED else "",
    }


def _refused_message(record: LedgerImport) -> str:
    return _("Nothing was imported: %(n)d errors in the file.") % {"n": record.counts["errors"]}


@router.post(
    "/imports/ledger",
    response={200: LedgerImportOut, 201: LedgerImportOut, 422: LedgerImportOut}
    | {(400, 401, 403, 404, 409): ErrorOut},
    summary="Import a ledger (.xlsx or .csv)",
    description="Multipart: `file`, `dry_run` (true: only check and count), optional "
    "`organization_id` for rows without an organization. All-or-nothing: with any row "
    "error nothing is written (422, every error listed with sheet, row and column).",
)
def import_ledger(
    request,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    organization_id: Form[int | None] = None,
):
    actor = actor_of(request)
    visible = organizations_visible(Organization.objects.all(), actor)
    organization = resolve_ref(visible, organization_id, "organization_id")
    data = read_limited(file, reader.MAX_BYTES, "file")
    record = ledger_import_file(
        actor=actor,
        data=data,
        file_name=file.name or "",
        organization=organization,
        dry_run=dry_run,
    )
    if record.state == LedgerImport.State.COMMITTED:
        return Status(201, _out(record))
    if record.state == LedgerImport.State.REFUSED:
        return Status(422, _out(record))
    return _out(record)


@router.get(
    "/imports/ledger/{int:import_id}",
    response=answers(LedgerImportOut),
    summary="One recorded import",
)
def get_import(request, import_id: int):
    return _out(ledger_import_list(actor=actor_of(request)).get(pk=import_id))
