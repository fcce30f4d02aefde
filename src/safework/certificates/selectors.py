"""Read queries for certificates and the catalogue; all go through the permission gate."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

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
    """Counts of current certificates by status, in one grouped query."""
    rows = (
        certificate_queryset(actor)
        .filter(superseded=False)
        .annotate(status=status_annotation(on))
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {s: 0 for s in Status.values if s != Status.SUPERSEDED}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def catalogue_list() -> QuerySet[CertificateType]:
    return CertificateType.objects.filter(is_active=True).order_by("sort_order")
