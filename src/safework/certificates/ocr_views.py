"""OCR intake pages: upload photos of a certificate, check and correct what was read on a
prefilled form, confirm; and the photos, served only to those who may see them."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from safework.core.access import certificates_visible, require_write
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, form_page, page

from .intake import intake_confirm, pending_scans, proposal, scans_upload
from .intake_forms import IntakeForm, PhotoUploadForm
from .models import Certificate, CertificateScan

FORM_FIELDS = (
    "name",
    "id_number",
    "number",
    "issued_by",
    "first_issued_on",
    "valid_from",
    "valid_until",
    "next_review_due",
)
LOW_CONFIDENCE = 0.85


@page
def ocr_upload(request):
    actor = actor_for(request)
    require_write(actor)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            scans = scans_upload(actor=actor, uploads=form.cleaned_data["photos"])
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            query = "&".join(f"scan={s.pk}" for s in scans)
            return redirect(reverse("certificates:ocr_confirm") + "?" + query)
    return render(request, "certificates/ocr/upload.html", {"form": form})


def _scan_ids(request) -> list[int]:
    raw = request.GET.getlist("scan") or request.POST.getlist("scan")
    return [int(v) for v in raw if v.isdigit() and len(v) < 18]


def _initial(fields: dict) -> dict:
    initial = {f: fields[f]["value"] for f in FORM_FIELDS if f in fields}
    if "item" in fields:
        initial["type"] = fields["item"]["value"]
    return initial


@page
def ocr_confirm(request):
    actor = actor_for(request)
    require_write(actor)
    scans = pending_scans(actor=actor, ids=_scan_ids(request))
    if not scans:
        raise Http404
    fields = proposal(scans)
    form = IntakeForm(request.POST or None, actor=actor, initial=_initial(fields))
    return form_page(
        request,
        form=form,
        save=lambda data: intake_confirm(actor=actor, scans=scans, **_service_data(form)),
        success=lambda cert: reverse("certificates:detail", args=[cert.pk]),
        template="certificates/ocr/confirm.html",
        context={"scans": scans, "fields": _shown(fields)},
        message=_("The certificate has been recorded with its photos."),
    )


def _service_data(form: IntakeForm) -> dict:
    """The certificate form's service data plus the holder's name, ID and organization."""
    return form.service_data()


def _shown(fields: dict) -> list[dict]:
    order = ("name", "sex", "id_number", "category", "item", "number", "issued_by")
    dates = ("first_issued_on", "valid_from", "valid_until", "next_review_due")
    return [
        {"name": f, **fields[f], "check": fields[f]["confidence"] < LOW_CONFIDENCE}
        for f in (*order, *dates)
        if f in fields
    ]


@page
@require_GET
def scan_image(request, pk: int):
    """A photo: to whoever may see its certificate, or to its uploader before that."""
    actor = actor_for(request)
    visible = certificates_visible(Certificate.objects.all(), actor).values("id")
    mine = Q(certificate__isnull=True, uploaded_by=request.user)
    scan = CertificateScan.objects.filter(Q(certificate__in=visible) | mine, pk=pk).first()
    if scan is None:
        raise Http404
    return safe_file_response(scan.file, "image/jpeg")
