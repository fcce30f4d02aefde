"""Warnings about contractor documents and briefing passes (issue 7: "covered by the
warnings of the notifications issue"). The alerts scan covers certificates and offers no
hook for other kinds of dates, so this daily run follows its rules (alerts.rules: the
expiry thresholds and recipients per level of the owner of the worker's sites, the
defaults without a policy) and uses its outbox: the contractor's admins (the contact
audience) in their inbox and by email, the worker by SMS, the sites' safety managers and
area heads in their inbox and by email; each notice once per threshold and date
(``ExpiryNotice``), messages with dedupe keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from safework.access.allowlist import mark_dirty
from safework.alerts.choices import LAPSE, Audience
from safework.alerts.models import AlertPolicy
from safework.alerts.rules import DEFAULT_DAYS, AlertRules, audiences_at, level_on
from safework.approvals.notify import notify_users
from safework.audit.services import audit_record
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role

from ..choices import DocumentState
from ..models import ExpiryNotice, QuizAttempt, WorkerDocument
from .notify import site_staff, sms_person, tell_contractor


@dataclass
class NoticeReport:
    documents: int = 0
    briefings: int = 0
    lapsed_people: set = field(default_factory=set)


def _window(on: date) -> tuple[date, date]:
    """From the catch-up days back to the largest expiry threshold of any owner's rules."""
    policies = AlertPolicy.objects.values_list("rules", flat=True)
    days = [*DEFAULT_DAYS, *(d for r in policies for d in AlertRules.model_validate(r).expiry_days)]
    return on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS), on + timedelta(days=max(days))


@dataclass
class _Rules:
    """Every owner's policy read once per run (the defaults for an owner without one)."""

    by_owner: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Rules:
        policies = AlertPolicy.objects.values_list("organization_id", "rules")
        return cls({org: AlertRules.model_validate(rules) for org, rules in policies})

    def of(self, owner_id: int | None) -> AlertRules:
        return self.by_owner.get(owner_id) or AlertRules()

    def owner_of(self, person) -> int | None:
        """The owner whose rules apply (as in the alerts scan): the person's own
        organization when it is an owner, else the owner of their sites with a policy,
        else any of them."""
        org = person.organization
        if org is not None and org.kind == OrganizationKind.OWNER:
            return org.pk
        owners = sorted({s.owner_id for s in person.sites.all()})
        return next((o for o in owners if o in self.by_owner), owners[0] if owners else None)


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
        .prefetch_related("worker__person__sites")
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
        .prefetch_related("person__sites")
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


@dataclass(frozen=True)
class _Due:
    kind: str
    obj: object
    person: object
    what: str
    due: date
    link: str


def _notify(item: _Due, on: date, rules: _Rules, report) -> bool:
    person, due = item.person, item.due
    owner_id = rules.owner_of(person)
    policy = rules.of(owner_id)
    level = level_on(due=due, on=on, days=policy.expiry_days)
    if level == LAPSE:
        report.lapsed_people.add(person.pk)  # the gate must learn of it, told or not
    if level is None or (level == LAPSE and not policy.notify_on_lapse):
        return False
    if not _first_time(item.kind, item.obj.pk, due, level):
        return False
    _tell(item, on, level, owner_id, audiences_at(policy, level))
    return True


def _tell(item: _Due, on: date, level: int, owner_id, audiences: list[Audience]) -> None:
    person, due = item.person, item.due
    text = _message(item.what, person.name, due, level, (due - on).days)
    key = f"contractors:{item.kind}:{item.obj.pk}:{due}:{level}"
    if Audience.ORG_CONTACT in audiences:
        tell_contractor(person.organization, title=text, body=text, link=item.link, key=key)
    if Audience.WORKER in audiences:
        params = {"name": person.name, "item": item.what, "date": str(due),
                  "days": str(max((due - on).days, 0)), "action": _("renew")}  # fmt: skip
        sms_person(person, owner_id=owner_id, text=text, params=params, key=f"{key}:sms")
    site_ids = [s.pk for s in person.sites.all()]
    staff = [site_staff(Role.SAFETY_MANAGER, site_ids) if Audience.SAFETY_MANAGER in audiences else [],
             site_staff(Role.AREA_HEAD, site_ids) if Audience.AREA_HEAD in audiences else []]  # fmt: skip
    notify_users([u for users in staff for u in users], title=text, body=text, link=item.link,
                 key=f"{key}:staff")  # fmt: skip


@transaction.atomic
def expiry_notices(*, on: date, actor: Actor) -> NoticeReport:
    report, rules = NoticeReport(), _Rules.load()
    for doc in counted_documents(on):
        link = reverse("contractors:worker", args=[doc.worker_id])
        item = _Due("document", doc, doc.worker.person, doc.label, doc.valid_until, link)
        report.documents += _notify(item, on, rules, report)
    for attempt in lapsing_passes(on):
        what = _("Safety briefing %(course)s") % {"course": attempt.course.title}
        item = _Due("briefing", attempt, attempt.person, what, attempt.valid_until, "")
        report.briefings += _notify(item, on, rules, report)
    if report.lapsed_people:
        mark_dirty(person_ids=report.lapsed_people)
    audit_record(actor=actor, action="contractors.expiry_notices", object_type="contractors.notices",
                 object_id=str(on), changes={"documents": {"before": None, "after": report.documents},
                                             "briefings": {"before": None, "after": report.briefings}})  # fmt: skip
    return report
