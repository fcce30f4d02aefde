"""Read queries for certificates and the catalogue; all go through the permission gate."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Func, IntegerField, Q, QuerySet, Subquery

from safework.core.access import certificates_visible
from safework.core.actors import Actor

from .choices import Status
from .models import Certificate, CertificateType
from .status import status_annotation, status_q


def certificate_queryset(actor: Actor) -> QuerySet[Certificate]:
    return certificates_visible(Certificate.objects.all(), actor)


def certificate_list(
    *,
    actor: Actor,
    on: date,
    status: str = "",
    within_days: int | None = None,
    organization_id: int | None = None,
    type_code: str = "",
    person_id: int | None = None,
    include_superseded: bool = False,
) -> QuerySet[Certificate]:
    qs = certificate_queryset(actor).select_related("person", "person__organization", "type")
    if not include_superseded and status != Status.SUPERSEDED:
        qs = qs.filter(superseded=False)
    if status:
        qs = qs.filter(status_q(status, on))
    if within_days is not None:
        # Expiry or review due within N days from ``on`` (and not already past).
        horizon = on + timedelta(days=within_days)
        qs = qs.filter(
            Q(valid_until__gte=on, valid_until__lte=horizon)
            | Q(next_review_due__gte=on, next_review_due__lte=horizon)
        )
    if organization_id:
        qs = qs.filter(person__organization_id=organization_id)
    if type_code:
        qs = qs.filter(type__code=type_code)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.annotate(status=status_annotation(on)).order_by("valid_until", "id")


def status_counts(*, actor: Actor, on: date) -> dict[str, int]:
    """Counts of current certificates by status, in one query. Every status but ``valid``
    is a narrow range an index answers (``status_q``), counted in a scalar subquery;
    ``valid`` is the rest of the total, as the statuses partition the current
    certificates. (A GROUP BY over the status CASE evaluates it on every row: 2-3x
    slower at 300,000 certificates, benchmarks/bench_status.py.)"""
    current = certificate_queryset(actor).filter(superseded=False)
    ranges = {
        s: current.filter(status_q(s, on))
        for s in Status.values
        if s not in {Status.VALID, Status.SUPERSEDED}
    }
    counts = _count_each(total=current, **ranges)
    total = counts.pop("total")
    counts[Status.VALID] = total - sum(counts.values())
    return {s: counts[s] for s in Status.values if s != Status.SUPERSEDED}


def _count_each(**querysets: QuerySet) -> dict[str, int]:
    """COUNT(*) of each queryset as scalar subqueries of one statement: one round trip,
    one snapshot; COUNT(*), not of a column, lets an index answer alone. The row comes
    from the catalogue, which exists wherever certificates do (they reference it)."""
    subqueries = {
        name: Subquery(
            qs.order_by()
            .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("n")
        )
        for name, qs in querysets.items()
    }
    row = CertificateType.objects.order_by().annotate(**subqueries).values(*subqueries)[:1]
    # An actor who may see nothing has an empty filter, which Django compiles to NULL.
    return {name: n or 0 for name, n in row[0].items()} if row else dict.fromkeys(querysets, 0)


def catalogue_list() -> QuerySet[CertificateType]:
    return CertificateType.objects.filter(is_active=True).order_by("sort_order")
