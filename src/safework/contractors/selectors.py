"""Read queries of the contractors app; every one goes through the permission gate
(``safework.core.access``): a contractor admin sees their own organizations only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safework.core.access import organizations_visible, people_q, people_visible
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.models import Organization
from safework.people.models import Person

from .admission import reasons_on
from .choices import (
    ACTIVE_ADMISSION_STATES,
    CONTRACTOR_KINDS,
    Direction,
    DocumentState,
)
from .models import (
    AttendanceRecord,
    ContractorWorker,
    Course,
    QuizAttempt,
    SiteAdmission,
    WorkerDocument,
)
from .standing import _of_worker

# --- workers ---------------------------------------------------------------------------------


def workers_visible(qs: QuerySet[ContractorWorker], actor: Actor) -> QuerySet:
    q = people_q(actor, prefix="person__")
    if q is None:
        return qs
    if actor.role == Role.AREA_HEAD:
        visible = people_visible(Person.objects.all(), actor).values("id")
        return qs.filter(person_id__in=visible)
    return qs.filter(q)


def admitted_q(on: date) -> Q:
    """The SQL form of ``admission.reasons_on`` == [] (for counts and filters)."""
    documents = Q(documents_until__isnull=True) | Q(documents_until__gte=on)
    briefing = Q(briefing_required=False) | Q(briefing_until__gte=on)
    return Q(admitted=True) & documents & briefing


def worker_list(
    *,
    actor: Actor,
    on: date,
    q: str = "",
    organization_id: int | None = None,
    site_id: int | None = None,
    state: str = "",
) -> QuerySet[ContractorWorker]:
    qs = workers_visible(ContractorWorker.objects.all(), actor).filter(
        person__organization__kind__in=CONTRACTOR_KINDS
    )
    if q := (q or "").strip():
        qs = qs.filter(person__name__icontains=q)
    if organization_id:
        qs = qs.filter(person__organization_id=organization_id)
    if site_id:
        open_here = SiteAdmission.objects.filter(
            worker_id=OuterRef("pk"), site_id=site_id, state__in=ACTIVE_ADMISSION_STATES
        )
        qs = qs.filter(Exists(open_here))
    if state == "admitted":
        qs = qs.filter(admitted_q(on))
    elif state == "not_admitted":
        qs = qs.exclude(admitted_q(on))
    return qs.select_related("person__organization").order_by("person__name", "pk")


def worker_get(*, actor: Actor, pk: int) -> ContractorWorker:
    return (
        workers_visible(ContractorWorker.objects.all(), actor)
        .select_related("person__organization")
        .get(pk=pk)
    )


def worker_reasons(worker: ContractorWorker, on: date) -> list[str]:
    standing = _of_worker(worker)
    return [] if standing is None else reasons_on(standing, on)


def workers_at_site(site_id: int) -> QuerySet[ContractorWorker]:
    return ContractorWorker.objects.filter(
        admissions__site_id=site_id, admissions__state__in=ACTIVE_ADMISSION_STATES
    ).distinct()


def admissions_of(worker: ContractorWorker) -> list[SiteAdmission]:
    return list(
        worker.admissions.select_related("site", "approval")
        .prefetch_related("approval__steps__parties__organization")
        .order_by("state", "site__name")
    )


def documents_of(worker: ContractorWorker) -> list[WorkerDocument]:
    return list(worker.documents.order_by("kind", "name", "-uploaded_at", "-pk"))


def documents_to_review(*, actor: Actor) -> QuerySet[WorkerDocument]:
    qs = WorkerDocument.objects.filter(state=DocumentState.PENDING)
    workers = workers_visible(ContractorWorker.objects.all(), actor).values("id")
    return qs.filter(worker_id__in=workers).select_related("worker__person__organization")


def document_get(*, actor: Actor, pk: int) -> WorkerDocument:
    workers = workers_visible(ContractorWorker.objects.all(), actor).values("id")
    return WorkerDocument.objects.select_related("worker__person").get(pk=pk, worker_id__in=workers)


# --- the contractor list ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContractorRow:
    organization: Organization
    workers: int
    admitted: int
    pending: int
    not_admitted: int


def contractor_list(*, actor: Actor, on: date, q: str = "") -> list[ContractorRow]:
    """Every visible contractor with its workers' admission state, in two queries
    (organizations; the workers' standings counted in SQL, one table)."""
    orgs = organizations_visible(Organization.objects.filter(kind__in=CONTRACTOR_KINDS), actor)
    if q := (q or "").strip():
        orgs = orgs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    orgs = list(orgs.filter(is_active=True).order_by("name"))
    ids = [o.pk for o in orgs]
    counts = {
        row["organization_id"]: row
        for row in ContractorWorker.objects.filter(
            subject=True, active=True, organization_id__in=ids
        )
        .values("organization_id")
        .annotate(
            total=Count("pk"),
            ok=Count("pk", filter=admitted_q(on)),
            pending=Count("pk", filter=Q(in_approval=True)),
        )
    }
    rows = []
    for org in orgs:
        c = counts.get(org.pk, {"total": 0, "ok": 0, "pending": 0})
        rows.append(ContractorRow(org, c["total"], c["ok"], c["pending"], c["total"] - c["ok"]))
    return rows


# --- briefing ------------------------------------------------------------------------------


def course_list(*, published_only: bool = False) -> QuerySet[Course]:
    qs = Course.objects.select_related("site").annotate(
        question_count=Count("questions", filter=Q(questions__is_active=True))
    )
    return qs.filter(is_published=True) if published_only else qs


def courses_for_worker(worker: ContractorWorker) -> list[Course]:
    sites = worker.admissions.filter(state__in=ACTIVE_ADMISSION_STATES).values("site_id")
    return list(
        Course.objects.filter(is_published=True)
        .filter(Q(site__isnull=True) | Q(site_id__in=sites))
        .filter(Q(worker_kind="") | Q(worker_kind=worker.worker_kind))
        .order_by("-required", "category", "title")
    )


def latest_passes(person_id: int) -> dict[int, QuizAttempt]:
    found = {}
    for attempt in QuizAttempt.objects.filter(person_id=person_id, passed=True).order_by(
        "submitted_at"
    ):
        found[attempt.course_id] = attempt
    return found


def attempts_of(*, actor: Actor, person) -> QuerySet[QuizAttempt]:
    visible = people_visible(Person.objects.filter(pk=person.pk), actor).values("id")
    return QuizAttempt.objects.filter(person_id__in=visible).select_related("course")


def retraining_due_attempts(*, actor: Actor, on: date, within_days: int = 30) -> QuerySet:
    """The latest passes of a course lapsing within ``within_days`` (or lapsed) of the
    employed people the actor may see (what 待复训 lists and the dashboard counts)."""
    later = QuizAttempt.objects.filter(
        person_id=OuterRef("person_id"), course_id=OuterRef("course_id"), passed=True,
        submitted_at__gt=OuterRef("submitted_at"),
    )  # fmt: skip
    visible = people_visible(Person.objects.filter(employment_state="active"), actor).values("id")
    return (
        QuizAttempt.objects.filter(passed=True, valid_until__lte=on + timedelta(days=within_days))
        .exclude(Exists(later))
        .filter(person_id__in=visible)
    )


def retraining_due(*, actor: Actor, on: date, within_days: int = 30) -> dict[str, list]:
    """待复训 by category: workers whose latest pass of a course lapses within
    ``within_days`` (or has lapsed), grouped by the course's category."""
    qs = (
        retraining_due_attempts(actor=actor, on=on, within_days=within_days)
        .select_related("person__organization", "course")
        .order_by("course__category", "valid_until", "person__name")
    )
    grouped: dict[str, list] = defaultdict(list)
    for attempt in qs:
        grouped[attempt.course.category].append(attempt)
    return dict(grouped)


# --- attendance ------------------------------------------------------------------------------


def attendance_visible(qs: QuerySet[AttendanceRecord], actor: Actor) -> QuerySet:
    q = people_q(actor, prefix="person__")
    if q is None:
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(site_id__in=list(actor.site_ids))
    return qs.filter(q)


def _day(on: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(on, datetime.min.time()))
    return start, start + timedelta(days=1)


def on_site_today(*, actor: Actor, site_id: int, on: date) -> list[AttendanceRecord]:
    """Per person, the last record of the day at the site, when it is an entry."""
    start, end = _day(on)
    day = attendance_visible(
        AttendanceRecord.objects.filter(site_id=site_id, at__gte=start, at__lt=end), actor
    )
    last: dict[int, AttendanceRecord] = {}
    for record in day.select_related("person__organization").order_by("at", "pk"):
        last[record.person_id] = record
    return sorted(
        (r for r in last.values() if r.direction == Direction.IN), key=lambda r: r.person.name
    )


def new_today(*, actor: Actor, site_id: int, on: date) -> list[AttendanceRecord]:
    """People whose first record ever at the site is on ``on`` (first day on site)."""
    start, end = _day(on)
    earlier = AttendanceRecord.objects.filter(
        person_id=OuterRef("person_id"), site_id=site_id, at__lt=start
    )
    day = AttendanceRecord.objects.filter(site_id=site_id, at__gte=start, at__lt=end).exclude(
        Exists(earlier)
    )
    first: dict[int, AttendanceRecord] = {}
    for record in (
        attendance_visible(day, actor).select_related("person__organization").order_by("at", "pk")
    ):
        first.setdefault(record.person_id, record)
    return sorted(first.values(), key=lambda r: r.at)


def attendance_history(*, actor: Actor, person) -> QuerySet[AttendanceRecord]:
    return attendance_visible(AttendanceRecord.objects.filter(person=person), actor).select_related(
        "site"
    )


def documents_of_state(*, actor: Actor, state: str) -> QuerySet[WorkerDocument]:
    workers = workers_visible(ContractorWorker.objects.all(), actor).values("id")
    return (
        WorkerDocument.objects.filter(state=state, worker_id__in=workers)
        .select_related("worker__person")
        .order_by("-reviewed_at", "-pk")
    )
