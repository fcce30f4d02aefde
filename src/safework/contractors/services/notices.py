"""Warnings about contractor documents and briefing passes (issue 7: "covered by the
warnings of the notifications issue"). The alerts scan covers certificates and offers no
hook for other kinds of dates, so this daily run uses its thresholds (alerts.rules) and
its outbox: contractor admins in their inbox and by email, the worker by SMS; each
notice once per threshold and date (``ExpiryNotice``), messages with dedupe keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from safework.access.allowlist import mark_dirty
from safework.alerts.choices import LAPSE
from safework.alerts.rules import DEFAULT_DAYS, level_on
from safework.audit.services import audit_record
from safework.core.actors import Actor

from ..choices import DocumentState
from ..models import ExpiryNotice, QuizAttempt, WorkerDocument
from .notify import sms_person, tell_contractor


@dataclass
class NoticeReport:
    documents: int = 0
    briefings: int = 0
    lapsed_people: set = field(default_factory=set)


def _window(on: date) -> tuple[date, date]:
    return on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS), on + timedelta(
        days=max(DEFAULT_DAYS)
    )


def counted_documents(on: date):
    """Accepted documents with a date in the warning window that no newer accepted
    document of the same worker and item replaces."""
    start, end = _window(on)
    newer = WorkerDocument.objects.filter(
        worker_id=OuterRef("worker_id"), kind=OuterRef("kind"), name=OuterRef("name"),
        state=DocumentState.ACCEPTED, uploaded_at__gt=OuterRef("uploaded_at"),
    )  # fmt: skip
    return (
        WorkerDocument.objects.filter(state=DocumentState.ACCEPTED, valid_until__range=(start, end))
        .filter(worker__subject=True, worker__person__employment_state="active")
        .exclude(Exists(newer))
        .select_related("worker__person__organization")
    )


def lapsing_passes(on: date):
    """Latest passes (no later pass of the same course) lapsing in the window: 待复训."""
    start, end = _window(on)
    later = QuizAttempt.objects.filter(
        person_id=OuterRef("person_id"), course_id=OuterRef("course_id"), passed=True,
        submitted_at__gt=OuterRef("submitted_at"),
    )  # fmt: skip
    return (
        QuizAttempt.objects.filter(passed=True, valid_until__range=(start, end))
        .exclude(Exists(later))
        .filter(person__employment_state="active")
        .select_related("person__organization", "course")
    )


def _first_time(kind: str, object_id: int, due: date, level: int) -> bool:
    try:
        with transaction.atomic():
            ExpiryNotice.objects.create(kind=kind, object_id=object_id, due_date=due, level=level)
    except IntegrityError:
        return False
    return True


def _message(what: str, name: str, due: date, level: int, left: int) -> str:
    if level == LAPSE:
        return _("%(what)s of %(name)s lapsed on %(date)s: not admitted until renewed.") % {
            "what": what, "name": name, "date": due}  # fmt: skip
    return _("%(what)s of %(name)s lapses on %(date)s (in %(days)d days).") % {
        "what": what, "name": name, "date": due, "days": left}  # fmt: skip


def _notify(kind: str, obj, person, what: str, due: date, on: date, link: str, report) -> bool:
    level = level_on(due=due, on=on, days=list(DEFAULT_DAYS))
    if level is None or not _first_time(kind, obj.pk, due, level):
        return False
    text = _message(what, person.name, due, level, (due - on).days)
    key = f"contractors:{kind}:{obj.pk}:{due}:{level}"
    tell_contractor(person.organization, title=text, body=text, link=link, key=key)
    params = {"name": person.name, "item": what, "date": str(due), "days": str(max((due - on).days, 0)),
              "action": _("renew")}  # fmt: skip
    sms_person(person, owner_id=None, text=text, params=params, key=f"{key}:sms")
    if level == LAPSE:
        report.lapsed_people.add(person.pk)
    return True


@transaction.atomic
def expiry_notices(*, on: date, actor: Actor) -> NoticeReport:
    report = NoticeReport()
    for doc in counted_documents(on):
        person = doc.worker.person
        link = reverse("contractors:worker", args=[doc.worker_id])
        report.documents += _notify(
            "document", doc, person, doc.label, doc.valid_until, on, link, report
        )
    for attempt in lapsing_passes(on):
        what = _("Safety briefing %(course)s") % {"course": attempt.course.title}
        report.briefings += _notify("briefing", attempt, attempt.person, what,
                                    attempt.valid_until, on, "", report)  # fmt: skip
    if report.lapsed_people:
        mark_dirty(person_ids=report.lapsed_people)
    audit_record(actor=actor, action="contractors.expiry_notices", object_type="contractors.notices",
                 object_id=str(on), changes={"documents": {"before": None, "after": report.documents},
                                             "briefings": {"before": None, "after": report.briefings}})  # fmt: skip
    return report
