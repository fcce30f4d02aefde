"""Recomputing a worker's standing (``admission.compute_standing``) from their open site
admissions, the checklist items of those sites, their documents and their briefing
passes, in the caller's transaction; the allowlist is told when it changed."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max, Q

from safework.access.allowlist import mark_dirty

from .. import standing
from ..admission import Standing, compute_standing, documents_by_key
from ..choices import ACTIVE_ADMISSION_STATES, AdmissionState
from ..models import ChecklistItem, ContractorWorker, Course, QuizAttempt, SiteAdmission


def open_admissions(worker: ContractorWorker) -> list[SiteAdmission]:
    return list(worker.admissions.filter(state__in=ACTIVE_ADMISSION_STATES).select_related("site"))


def required_items(worker: ContractorWorker, site_ids) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(
            site_id__in=list(site_ids), worker_kind=worker.worker_kind, is_active=True
        ).order_by("site_id", "kind", "name")
    )


def required_courses(worker: ContractorWorker, site_ids) -> list[Course]:
    """Published required courses of the worker's sites (or of every site) and kind."""
    return list(
        Course.objects.filter(is_published=True, required=True)
        .filter(Q(site__isnull=True) | Q(site_id__in=list(site_ids)))
        .filter(Q(worker_kind="") | Q(worker_kind=worker.worker_kind))
    )


def pass_until(person_id: int, courses: list[Course]) -> dict[int, date | None]:
    """Per course, the last day of the latest pass (None when never passed)."""
    found = dict(
        QuizAttempt.objects.filter(person_id=person_id, course__in=courses, passed=True)
        .values("course_id")
        .annotate(until=Max("valid_until"))
        .values_list("course_id", "until")
    )
    return {c.pk: found.get(c.pk) for c in courses}


def compute(worker: ContractorWorker) -> Standing:
    admissions = open_admissions(worker)
    sites = {a.site_id for a in admissions}
    courses = required_courses(worker, sites)
    return compute_standing(
        admissions=admissions,
        items=required_items(worker, sites),
        docs=documents_by_key(worker.documents.all()),
        passes=pass_until(worker.person_id, courses),
    )


def _in_approval(worker: ContractorWorker) -> bool:
    return worker.admissions.filter(state=AdmissionState.PENDING).exists()


def standing_refresh(worker: ContractorWorker) -> ContractorWorker:
    new = compute(worker)
    fields = ("admitted", "documents_until", "briefing_required", "briefing_until")
    pending = _in_approval(worker)
    if pending == worker.in_approval and all(getattr(worker, f) == getattr(new, f) for f in fields):
        return worker
    for f in fields:
        setattr(worker, f, getattr(new, f))
    worker.in_approval = pending
    worker.save(update_fields=[*fields, "in_approval", "updated_at"])
    standing.invalidate()
    mark_dirty(person_ids=[worker.person_id])
    return worker


def refresh_many(workers) -> int:
    count = 0
    for worker in workers:
        with transaction.atomic():
            standing_refresh(worker)
        count += 1
    return count
