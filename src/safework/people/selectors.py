"""Read queries for people; every one goes through the permission gate."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from safework.certificates.choices import Status
from safework.certificates.models import Certificate
from safework.certificates.status import qualifying_q, status_q
from safework.core import crypto
from safework.core.access import people_visible
from safework.core.actors import Actor
from safework.core.idnumbers import normalize_id_number

from .models import Person

UNQUALIFIED = "unqualified"
PERSON_STATUS_FILTERS = [*Status.values, UNQUALIFIED]


def person_queryset(actor: Actor) -> QuerySet[Person]:
    return people_visible(Person.objects.all(), actor)


def person_get(*, actor: Actor, pk: int) -> Person:
    """The person with certificates and types prefetched (for qualification, no N+1)."""
    return (
        person_queryset(actor)
        # contractor_worker: the admission part of qualification, read with the person
        .select_related("organization", "contractor_worker")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.select_related("type")),
            "special_operations",
            "sites",
        )
        .get(pk=pk)
    )


def unqualified_q(on: date) -> Q:
    """People with an assigned special operation that no certificate of theirs qualifies on
    ``on`` (set-based form of ``qualification`` for the certificate part)."""
    through = Person.special_operations.through
    qualifying = Certificate.objects.filter(
        person_id=OuterRef("person_id"), type_id=OuterRef("certificatetype_id")
    ).filter(qualifying_q(on))
    gap = through.objects.filter(person_id=OuterRef("pk")).exclude(Exists(qualifying))
    return Q(Exists(gap))


def person_list(
    *,
    actor: Actor,
    on: date,
    q: str = "",
    organization_id: int | None = None,
    site_id: int | None = None,
    item_code: str = "",
    status: str = "",
    employment_state: str = "",
) -> QuerySet[Person]:
    qs = person_queryset(actor).select_related("organization")
    if q := (q or "").strip():
        qs = qs.filter(_search_q(q))
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    if site_id:
        qs = qs.filter(
            Exists(Person.sites.through.objects.filter(person_id=OuterRef("pk"), site_id=site_id))
        )
    if item_code:
        qs = qs.filter(
            Exists(
                Person.special_operations.through.objects.filter(
                    person_id=OuterRef("pk"), certificatetype__code=item_code
                )
            )
        )
    if employment_state:
        qs = qs.filter(employment_state=employment_state)
    if status == UNQUALIFIED:
        qs = qs.filter(unqualified_q(on))
    elif status in Status.values:
        qs = qs.filter(
            Exists(
                Certificate.objects.filter(person_id=OuterRef("pk")).filter(status_q(status, on))
            )
        )
    return qs.order_by("name", "id")


def _search_q(q: str) -> Q:
    cond = Q(name__icontains=q)
    digits = q.replace(" ", "")
    if digits.isdigit() and len(digits) >= 4:
        cond |= Q(phone__contains=digits)
    normalized = normalize_id_number(q)
    if len(normalized) == 18:
        cond |= Q(id_number_hash=crypto.blind_index(normalized))
    return cond
