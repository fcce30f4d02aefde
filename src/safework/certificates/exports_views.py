"""List exports (issue 3): the people and certificate lists, with the filters currently
set on the page (the same form parses them), as .xlsx downloads."""

from __future__ import annotations

import os

from django.http import FileResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from safework.core.access import organizations_visible
from safework.core.clock import today
from safework.core.models import Organization
from safework.core.views import actor_for, page
from safework.people.forms import PersonFilterForm

from .exports import certificates_export_xlsx, people_export_xlsx
from .forms import CertificateFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(path: str, stem: str) -> FileResponse:
    name = f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(_open_unlinked(path), as_attachment=True, filename=name, content_type=XLSX)


def _full_ids(request) -> bool:
    return request.GET.get("full_id") == "1"


@page
@require_GET
def people_export(request):
    actor = actor_for(request)
    filters = PersonFilterForm(request.GET, actor=actor).filters()
    path, _count = people_export_xlsx(
        actor=actor, on=today(), filters=filters, full_ids=_full_ids(request)
    )
    return _download(path, "人员名单")


@page
@require_GET
def certificates_export(request):
    actor = actor_for(request)
    organizations = organizations_visible(Organization.objects.all(), actor)
    filters = CertificateFilterForm(request.GET, organizations=organizations).filters()
    path, _count = certificates_export_xlsx(
        actor=actor, on=today(), filters=filters, full_ids=_full_ids(request)
    )
    return _download(path, "证书清单")


def _open_unlinked(path: str):
    """The open file; its name is removed at once, so the temporary file disappears when
    the response has been streamed and closed."""
    fh = open(path, "rb")  # noqa: SIM115
    os.unlink(path)
    return fh
