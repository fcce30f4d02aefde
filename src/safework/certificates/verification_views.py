"""Verification pages: record a manual check (with a screenshot), ask a configured source,
the safety manager's follow-up tasks (mismatches, not found), evidence files, and the
sources' settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safework.core.access import require_owner_admin, require_write
from safework.core.clock import today
from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, form_page, page, paginate

from .intake_forms import ManualVerificationForm, ResolveForm, VerificationSourceForm
from .models import Certificate, CertificateVerification, VerificationSource
from .services import certificate_for_actor
from .verification import services
from .verification.http import HttpVerifier
from .verification.selectors import follow_up_list, verification_queryset


def _certificate(actor, pk: int) -> Certificate:
    try:
        return certificate_for_actor(actor=actor, pk=pk)
    except Certificate.DoesNotExist:
        raise Http404 from None


def _detail(cert: Certificate) -> str:
    return reverse("certificates:detail", args=[cert.pk]) + "#verifications"


@page
def verification_manual(request, pk: int):
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    require_write(actor)
    form = ManualVerificationForm(
        request.POST or None, request.FILES or None, initial={"checked_on": today()}
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.verification_record_manual(
            actor=actor, certificate=cert, **data
        ),
        success=lambda record: _detail(cert),
        template="certificates/verification/manual.html",
        context={"cert": cert, "person": cert.person},
        message=_("The check has been recorded."),
    )


@page
@require_POST
def verification_provider(request, pk: int):
    actor = actor_for(request)
    cert = _certificate(actor, pk)
    source_id = request.POST.get("source", "")
    if not source_id.isdigit():
        raise Http404
    source = get_object_or_404(VerificationSource, pk=int(source_id), is_active=True)
    record = services.certificate_verify(
        actor=actor, certificate=cert, verifier=HttpVerifier(source)
    )
    level = (
        messages.SUCCESS
        if record.result == CertificateVerification.Result.MATCH
        else messages.WARNING
    )
    messages.add_message(request, level, record.get_result_display())
    return redirect(_detail(cert))


@page
def follow_ups(request):
    actor = actor_for(request)
    resolved = request.GET.get("resolved") == "1"
    page_obj = paginate(request, follow_up_list(actor=actor, resolved=resolved))
    context = {"page_obj": page_obj, "resolved": resolved, "form": ResolveForm()}
    return render(request, "certificates/verification/follow_ups.html", context)


@page
@require_POST
def follow_up_resolve(request, pk: int):
    actor = actor_for(request)
    record = get_object_or_404(verification_queryset(actor), pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        services.verification_resolve(actor=actor, verification=record, **form.cleaned_data)
        messages.success(request, _("Marked as resolved."))
    else:
        messages.error(request, _("Say what was done."))
    return redirect("certificates:verification_tasks")


@page
@require_GET
def verification_evidence(request, pk: int):
    record = get_object_or_404(verification_queryset(actor_for(request)), pk=pk)
    if not record.evidence:
        raise Http404
    return safe_file_response(record.evidence, record.evidence_type)


@page
@require_GET
def source_list(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    context = {"sources": VerificationSource.objects.all()}
    return render(request, "certificates/verification/sources.html", context)


@page
def source_edit(request, pk: int | None = None):
    actor = actor_for(request)
    require_owner_admin(actor)
    source = get_object_or_404(VerificationSource, pk=pk) if pk else None
    initial = (
        {f: getattr(source, f) for f in services.SOURCE_FIELDS}
        if source
        else {
            "timeout_seconds": 10,
            "requests_per_minute": 30,
            "is_active": True,
        }
    )
    return form_page(
        request,
        form=VerificationSourceForm(request.POST or None, initial=initial),
        save=lambda data: services.verification_source_save(actor=actor, source=source, **data),
        success=lambda s: reverse("certificates:verification_sources"),
        template="certificates/verification/source_form.html",
        context={"object": source},
    )
