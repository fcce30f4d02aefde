"""The owner's setup pages: admission checklists per site and kind of worker, briefing
courses with their media and question bank, 待复训 by category, and attendance."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.access import require_owner_admin, sites_visible
from safework.core.clock import today
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.forms import add_service_errors
from safework.core.idnumbers import normalize_id_number
from safework.core.models import Site
from safework.core.views import actor_for, form_page, page, post_action
from safework.people.models import Person

from . import selectors, services
from .forms import ChecklistItemForm, CourseForm, KioskForm, MediaForm, QuestionForm
from .models import ChecklistItem, ContractorWorker, Course, Question

# --- checklists --------------------------------------------------------------------------------


@page
def checklists(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_save(actor=actor, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("contractors:checklists")
    items = ChecklistItem.objects.select_related("site").order_by(
        "site__name", "worker_kind", "kind"
    )
    return render(request, "contractors/checklists.html", {"form": form, "items": items})


@page
@require_POST
def checklist_active(request, pk: int):
    actor = actor_for(request)
    item = ChecklistItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    active = request.POST.get("active") == "1"
    return post_action(
        request,
        call=lambda: services.checklist_item_save(actor=actor, item=item, is_active=active),
        done=reverse("contractors:checklists"),
        message=_("Saved."),
    )


# --- courses -----------------------------------------------------------------------------------


def _course(pk: int) -> Course:
    course = selectors.course_list().filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


@page
def courses(request):
    require_owner_admin(actor_for(request))
    return render(request, "contractors/courses.html", {"courses": selectors.course_list()})


@page
def course_create(request):
    actor = actor_for(request)
    require_owner_admin(actor)
    return form_page(
        request,
        form=CourseForm(request.POST or None),
        save=lambda data: services.course_save(actor=actor, **data),
        success=lambda course: reverse("contractors:course", args=[course.pk]),
        template="contractors/course_form.html",
    )


COURSE_INITIAL = ("title", "category", "site", "worker_kind", "text", "allow_skip", "pass_mark",
                  "questions_per_quiz", "max_attempts", "retrain_months", "required")  # fmt: skip


def _course_context(course, **forms) -> dict:
    return {
        "course": course,
        "form": forms.get("form")
        or CourseForm(initial={f: getattr(course, f) for f in COURSE_INITIAL}),
        "media_form": forms.get("media") or MediaForm(),
        "question_form": forms.get("question") or QuestionForm(),
        "questions": course.questions.prefetch_related("choices"),
    }


@page
def course_detail(request, pk: int):
    actor = actor_for(request)
    require_owner_admin(actor)
    course = _course(pk)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_save(actor=actor, course=course, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("contractors:course", pk=pk)
    context = _course_context(course, form=form if request.method == "POST" else None)
    return render(request, "contractors/course.html", context)


def _course_post(request, pk: int, form, key: str, call, message: str):
    actor = actor_for(request)
    require_owner_admin(actor)
    course = _course(pk)
    if form.is_valid():
        try:
            call(actor, course, form)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, message)
            return redirect("contractors:course", pk=pk)
    return render(
        request, "contractors/course.html", _course_context(course, **{key: form}), status=422
    )


@page
@require_POST
def course_media(request, pk: int):
    return _course_post(
        request, pk, MediaForm(request.POST, request.FILES), "media",
        lambda a, c, f: services.course_attach(
            actor=a, course=c, video=f.cleaned_data["video"], slides=f.cleaned_data["slides"]
        ),
        _("Uploaded."),
    )  # fmt: skip


@page
@require_POST
def question_add(request, pk: int):
    return _course_post(
        request, pk, QuestionForm(request.POST), "question",
        lambda a, c, f: services.question_save(
            actor=a, course=c, kind=f.cleaned_data["kind"], text=f.cleaned_data["text"],
            choices=f.choices(),
        ),
        _("Question added."),
    )  # fmt: skip


@page
@require_POST
def question_active(request, pk: int):
    actor = actor_for(request)
    question = Question.objects.filter(pk=pk).first()
    if question is None:
        raise Http404
    active = request.POST.get("active") == "1"
    return post_action(
        request,
        call=lambda: services.question_set_active(actor=actor, question=question, active=active),
        done=reverse("contractors:course", args=[question.course_id]),
        message=_("Saved."),
    )


@page
@require_POST
def course_publish(request, pk: int):
    actor = actor_for(request)
    course = _course(pk)
    published = request.POST.get("published") == "1"
    return post_action(
        request,
        call=lambda: services.course_publish(actor=actor, course=course, published=published),
        done=reverse("contractors:course", args=[pk]),
        message=_("Published.") if published else _("Withdrawn."),
    )


@page
@require_POST
def attempts_reset(request, pk: int):
    """A new set of quiz attempts for one worker (from the worker page)."""
    actor = actor_for(request)
    course = _course(pk)
    raw = request.POST.get("worker", "")
    try:
        worker = selectors.worker_get(actor=actor, pk=int(raw) if raw.isdigit() else 0)
    except ContractorWorker.DoesNotExist:
        raise Http404 from None  # not a worker this actor may see (or no worker named)
    return post_action(
        request,
        call=lambda: services.attempts_reset(actor=actor, person=worker.person, course=course),
        done=reverse("contractors:worker", args=[worker.pk]),
        message=_("The worker has a new set of attempts."),
    )


# --- 待复训 and attendance ------------------------------------------------------------------------


@page
def retraining(request):
    actor = actor_for(request)
    groups = selectors.retraining_due(actor=actor, on=today())
    return render(request, "contractors/retraining.html", {"groups": groups, "today": today()})


def _site(actor, raw) -> Site | None:
    sites = sites_visible(Site.objects.filter(is_active=True), actor)
    try:
        return sites.filter(pk=int(raw)).first() if raw else sites.first()
    except (TypeError, ValueError):
        return None


@page
def attendance(request):
    actor, on = actor_for(request), today()
    services.attendance_sync()
    site = _site(actor, request.GET.get("site") or request.POST.get("site"))
    form = KioskForm(request.POST or None)
    posted = request.method == "POST" and site is not None and form.is_valid()
    if posted and _kiosk(request, actor, site, form):
        return redirect(reverse("contractors:attendance") + f"?site={site.pk}")
    context = {
        "site": site, "form": form, "today": on,
        "sites": sites_visible(Site.objects.filter(is_active=True), actor),
        "on_site": selectors.on_site_today(actor=actor, site_id=site.pk, on=on) if site else [],
        "new": selectors.new_today(actor=actor, site_id=site.pk, on=on) if site else [],
    }  # fmt: skip
    return render(request, "contractors/attendance.html", context)


def _kiosk(request, actor, site, form) -> bool:
    from safework.core import crypto

    number = normalize_id_number(form.cleaned_data["id_number"])
    person = Person.objects.filter(id_number_hash=crypto.blind_index(number)).first()
    if person is None:
        form.add_error("id_number", _("No registered person has this ID number."))
        return False
    try:
        services.kiosk_record(
            actor=actor, person=person, site=site, direction=form.cleaned_data["direction"]
        )
    except NotAllowed:  # the same answer as for nobody: no hint that the person exists
        form.add_error("id_number", _("No registered person has this ID number."))
        return False
    except ValidationFailed as exc:
        add_service_errors(form, exc.errors)
        return False
    messages.success(request, _("Recorded: %(name)s") % {"name": person.name})
    return True
