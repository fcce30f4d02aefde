"""The monthly self-check (特种作业管理自查清单, issue 10), evaluated from the data: six
items, each with what was checked, a pass / fail and the evidence list of what did not
pass. Every item reads the rules where they live: ``compliant_q`` / ``qualification``
(certificates and admission), the permits' own ``role_reasons`` (a role's items), the
gate events, the contractors' standings and quiz passes, the evidence app's cameras and
retention settings, and the sites' emergency plans."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.access.decisions import local_midnight
from safework.access.models import GateEvent
from safework.certificates.models import Certificate
from safework.certificates.qualification import qualifications_for
from safework.certificates.reasons import reason_label
from safework.contractors.choices import CONTRACTOR_KINDS
from safework.contractors.models import QuizAttempt
from safework.contractors.standing import admission_scope
from safework.core.clock import today
from safework.core.models import Site
from safework.people.models import Person
from safework.permits.models import Assignment, Permit, SignIn

from .choices import CheckItem
from .compliance import compliant_q, has_special_operations_q
from .models import EmergencyPlan

EVIDENCE_LIMIT = 1000  # rows kept per item; the total counts them all
MIN_RETENTION_DAYS = 90
# Permits that were worked on (GB 30871-2022: 作业): not drafts, approvals or cancellations.
WORKED = ("in_progress", "suspended", "completed", "closed", "expired")


@dataclass
class ItemResult:
    number: int
    checked: int = 0
    evidence: list = field(default_factory=list)
    total: int = 0
    note: str = ""

    def add(self, label: str, detail: str, link: str = "") -> None:
        self.find(lambda: (label, detail, link))

    def find(self, row: Callable[[], tuple[str, str, str]]) -> None:
        """One finding; ``row()`` gives its (label, detail, link) and is called only for
        the EVIDENCE_LIMIT kept (a month's 45,000 findings spent seconds on links alone)."""
        self.total += 1
        if len(self.evidence) < EVIDENCE_LIMIT:
            label, detail, link = row()
            self.evidence.append({"label": label, "detail": detail, "link": link})

    @property
    def passed(self) -> bool:
        return self.total == 0

    @property
    def summary(self) -> str:
        text = _("%(checked)s checked, %(found)s not in order") % {
            "checked": self.checked,
            "found": self.total,
        }
        return f"{text}. {self.note}".strip() if self.note else text


@dataclass(frozen=True)
class Period:
    month: date
    site_id: int | None

    @property
    def first(self) -> date:
        return self.month

    @property
    def last(self) -> date:
        """The month's last day, or today for the month still running."""
        following = (self.month + timedelta(days=32)).replace(day=1)
        return min(following - timedelta(days=1), today())

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def start(self):
        return local_midnight(self.first)

    @property
    def end(self):
        return local_midnight(self.last + timedelta(days=1))


def _person_link(pk: int) -> str:
    from django.urls import reverse

    return reverse("people:detail", args=[pk])


def _permit_link(pk: int) -> str:
    from django.urls import reverse

    return reverse("permits:detail", args=[pk])


def _entries(p: Period):
    qs = GateEvent.objects.filter(
        decision="allow", direction="in", person__isnull=False, at__gte=p.start, at__lt=p.end
    )
    return qs.filter(site_id=p.site_id) if p.site_id else qs


def _reasons_text(person, on: date) -> str:
    found = []
    for q in qualifications_for(person, on):
        found += [f"{q.item_code} {reason_label(c)}" for c in q.reasons]
    return "；".join(dict.fromkeys(found))


# What ``qualification`` reads of a certificate; the types are shared instances (prefetched).
QUALIFICATION_FIELDS = ("id", "person_id", "type_id", "superseded", "manual_state",
                        "valid_until", "next_review_due")  # fmt: skip


def _with_certificates(qs, *, items: bool = True):
    """``qs`` with what ``qualification`` reads prefetched: the certificates (and, for
    ``qualifications_for``, the assigned items)."""
    certificates = Prefetch("certificates", Certificate.objects.only(*QUALIFICATION_FIELDS))
    qs = qs.prefetch_related(certificates, "certificates__type")
    return qs.prefetch_related("special_operations") if items else qs


# --- 1. valid certificates on duty -------------------------------------------------------------


def _on_duty(p: Period, day: date):
    """People on duty on ``day``: entered through a gate, or signed in to a permit."""
    start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    gate = _entries(p).filter(at__gte=start, at__lt=end).values("person_id")
    signed = SignIn.objects.filter(accepted=True, kind="in", at__gte=start, at__lt=end)
    if p.site_id:
        signed = signed.filter(permit__site_id=p.site_id)
    who = Q(id__in=gate) | Q(id__in=signed.values("person_id"))
    return Person.objects.filter(who).filter(has_special_operations_q())


def item_certificates(p: Period) -> ItemResult:
    """Counted per day in SQL (``compliant_q``); the reasons (``qualification``) are
    worked out only for the rows the evidence list keeps."""
    result = ItemResult(CheckItem.CERTIFICATES)
    with admission_scope():
        for day in p.days():
            on_duty = _on_duty(p, day)
            counts = on_duty.aggregate(n=Count("pk"), ok=Count("pk", filter=compliant_q(day)))
            result.checked += counts["n"]
            failing, room = counts["n"] - counts["ok"], EVIDENCE_LIMIT - len(result.evidence)
            if failing and room > 0:
                rows = on_duty.exclude(compliant_q(day)).order_by("name", "id")[:room]
                for person in _with_certificates(rows):
                    result.evidence.append(_evidence(day, person))
            result.total += failing
    return result


def _evidence(day: date, person) -> dict:
    label = f"{day} {person.name}"
    return {"label": label, "detail": _reasons_text(person, day), "link": _person_link(person.pk)}


# --- 2. within the certificate's scope ------------------------------------------------------


def _worked_permits(p: Period):
    qs = Permit.objects.filter(status__in=WORKED, planned_start__lt=p.end, planned_end__gte=p.start)
    return qs.filter(site_id=p.site_id) if p.site_id else qs


def item_scope(p: Period) -> ItemResult:
    """Every person on a permit that ran in the month, on each of its days in the month,
    held a qualifying certificate for their role's items (the permits' ``role_reasons``,
    GB 30871-2022 4.9), whether they came in through the gate or signed in on the phone."""
    from safework.permits.rules import roles
    from safework.permits.services.people import permit_days, role_reasons

    result = ItemResult(CheckItem.SCOPE)
    people = _with_certificates(Person.objects.select_related("contractor_worker"), items=False)
    assignments = (
        Assignment.objects.filter(permit__in=_worked_permits(p))
        .select_related("permit")
        .only("role", "person_id", *(f"permit__{f}" for f in PERMIT_FIELDS))
        .prefetch_related(Prefetch("person", queryset=people))
        .order_by("permit_id", "id")
    )
    in_month = set(p.days())
    with admission_scope():
        for a in assignments.iterator(chunk_size=2000):
            if not roles.needs_certificate(a.role):
                continue
            for day in (d for d in permit_days(a.permit) if d in in_month):
                result.checked += 1
                reasons, _answer = role_reasons(a.person, a.role, day)
                if reasons:
                    result.find(partial(_scope_row, a, day, reasons))
        _gate_scope(p, result)
    return result


def _gate_scope(p: Period, result: ItemResult) -> None:
    """Gate entries against items: each day, everyone let in to a work area that requires
    valid certificates (no access rule, or one that does) was qualified that day for every
    item they are registered for (``compliant_q``, the SQL twin of ``qualification``); an
    entry let in on a stale offline allowlist or by hand shows up here."""
    strict = ~Q(area__access_policy__requires_qualification=False)
    for day in p.days():
        start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
        entered = _entries(p).filter(strict, area__isnull=False, at__gte=start, at__lt=end)
        people = Person.objects.filter(id__in=entered.values("person_id")).filter(
            has_special_operations_q()
        )
        counts = people.aggregate(n=Count("pk"), ok=Count("pk", filter=compliant_q(day)))
        result.checked += counts["n"]
        if counts["n"] == counts["ok"]:
            continue
        for person in _with_certificates(people.exclude(compliant_q(day)).order_by("name", "id")):
            result.find(partial(_gate_scope_row, day, person))


def _gate_scope_row(day: date, person) -> tuple[str, str, str]:
    label = _("%(day)s %(name)s let in at the gate") % {"day": day, "name": person.name}
    return label, _reasons_text(person, day), _person_link(person.pk)


PERMIT_FIELDS = ("number", "planned_start", "planned_end")


def _scope_row(a, day: date, reasons: list[str]) -> tuple[str, str, str]:
    label = f"{a.permit.number} {day} {a.person.name} ({a.get_role_display()})"
    return label, "；".join(reason_label(r) for r in reasons), _permit_link(a.permit_id)


# --- 3. permits approved before work ---------------------------------------------------------


def item_permits(p: Period) -> ItemResult:
    """Every job started in the month had an electronic permit approved before it started
    (GB 30871-2022 4.5: 作业前办理作业票并审批)."""
    result = ItemResult(CheckItem.PERMITS)
    started = Permit.objects.filter(
        Q(started_at__gte=p.start, started_at__lt=p.end)
        | Q(started_at__isnull=True, status__in=WORKED, planned_start__gte=p.start,
            planned_start__lt=p.end)
    )  # fmt: skip
    if p.site_id:
        started = started.filter(site_id=p.site_id)
    result.checked = started.count()
    bad = started.filter(
        Q(started_at__isnull=True)
        | Q(approved_at__isnull=True)
        | Q(approved_at__gt=F("started_at"))
    )
    for permit in bad.order_by("planned_start", "id"):
        if permit.approved_at is None:
            detail = _("No approval recorded")
        elif permit.started_at is None:
            detail = _("Worked without a recorded start")
        else:
            detail = _("Approved at %(approved)s, after the start at %(started)s") % {
                "approved": timezone.localtime(permit.approved_at).strftime("%Y-%m-%d %H:%M"),
                "started": timezone.localtime(permit.started_at).strftime("%Y-%m-%d %H:%M"),
            }
        result.add(f"{permit.number} {permit.get_kind_display()}", detail, _permit_link(permit.pk))
    return result


# --- 4. contractors registered and briefed -------------------------------------------------


def item_contractors(p: Period) -> ItemResult:
    """Every contractor worker who entered in the month was registered, and (where the
    owner requires the briefing) had passed it, before their first entry ever."""
    result = ItemResult(CheckItem.CONTRACTORS)
    people = Person.objects.filter(
        id__in=_entries(p).values("person_id"), organization__kind__in=CONTRACTOR_KINDS
    )
    ids = people.values("id")
    first_entry = _first_by_person(
        GateEvent.objects.filter(person_id__in=ids, decision="allow", direction="in"), "at"
    )
    first_pass = _first_by_person(
        QuizAttempt.objects.filter(person_id__in=ids, passed=True), "submitted_at"
    )
    rows = people.order_by("name", "id").values_list(
        "pk", "name", "created_at", "contractor_worker__briefing_required"
    )
    for pk, name, created_at, briefing_required in rows.iterator(chunk_size=5000):
        result.checked += 1
        first = first_entry[pk]
        if problem := _contractor_problem(created_at, briefing_required, first, first_pass.get(pk)):
            result.find(partial(_contractor_row, pk, name, problem, first))
    return result


def _first_by_person(qs, field: str) -> dict:
    """The earliest ``field`` per person, in one grouped query."""
    rows = qs.order_by().values("person_id").annotate(first=Min(field))
    return {r["person_id"]: r["first"] for r in rows}


def _contractor_problem(created_at, briefing_required, first_entry, first_pass) -> str:
    """``unregistered`` (no contractor worker record, or created after the first entry),
    ``unbriefed`` (the briefing required and not passed before it), or ``""``;
    ``briefing_required`` is None when the person has no worker record."""
    if briefing_required is None or created_at > first_entry:
        return "unregistered"
    if briefing_required and (first_pass is None or first_pass > first_entry):
        return "unbriefed"
    return ""


def _contractor_row(pk: int, name: str, problem: str, first_entry) -> tuple[str, str, str]:
    if problem == "unregistered":
        detail = _("Entered on %(day)s before being registered")
    else:
        detail = _("Entered on %(day)s before passing the safety briefing")
    return name, detail % {"day": _day(first_entry)}, _person_link(pk)


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- 5. cameras and retention ---------------------------------------------------------------


def item_cameras(p: Period) -> ItemResult:
    """Each work area with a live permit in the month has an active camera; keyframes and
    video are kept at least 90 days (the evidence app's retention settings)."""
    from safework.evidence.models import Camera

    result = ItemResult(CheckItem.CAMERAS)
    live = Permit.objects.filter(
        status__in=(*WORKED, "approved"), planned_start__lt=p.end, planned_end__gte=p.start
    )
    if p.site_id:
        live = live.filter(site_id=p.site_id)
    covered = Camera.objects.filter(work_area_id=OuterRef("work_area_id"), active=True)
    areas = live.values("work_area_id", "work_area__name", "work_area__site__name").distinct()
    for row in areas.annotate(has_camera=Exists(covered)).order_by("work_area__site__name"):
        result.checked += 1
        if not row["has_camera"]:
            label = f"{row['work_area__site__name']} / {row['work_area__name']}"
            result.add(label, _("No active camera covers this work area"))
    for name, days in _retention_settings():
        result.checked += 1
        if days < MIN_RETENTION_DAYS:
            result.add(name, _("Kept %(days)s days; at least 90 are required") % {"days": days})
    return result


def _retention_settings() -> Iterable[tuple[str, int]]:
    yield _("Keyframe retention"), settings.EVIDENCE_KEYFRAME_RETENTION_DAYS
    yield _("Video retention"), settings.EVIDENCE_VIDEO_RETENTION_DAYS


# --- 6. emergency plans ---------------------------------------------------------------------


def item_emergency(p: Period) -> ItemResult:
    result = ItemResult(CheckItem.EMERGENCY)
    sites = Site.objects.filter(is_active=True)
    if p.site_id:
        sites = sites.filter(pk=p.site_id)
    plans = {plan.site_id: plan for plan in EmergencyPlan.objects.filter(site__in=sites)}
    for site in sites.order_by("name"):
        result.checked += 1
        plan = plans.get(site.pk)
        if plan is None:
            result.add(site.name, _("No emergency plan recorded"))
        elif not plan.covers_special_operations:
            result.add(site.name, _("The plan does not cover special-operations incidents"))
        elif plan.next_review_due < p.last:
            result.add(site.name, _("Review was due on %(day)s") % {"day": plan.next_review_due})
    return result


EVALUATORS = (
    item_certificates,
    item_scope,
    item_permits,
    item_contractors,
    item_cameras,
    item_emergency,
)


def evaluate(month: date, site_id: int | None) -> list[ItemResult]:
    period = Period(month.replace(day=1), site_id)
    return [evaluator(period) for evaluator in EVALUATORS]
