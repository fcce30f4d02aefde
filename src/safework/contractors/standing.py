"""Reading a person's admission standing for qualification (DESIGN.md: "for contractor
staff, is admitted (documents complete, briefing passed)"), without N+1 on lists.

Every person of a contractor, subcontractor or general contractor has a
``ContractorWorker`` row (``services.enrolment``) holding their standing, so the answer
is one row, read in this order: a ``contractor_worker`` loaded with ``select_related``
(no query at all); the request's cache; the database. Within a request (or an
``admission_scope()`` block) the second person of an organization looked up loads the
rows of all of that organization's people at once, so a list page costs a couple of
queries per organization shown and a single gate check one query."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.core.signals import request_finished, request_started

from .admission import Standing, reasons_on

FIELDS = (
    "person_id",
    "subject",
    "admitted",
    "documents_until",
    "briefing_required",
    "briefing_until",
)


@dataclass
class _Cache:
    rows: dict[int, Standing | None] = field(default_factory=dict)
    seen: Counter = field(default_factory=Counter)
    loaded_orgs: set = field(default_factory=set)


_scope: ContextVar[_Cache | None] = ContextVar("contractors_admission_scope", default=None)


@contextmanager
def admission_scope():
    """Cache and batch the standings read inside the block (each request is one)."""
    token = _scope.set(_Cache())
    try:
        yield
    finally:
        _scope.reset(token)


def _begin(**kwargs) -> None:
    _scope.set(_Cache())


def _end(**kwargs) -> None:
    _scope.set(None)


def connect_request_scope() -> None:
    request_started.connect(_begin, dispatch_uid="contractors.admission_scope.begin")
    request_finished.connect(_end, dispatch_uid="contractors.admission_scope.end")


def invalidate() -> None:
    """Every service that changes standings calls this: what the request read before
    the change must not answer after it (the allowlist refresh on commit reads again)."""
    if _scope.get() is not None:
        _scope.set(_Cache())


def _standing(row) -> Standing | None:
    subject, *rest = row[1:]
    return Standing(*rest) if subject else None


def _of_worker(worker) -> Standing | None:
    if worker is None or not worker.subject:
        return None
    return Standing(
        worker.admitted, worker.documents_until, worker.briefing_required, worker.briefing_until
    )


def _query_one(person_id: int) -> Standing | None:
    from .models import ContractorWorker

    row = ContractorWorker.objects.filter(person_id=person_id).values_list(*FIELDS).first()
    return _standing(row) if row else None


def _load_org(cache: _Cache, org_id: int) -> None:
    from .models import ContractorWorker

    qs = ContractorWorker.objects.filter(person__organization_id=org_id).values_list(*FIELDS)
    for row in qs:
        cache.rows[row[0]] = _standing(row)
    cache.loaded_orgs.add(org_id)


def standing_of(person) -> Standing | None:
    """The person's standing, or None when admission does not apply to them."""
    cached = person._state.fields_cache
    if "contractor_worker" in cached:
        return _of_worker(cached["contractor_worker"])
    cache = _scope.get()
    if cache is None:
        return _query_one(person.pk)
    if person.pk in cache.rows:
        return cache.rows[person.pk]
    org = person.organization_id
    cache.seen[org] += 1
    if org not in cache.loaded_orgs and cache.seen[org] >= 2:
        _load_org(cache, org)
    if org in cache.loaded_orgs:
        return cache.rows.setdefault(person.pk, None)
    cache.rows[person.pk] = _query_one(person.pk)
    return cache.rows[person.pk]


def admission_reasons(person, on: date) -> list[str]:
    """``not_admitted`` / ``briefing_not_passed`` for a contractor's person on ``on``."""
    standing = standing_of(person)
    return [] if standing is None else reasons_on(standing, on)
