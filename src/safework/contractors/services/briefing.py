"""Safety briefing (安全交底): courses with a video, slides or text and a question bank
(owner), how far a worker watched (no skipping ahead unless the course allows it, checked
here against the time that really passed), and the quiz: questions drawn at random with
shuffled options, graded, recorded with the answers, within the attempts allowed."""

from __future__ import annotations

import random
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.core.access import require_owner_admin
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.uploads import store_upload

from ..admission import add_months
from ..choices import QuestionKind
from ..media import store_video
from ..models import Choice, ContractorWorker, Course, CourseProgress, Question, QuizAttempt
from .notify import tell_contractor
from .refresh import standing_refresh

COURSE_FIELDS = (
    "title", "category", "site", "worker_kind", "text", "allow_skip", "pass_mark",
    "questions_per_quiz", "max_attempts", "retrain_months", "required",
)  # fmt: skip
# Playback may run this much faster than the clock between two reports (rate 1.0 plus
# a slack for the reporting interval); anything beyond is a skip.
PLAYBACK_SLACK = 1.25
REPORT_GRACE_SECONDS = 5
_rng = random.SystemRandom()


def _clean_course(data: dict) -> dict:
    errors = {}
    for f, message in (("title", _("Enter a title.")), ("category", _("Enter a category."))):
        if f in data and not (data[f] or "").strip():
            errors[f] = message
    limits = {"pass_mark": (1, 100), "questions_per_quiz": (1, 200), "max_attempts": (1, 50),
              "retrain_months": (1, 120)}  # fmt: skip
    for f, (low, high) in limits.items():
        if f in data and not (low <= int(data[f] or 0) <= high):
            errors[f] = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
    if errors:
        raise ValidationFailed(errors)
    return data


@transaction.atomic
def course_save(*, actor: Actor, course: Course | None = None, **data) -> Course:
    require_owner_admin(actor)
    data = _clean_course({k: v for k, v in data.items() if k in COURSE_FIELDS})
    before = {f: getattr(course, f) for f in COURSE_FIELDS} if course else {}
    course = course or Course()
    for f, v in data.items():
        setattr(course, f, v.strip() if isinstance(v, str) else v)
    course.save()
    changes = diff(before, {f: getattr(course, f) for f in COURSE_FIELDS})
    audit_record(actor=actor, action="course.save", obj=course, changes=changes)
    _refresh_later()
    return course


@transaction.atomic
def course_attach(*, actor: Actor, course: Course, video=None, slides=None) -> Course:
    """A video (MP4/WebM) and/or slides (PDF) for the course."""
    require_owner_admin(actor)
    changes = {}
    if video is not None:
        name, kind, size, seconds = store_video(video)
        course.video, course.video_type, course.video_size, course.video_seconds = (
            name, kind, size, seconds,
        )  # fmt: skip
        changes["video"] = {"before": None, "after": {"size": size, "seconds": seconds}}
    if slides is not None:
        stored = store_upload(slides, allowed={"pdf"}, max_bytes=50 * 1024 * 1024,
                              subdir="briefing-slides", field="slides")  # fmt: skip
        course.slides = stored.name
        changes["slides"] = {"before": None, "after": stored.sha256}
    course.save()
    audit_record(actor=actor, action="course.attach", obj=course, changes=changes)
    return course


def _clean_choices(kind: str, choices: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    choices = [(t.strip(), bool(c)) for t, c in choices if (t or "").strip()]
    correct = sum(1 for _t, c in choices if c)
    if kind not in QuestionKind.values:
        raise ValidationFailed({"kind": _("Choose the kind of question.")})
    if kind == QuestionKind.TRUE_FALSE:
        truth = bool(choices and choices[0][1])
        return [(_("True"), truth), (_("False"), not truth)]
    if len(choices) < 2:
        raise ValidationFailed({"choices": _("Give at least two answers.")})
    if kind == QuestionKind.SINGLE and correct != 1:
        raise ValidationFailed({"choices": _("Mark exactly one answer as correct.")})
    if kind == QuestionKind.MULTIPLE and correct < 1:
        raise ValidationFailed({"choices": _("Mark at least one answer as correct.")})
    return choices


@transaction.atomic
def question_save(
    *, actor: Actor, course: Course, kind: str, text: str, choices: list[tuple[str, bool]],
    question: Question | None = None,
) -> Question:  # fmt: skip
    """A question of the bank. For true/false, ``choices`` is [("", statement is true)]."""
    require_owner_admin(actor)
    if not (text or "").strip():
        raise ValidationFailed({"text": _("Enter the question.")})
    choices = _clean_choices(kind, choices)
    question = question or Question(course=course)
    question.kind, question.text = kind, text.strip()
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(Choice(question=question, text=t, correct=c) for t, c in choices)
    after = {"kind": kind, "text": question.text, "choices": choices}
    audit_record(actor=actor, action="question.save", obj=question, changes=diff({}, after))
    return question


@transaction.atomic
def question_set_active(*, actor: Actor, question: Question, active: bool) -> Question:
    require_owner_admin(actor)
    if question.is_active != active:
        question.is_active = active
        question.save(update_fields=["is_active"])
        changes = {"is_active": {"before": not active, "after": active}}
        audit_record(actor=actor, action="question.active", obj=question, changes=changes)
    return question


@transaction.atomic
def course_publish(*, actor: Actor, course: Course, published: bool) -> Course:
    require_owner_admin(actor)
    if published and not course.questions.filter(is_active=True).exists():
        raise ValidationFailed({"questions": _("Add questions before publishing the course.")})
    if course.is_published != published:
        course.is_published = published
        course.save(update_fields=["is_published", "updated_at"])
        changes = {"is_published": {"before": not published, "after": published}}
        audit_record(actor=actor, action="course.publish", obj=course, changes=changes)
        _refresh_later()
    return course


def _refresh_later() -> None:
    """Which courses a worker must pass changed: every standing, after commit (a task)."""
    from ..tasks import refresh_all_workers

    transaction.on_commit(refresh_all_workers)


# --- the worker's side ------------------------------------------------------------------------


def worker_actor(person, ip: str | None = None) -> Actor:
    """Audit label of a worker signed in on their phone (they have no login)."""
    return Actor(system_label=f"worker:{person.pk} {person.name}"[:150], ip=ip)


def _progress(person, course: Course) -> CourseProgress:
    progress, _ = CourseProgress.objects.select_for_update().get_or_create(
        person=person, course=course
    )
    return progress


def must_watch(course: Course) -> bool:
    return bool(course.video) and not course.allow_skip


@transaction.atomic
def progress_record(
    *, person, course: Course, position: float, duration: float = 0, now: datetime | None = None,
    ip: str | None = None,
) -> CourseProgress:  # fmt: skip
    """How far the worker has watched: a report may move forward only as far as the time
    since the previous report allows (no skipping ahead); the video's own length, read
    on upload, decides when it is complete."""
    now = now or timezone.now()
    progress = _progress(person, course)
    length = course.video_seconds or max(progress.duration_seconds, float(duration or 0))
    progress.duration_seconds = length
    reach = progress.watched_seconds + REPORT_GRACE_SECONDS
    if progress.reported_at is not None and must_watch(course):
        reach += (now - progress.reported_at).total_seconds() * PLAYBACK_SLACK
    position = max(0.0, float(position or 0))
    progress.watched_seconds = max(
        progress.watched_seconds, position if not must_watch(course) else min(position, reach)
    )
    progress.reported_at = now
    finished = not course.video or progress.watched_seconds >= max(length - 1, 0)
    if finished and progress.completed_at is None and (length or not course.video):
        progress.completed_at = now
        audit_record(actor=worker_actor(person, ip), action="briefing.watched", obj=course)
    progress.save()
    return progress


def _attempt_window(person, course: Course, progress: CourseProgress | None) -> Q:
    since = [progress.attempts_reset_at] if progress and progress.attempts_reset_at else []
    last_pass = (
        QuizAttempt.objects.filter(person=person, course=course, passed=True)
        .order_by("-submitted_at").values_list("submitted_at", flat=True).first()
    )  # fmt: skip
    if last_pass:
        since.append(last_pass)
    return Q(submitted_at__gt=max(since)) if since else Q()


def attempts_left(person, course: Course) -> int:
    progress = CourseProgress.objects.filter(person=person, course=course).first()
    failed = QuizAttempt.objects.filter(person=person, course=course, passed=False).filter(
        _attempt_window(person, course, progress)
    )
    return max(course.max_attempts - failed.count(), 0)


def _draw(course: Course) -> list[dict]:
    questions = list(course.questions.filter(is_active=True).prefetch_related("choices"))
    drawn = _rng.sample(questions, min(course.questions_per_quiz, len(questions)))
    paper = []
    for q in drawn:
        options = [c.pk for c in q.choices.all()]
        _rng.shuffle(options)
        paper.append({"q": q.pk, "o": options})
    return paper


@transaction.atomic
def quiz_start(*, person, course: Course, ip: str | None = None) -> QuizAttempt:
    """The open attempt, or a new one drawn at random (re-opening the page does not
    draw again, so a worker cannot fish for easier questions)."""
    if not course.is_published:
        raise NotAllowed(_("This course is not published."))
    progress = _progress(person, course)
    if must_watch(course) and progress.completed_at is None:
        raise ValidationFailed({"quiz": _("Watch the whole briefing before the quiz.")})
    open_attempt = QuizAttempt.objects.filter(
        person=person, course=course, submitted_at=None
    ).first()
    if open_attempt is not None:
        return open_attempt
    if attempts_left(person, course) <= 0:
        raise ValidationFailed(
            {"quiz": _("No attempts left; ask the safety manager for a new set.")}
        )
    attempt = QuizAttempt.objects.create(person=person, course=course, paper=_draw(course))
    attempt.total = len(attempt.paper)
    attempt.save(update_fields=["total"])
    audit_record(actor=worker_actor(person, ip), action="quiz.start", obj=attempt,
                 changes={"questions": {"before": None, "after": [p["q"] for p in attempt.paper]}})  # fmt: skip
    return attempt


def _grade(attempt: QuizAttempt, answers: dict[int, list[int]]) -> tuple[int, dict]:
    ids = [p["q"] for p in attempt.paper]
    correct_sets = {
        q.pk: {c.pk for c in q.choices.all() if c.correct}
        for q in Question.objects.filter(pk__in=ids).prefetch_related("choices")
    }
    recorded, right = {}, 0
    for part in attempt.paper:
        chosen = sorted({int(c) for c in answers.get(part["q"], []) if int(c) in part["o"]})
        recorded[str(part["q"])] = chosen
        right += set(chosen) == correct_sets.get(part["q"], set()) and bool(chosen)
    return right, recorded


@transaction.atomic
def quiz_submit(
    *, attempt: QuizAttempt, answers: dict[int, list[int]], ip: str | None = None
) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.select_for_update()
        .select_related("course", "person")
        .get(pk=attempt.pk)
    )
    if attempt.submitted_at is not None:
        raise ValidationFailed({"quiz": _("This quiz has already been handed in.")})
    course, person = attempt.course, attempt.person
    attempt.correct, attempt.answers = _grade(attempt, answers)
    attempt.score = round(100 * attempt.correct / attempt.total) if attempt.total else 0
    attempt.passed = attempt.score >= course.pass_mark
    attempt.submitted_at = timezone.now()
    attempt.valid_until = add_months(today(), course.retrain_months) if attempt.passed else None
    attempt.save()
    audit_record(actor=worker_actor(person, ip), action="quiz.submit", obj=attempt, changes={
        k: {"before": None, "after": getattr(attempt, k)}
        for k in ("score", "passed", "valid_until", "answers")
    })  # fmt: skip
    _after_quiz(attempt)
    return attempt


def _after_quiz(attempt: QuizAttempt) -> None:
    worker = ContractorWorker.objects.filter(person=attempt.person).first()
    if worker is not None and attempt.passed:
        standing_refresh(worker)
    if not attempt.passed and attempts_left(attempt.person, attempt.course) == 0:
        person = attempt.person
        tell_contractor(
            person.organization,
            title=_("%(name)s used up the quiz attempts of %(course)s")
            % {"name": person.name, "course": attempt.course.title},
            body=_("Ask the owner's safety manager for a new set of attempts."),
            link="", key=f"quiz-exhausted:{attempt.pk}",
        )  # fmt: skip


@transaction.atomic
def attempts_reset(*, actor: Actor, person, course: Course) -> CourseProgress:
    """A new set of attempts (after retraining on site, for instance)."""
    require_owner_admin(actor)
    progress = _progress(person, course)
    progress.attempts_reset_at = timezone.now()
    progress.save(update_fields=["attempts_reset_at"])
    audit_record(actor=actor, action="quiz.attempts_reset", obj=course,
                 changes={"person": {"before": None, "after": person.pk}})  # fmt: skip
    return progress
