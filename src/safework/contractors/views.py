"""Contractor pages for the owner and for contractor admins (the portal): the contractor
list, company registration, workers with their checklist, documents, admissions and
approvals, document review, checklists, briefing courses, 待复训 and attendance.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.access import require_owner_admin, require_write, sites_visible
from safework.core.choices import Role
from safework.core.clock import today
from safework.core.errors import ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.models import Site
from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, form_page, page, paginate, post_action

from . import selectors, services
from .choices import AdmissionState, DocumentKind
from .forms import (
    AdminAccountForm,
    CompanyForm,
    DocumentForm,
    ImportCommitForm,
    ImportForm,
    KindForm,
    ReleaseForm,
    ReviewForm,
    SiteChoiceForm,
    WorkerForm,
)
from .media import ranged_response
from .models import ContractorProfile, SiteAdmission


def _worker(actor, pk: int):
    try:
        return selectors.worker_get(actor=actor, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


# --- the contractor list and the portal -----------------------------------------------------


@page
def index(request):
    """The owner's contractor list; a contractor admin's portal home."""
    actor = actor_for(request)
    if actor.role == Role.CONTRACTOR_ADMIN:
        return redirect("contractors:portal")
    q = request.GET.get("q", "")
    rows = selectors.contractor_list(actor=actor, on=today(), q=q)
    return render(request, "contractors/index.html", {"rows": rows, "q": q})


@page
def portal(request):
    actor = actor_for(request)
    if actor.role != Role.CONTRACTOR_ADMIN:
        return redirect("contractors:index")
    if actor.organization_id is None:
        return redirect("contractors:register")
    from safework.approvals.selectors import approval_list

    context = {
        "organization": actor.profile.organization,
        "approvals": approval_list(actor=actor)[:20],
        "workers": selectors.worker_list(actor=actor, on=today())[:10],
        "rejected": selectors.documents_of_state(actor=actor, state="rejected")[:20],
    }
    return render(request, "contractors/portal.html", context)


def _company_initial(org) -> dict:
    if org is None:
        return {}
    profile = ContractorProfile.objects.filter(organization=org).first()
    fields = ("name", "credit_code", "contact_name", "contact_phone", "contact_email")
    extra = ("legal_representative", "safety_officer", "safety_officer_phone", "business_scope")
    return {f: getattr(org, f) for f in fields} | (
        {f: getattr(profile, f) for f in extra} if profile else {}
    )


@page
def register(request):
    actor = actor_for(request)
    org = actor.profile.organization if actor.profile else None
    return form_page(
        request,
        form=CompanyForm(request.POST or None, initial=_company_initial(org)),
        save=lambda data: services.contractor_register(actor=actor, **data),
        success=lambda org: reverse("contractors:portal"),
        template="contractors/register.html",
        message=_("Company registration saved."),
    )


@page
def admin_create(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    return form_page(
        request,
        form=AdminAccountForm(request.POST or None),
        save=lambda data: services.contractor_admin_create(actor=actor, **data),
        success=lambda user: reverse("contractors:index"),
        template="contractors/admin_form.html",
        message=_("The contractor admin can now sign in."),
    )


# --- workers ---------------------------------------------------------------------------------


@page
def workers(request):
    actor, on = actor_for(request), today()
    filters = {
        "q": request.GET.get("q", ""),
        "state": request.GET.get("state", ""),
        "organization_id": _int(request.GET.get("organization")),
        "site_id": _int(request.GET.get("site")),
    }
    page_obj = paginate(request, selectors.worker_list(actor=actor, on=on, **filters))
    rows = [{"worker": w, "reasons": selectors.worker_reasons(w, on)} for w in page_obj]
    context = {"page_obj": page_obj, "rows": rows, "filters": filters,
               "sites": sites_visible(Site.objects.filter(is_active=True), actor)}  # fmt: skip
    return render(request, "contractors/workers.html", context)


def _int(raw) -> int | None:
    try:
        return int(raw) if raw else None
    except (TypeError, ValueError):
        return None


@page
def worker_create(request):
    actor = actor_for(request)
    require_write(actor)
    initial = {"organization": actor.organization_id}
    form = WorkerForm(request.POST or None, actor=actor, initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.worker_register(actor=actor, **form.worker_data()),
        success=lambda worker: reverse("contractors:worker", args=[worker.pk]),
        template="contractors/worker_form.html",
        message=_("The worker has been registered."),
    )


def _worker_context(request, actor, worker, **forms) -> dict:
    on = today()
    admissions = selectors.admissions_of(worker)
    open_ = [a for a in admissions if a.state != AdmissionState.RELEASED]
    return {
        "worker": worker,
        "person": worker.person,
        "today": on,
        "reasons": selectors.worker_reasons(worker, on),
        "admissions": admissions,
        "checklists": [(a, services.checklist(worker, a.site_id, on)) for a in open_],
        "documents": selectors.documents_of(worker),
        "courses": selectors.courses_for_worker(worker),
        "passes": selectors.latest_passes(worker.person_id),
        "attendance": selectors.attendance_history(actor=actor, person=worker.person)[:30],
        "document_form": forms.get("document") or DocumentForm(),
        "site_form": forms.get("site") or SiteChoiceForm(actor=actor),
        "kind_form": KindForm(initial={"worker_kind": worker.worker_kind}),
        "release_form": forms.get("release") or ReleaseForm(),
        "review_form": ReviewForm(),
        "can_review": actor.role in (Role.SAFETY_MANAGER, Role.AREA_HEAD) and actor.can_write,
        "custom": DocumentKind.CUSTOM,
    }


@page
def worker_detail(request, pk: int):
    actor = actor_for(request)
    worker = _worker(actor, pk)
    return render(request, "contractors/worker.html", _worker_context(request, actor, worker))


def _worker_post(request, pk: int, form, key: str, call, message: str):
    actor = actor_for(request)
    worker = _worker(actor, pk)
    if form.is_valid():
        try:
            call(actor, worker, form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, message)
            return redirect("contractors:worker", pk=worker.pk)
    context = _worker_context(request, actor, worker, **{key: form})
    return render(request, "contractors/worker.html", context, status=422)


@page
@require_POST
def document_upload(request, pk: int):
    return _worker_post(
        request, pk, DocumentForm(request.POST, request.FILES), "document",
        lambda a, w, d: services.document_upload(
            actor=a, worker=w, kind=d["kind"], name=d["name"], upload=d["file"],
            valid_until=d["valid_until"], number=d["number"],
        ),
        _("Document uploaded; it awaits review."),
    )  # fmt: skip


@page
@require_POST
def assign(request, pk: int):
    actor = actor_for(request)
    return _worker_post(
        request, pk, SiteChoiceForm(request.POST, actor=actor), "site",
        lambda a, w, d: services.worker_assign_site(actor=a, worker=w, site=d["site"]),
        _("Assigned to the site; submit the admission when the checklist is complete."),
    )  # fmt: skip


@page
@require_POST
def set_kind(request, pk: int):
    return _worker_post(
        request, pk, KindForm(request.POST), "kind",
        lambda a, w, d: services.worker_set_kind(actor=a, worker=w, worker_kind=d["worker_kind"]),
        _("Saved."),
    )  # fmt: skip


@page
@require_POST
def release(request, pk: int):
    return _worker_post(
        request, pk, ReleaseForm(request.POST), "release",
        lambda a, w, d: services.worker_release(actor=a, worker=w, reason=d["reason"], site=d["site"]),
        _("The worker has been released."),
    )  # fmt: skip


@page
@require_POST
def admission_submit(request, pk: int):
    actor = actor_for(request)
    admission = SiteAdmission.objects.filter(pk=pk).first()
    if admission is None:
        raise Http404
    worker = _worker(actor, admission.worker_id)
    return post_action(
        request,
        call=lambda: services.admission_submit(actor=actor, admission=admission),
        done=reverse("contractors:worker", args=[worker.pk]),
        message=_("Submitted for approval."),
    )


# --- documents ------------------------------------------------------------------------------


def _document(actor, pk: int):
    try:
        return selectors.document_get(actor=actor, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


@page
def document_file(request, pk: int):
    document = _document(actor_for(request), pk)
    if not document.file:
        raise Http404
    return safe_file_response(document.file, document.content_type)


@page
@require_POST
def document_review(request, pk: int):
    actor = actor_for(request)
    document = _document(actor, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise Http404
    accept = form.cleaned_data["decision"] == "accept"
    return post_action(
        request,
        call=lambda: services.document_review(
            actor=actor, document=document, accept=accept, reason=form.cleaned_data["reason"]
        ),
        done=request.POST.get("next") or reverse("contractors:worker", args=[document.worker_id]),
        message=_("Document accepted.")
        if accept
        else _("Document rejected; the contractor is told why."),
    )


@page
def review(request):
    actor = actor_for(request)
    docs = selectors.documents_to_review(actor=actor).order_by("uploaded_at")
    context = {"page_obj": paginate(request, docs), "review_form": ReviewForm()}
    return render(request, "contractors/review.html", context)


@page
def video(request, pk: int):
    """The owner's preview of a course video (range requests)."""
    from .models import Course

    course = Course.objects.filter(pk=pk).exclude(video="").first()
    if course is None:
        raise Http404
    return ranged_response(request, course.video, course.video_type, course.video_size)


# --- workers by Excel (the ledger import) ------------------------------------------------------


@page
def worker_import(request):
    """Upload: the ledger import's dry run, shown with its counts and row errors."""
    from safework.certificates.ledger import reader
    from safework.certificates.ledger.services import check_importer, ledger_preview
    from safework.core.uploads import read_limited

    actor = actor_for(request)
    check_importer(actor)
    form = ImportForm(request.POST or None, request.FILES or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_limited(upload, reader.MAX_BYTES, "file")
            record = ledger_preview(actor=actor, data=data, file_name=upload.name,
                                    organization=form.cleaned_data["organization"])  # fmt: skip
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            return redirect("contractors:worker_import_preview", pk=record.pk)
    return render(request, "contractors/import.html", {"form": form})


def _ledger_import(actor, pk: int):
    from safework.certificates.ledger.services import ledger_import_list

    record = ledger_import_list(actor=actor).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


@page
def worker_import_preview(request, pk: int):
    actor = actor_for(request)
    record = _ledger_import(actor, pk)
    form = ImportCommitForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.workers_import(actor=actor, ledger_import=record, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            if record.state == "committed":
                messages.success(request, _("The workers have been imported."))
                return redirect(reverse("contractors:workers"))
    context = {"record": record, "form": form, "errors": record.errors[:500]}
    return render(request, "contractors/import.html", context)
