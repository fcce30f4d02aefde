"""The worker's phone pages (issue 7, Online safety briefing): sign in with ID number +
mobile number + SMS code, the courses they must take, the briefing (video that cannot be
skipped ahead unless the course allows it, slides, text), the quiz and its result.
Workers have no login: the signed-in person is kept in the session."""

from __future__ import annotations

import json
from contextlib import suppress
from functools import wraps

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.uploads import safe_file_response
from safework.people.models import Person

from . import selectors, services
from .forms import SignInForm
from .media import ranged_response
from .models import ContractorWorker, Course, Question, QuizAttempt

SESSION_KEY = "contractors_worker"


def _ip(request) -> str | None:
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR")


def worker_page(view):
    """The signed-in worker as ``request.worker``; the sign-in page otherwise."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pk = request.session.get(SESSION_KEY)
        worker = (
            ContractorWorker.objects.select_related("person__organization").filter(person_id=pk).first()
            if pk else None
        )  # fmt: skip
        if worker is None or not worker.person.is_active:
            request.session.pop(SESSION_KEY, None)
            return redirect("brief:signin")
        request.worker = worker
        return view(request, *args, **kwargs)

    return wrapper


def signin(request):
    """Step 1 asks for the code; step 2 (the code filled in) signs in."""
    form = SignInForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["code"]:
            services.code_request(id_number=data["id_number"], phone=data["phone"], ip=_ip(request))
            sent = True
            messages.info(
                request, _("If the details match a registered worker, a code has been sent by SMS.")
            )
        else:
            result = services.code_verify(id_number=data["id_number"], phone=data["phone"],
                                          code=data["code"], ip=_ip(request))  # fmt: skip
            if result.person is not None:
                return _sign_in(request, result.person)
            form.add_error("code", result.error)
            sent = True
    return render(request, "contractors/phone/signin.html", {"form": form, "sent": sent})


def _sign_in(request, person: Person):
    request.session.cycle_key()  # no session fixation
    request.session[SESSION_KEY] = person.pk
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return redirect(target if safe and target.startswith("/brief/") else "brief:courses")


@require_POST
def signout(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("brief:signin")


@worker_page
def courses(request):
    worker = request.worker
    passes = selectors.latest_passes(worker.person_id)
    rows = [{"course": c, "pass": passes.get(c.pk)} for c in selectors.courses_for_worker(worker)]
    return render(request, "contractors/phone/courses.html", {"worker": worker, "rows": rows})


def _course_for(request, pk: int) -> Course:
    course = next((c for c in selectors.courses_for_worker(request.worker) if c.pk == pk), None)
    if course is None:
        raise Http404
    return course


@worker_page
def course(request, pk: int):
    course = _course_for(request, pk)
    person = request.worker.person
    from .models import CourseProgress

    progress = CourseProgress.objects.filter(person=person, course=course).first()
    context = {
        "course": course,
        "progress": progress,
        "must_watch": services.briefing.must_watch(course),
        "attempts_left": services.attempts_left(person, course),
        "paragraphs": [p for p in course.text.split("\n") if p.strip()],
    }
    return render(request, "contractors/phone/course.html", context)


@worker_page
def course_video(request, pk: int):
    course = _course_for(request, pk)
    if not course.video:
        raise Http404
    return ranged_response(request, course.video, course.video_type, course.video_size)


@worker_page
def course_slides(request, pk: int):
    course = _course_for(request, pk)
    if not course.slides:
        raise Http404
    return safe_file_response(course.slides, "application/pdf")


@worker_page
@require_POST
def course_progress(request, pk: int):
    course = _course_for(request, pk)
    try:
        data = json.loads(request.body or b"{}")
        position, duration = float(data.get("position", 0)), float(data.get("duration", 0))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"message": "bad report"}, status=400)
    progress = services.progress_record(person=request.worker.person, course=course,
                                        position=position, duration=duration, ip=_ip(request))  # fmt: skip
    return JsonResponse(
        {"watched": progress.watched_seconds, "completed": progress.completed_at is not None}
    )


def _paper(attempt: QuizAttempt) -> list[dict]:
    """The questions in drawn order with their options in shuffled order."""
    ids = [p["q"] for p in attempt.paper]
    questions = {q.pk: q for q in Question.objects.filter(pk__in=ids).prefetch_related("choices")}
    paper = []
    for number, part in enumerate(attempt.paper, start=1):
        q = questions[part["q"]]
        choices = {c.pk: c for c in q.choices.all()}
        paper.append(
            {
                "number": number,
                "question": q,
                "options": [choices[o] for o in part["o"] if o in choices],
            }
        )
    return paper


@worker_page
def quiz(request, pk: int):
    course = _course_for(request, pk)
    person = request.worker.person
    try:
        attempt = services.quiz_start(person=person, course=course, ip=_ip(request))
    except (ValidationFailed, NotAllowed) as exc:
        errors = getattr(exc, "errors", None) or {"quiz": getattr(exc, "message", "")}
        for message in errors.values():
            messages.error(request, str(message))
        return redirect("brief:course", pk=pk)
    if request.method == "POST":
        answers = {p["q"]: request.POST.getlist(f"q{p['q']}") for p in attempt.paper}
        with suppress(ValidationFailed):  # handed in twice: show the first result
            attempt = services.quiz_submit(attempt=attempt, answers=_ints(answers), ip=_ip(request))
        return redirect("brief:result", pk=attempt.pk)
    return render(
        request,
        "contractors/phone/quiz.html",
        {"course": course, "attempt": attempt, "paper": _paper(attempt)},
    )


def _ints(answers: dict) -> dict[int, list[int]]:
    clean = {}
    for q, values in answers.items():
        clean[q] = [int(v) for v in values if str(v).isdigit()]
    return clean


@worker_page
def result(request, pk: int):
    attempt = (
        QuizAttempt.objects.filter(pk=pk, person=request.worker.person)
        .select_related("course")
        .first()
    )
    if attempt is None or attempt.submitted_at is None:
        raise Http404
    context = {
        "attempt": attempt,
        "attempts_left": services.attempts_left(attempt.person, attempt.course),
    }
    return render(request, "contractors/phone/result.html", context)
