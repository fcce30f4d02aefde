"""Read queries of permits, always through the permission gate (safework.core.access)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from safework.core.access import scope_organization_ids
from safework.core.actors import Actor
from safework.core.choices import Role

from .choices import ACTIVE_STATUSES
from .models import Permit


def permits_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    """Everything for safety managers and viewers; area heads their sites; contractor
    admins the permits their organizations apply for or perform."""
    if actor.sees_everything:
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(site_id__in=list(actor.site_ids))
    if actor.role == Role.CONTRACTOR_ADMIN:
        orgs = scope_organization_ids(actor)
        return qs.filter(Q(applicant_org_id__in=orgs) | Q(performing_org_id__in=orgs))
    return qs.none()


def permit_list(*, actor: Actor, site_id: int | None = None, status: str = "",
                kind: str = "", active: bool = False, q: str = "") -> QuerySet:  # fmt: skip
    qs = permits_visible(Permit.objects.all(), actor)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if active:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(place__icontains=q) | Q(content__icontains=q))
    return (
        qs.select_related("work_area", "performing_org")
        .only(*LIST_COLUMNS)
        .order_by("planned_start", "id")
    )


LIST_COLUMNS = (
    "id", "number", "kind", "level", "status", "place", "planned_start", "planned_end",
    "work_area__name", "performing_org__name",
)  # fmt: skip


def permit_rows(permits) -> list[dict]:
    """What the list shows, labels and local times worked out once per row (a list of
    1,000 active permits must render fast: issue 8's benchmark)."""
    from django.urls import reverse
    from django.utils import timezone

    from .choices import Kind, Level, Status

    kinds, levels, states = dict(Kind.choices), dict(Level.choices), dict(Status.choices)
    zone = timezone.get_current_timezone()
    base = reverse("permits:detail", args=[0]).removesuffix("0/")
    return [
        {
            "pk": p.pk, "href": f"{base}{p.pk}/", "number": p.number, "status": p.status,
            "kind": f"{kinds[p.kind]}{' · ' + str(levels[p.level]) if p.level else ''}",
            "where": f"{p.work_area.name} · {p.place}", "performer": p.performing_org.name,
            "period": f"{p.planned_start.astimezone(zone):%m-%d %H:%M} – "
            f"{p.planned_end.astimezone(zone):%m-%d %H:%M}",
            "state": states[p.status],
        }
        for p in permits
    ]  # fmt: skip


def permit_get(*, actor: Actor, pk: int) -> Permit:
    return (
        permits_visible(Permit.objects.all(), actor)
        .select_related(
            "site",
            "work_area",
            "applicant_org",
            "performing_org",
            "person_in_charge",
            "jsa",
            "approval",
            "source",
            "serves",
        )  # fmt: skip
        .get(pk=pk)
    )


def permit_by_token(token: str) -> Permit:
    return Permit.objects.select_related("work_area", "site").get(sign_token=token)


def permit_people(permit: Permit):
    return permit.assignments.select_related("person").order_by("role", "id")


def approval_signatures(permit: Permit) -> list:
    """Every signature of the approval (who, which step, when), for the page and the PDF."""
    if not permit.approval_id:
        return []
    from safework.approvals.models import ApprovalParty

    return list(
        ApprovalParty.objects.filter(step__instance_id=permit.approval_id, decided_at__isnull=False)
        .select_related("step")
        .order_by("step__order", "decided_at")
    )


def people_present(permit: Permit) -> list:
    """Who is signed in now (latest accepted event is a sign-in), for the guardian."""
    from .services.signin import signed_in_now

    rows = signed_in_now(permit)
    people = {p.pk: p for p in _people_by_id(rows)}
    return [(people[pid], row) for pid, row in rows.items() if pid in people]


def _people_by_id(rows: dict):
    from safework.people.models import Person

    return Person.objects.filter(pk__in=list(rows))
