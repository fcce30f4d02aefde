"""Ledger import pages: upload (dry run first), the preview with counts and every row
error, the commit button, past imports, the error report and an empty template."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.uploads import read_limited
from safework.core.views import actor_for, page, paginate

from .intake_forms import LedgerUploadForm
from .ledger import reader
from .ledger.report import error_report, template_workbook
from .ledger.services import check_importer, ledger_commit, ledger_import_list, ledger_preview
from .models import LedgerImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_ON_PAGE = 500


def _import(actor, pk: int) -> LedgerImport:
    try:
        return ledger_import_list(actor=actor).get(pk=pk)
    except LedgerImport.DoesNotExist:
        raise Http404 from None


@page
def ledger_imports(request):
    actor = actor_for(request)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, actor=actor)
    if request.method == "POST":
        check_importer(actor)
        if form.is_valid():
            try:
                record = _preview(actor, form)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors)
            else:
                return redirect("certificates:import_detail", pk=record.pk)
    context = {"form": form, "page_obj": paginate(request, ledger_import_list(actor=actor))}
    return render(request, "certificates/imports/index.html", context)


def _preview(actor, form) -> LedgerImport:
    upload = form.cleaned_data["file"]
    data = read_limited(upload, reader.MAX_BYTES, "file")
    return ledger_preview(
        actor=actor,
        data=data,
        file_name=upload.name,
        organization=form.cleaned_data.get("organization"),
    )


@page
@require_GET
def ledger_import_detail(request, pk: int):
    record = _import(actor_for(request), pk)
    context = {
        "record": record,
        "errors": record.errors[:ERRORS_ON_PAGE],
        "more_errors": max(0, record.counts.get("errors", 0) - ERRORS_ON_PAGE),
        "can_commit": record.state == LedgerImport.State.PREVIEW and not record.errors,
    }
    return render(request, "certificates/imports/detail.html", context)


@page
@require_POST
def ledger_import_commit(request, pk: int):
    actor = actor_for(request)
    record = _import(actor, pk)
    try:
        record = ledger_commit(actor=actor, ledger_import=record)
    except ValidationFailed as exc:
        for message in exc.errors.values():
            messages.error(request, str(message))
    else:
        if record.state == LedgerImport.State.COMMITTED:
            messages.success(request, _("The ledger has been imported."))
        else:
            messages.error(request, _("Nothing was imported: the file has errors."))
    return redirect(reverse("certificates:import_detail", args=[record.pk]))


@page
@require_GET
def ledger_import_errors(request, pk: int):
    """The uploaded rows, full ID numbers included: for the uploader and for the roles
    allowed to see full ID numbers."""
    actor = actor_for(request)
    record = _import(actor, pk)
    if record.created_by_id != request.user.pk and not actor.can_view_full_id:
        raise PermissionDenied(_("Only the uploader or a safety manager may download the rows."))
    stem = record.file_name.rsplit(".", 1)[0]
    return _xlsx(error_report(record), f"{stem}-错误报告.xlsx")


@page
@require_GET
def ledger_template(request):
    return _xlsx(template_workbook(), "特种作业人员台账模板.xlsx")


def _xlsx(path: str, name: str) -> FileResponse:
    return FileResponse(_open_unlinked(path), as_attachment=True, filename=name, content_type=XLSX)


def _open_unlinked(path: str):
    """The open file; its name is removed at once, so the temporary file disappears when
    the response has been streamed and closed."""
    fh = open(path, "rb")  # noqa: SIM115
    os.unlink(path)
    return fh
