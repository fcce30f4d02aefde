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


# --- the live permit board of a site ----------------------------------------------------

EXPIRING_SOON_MINUTES = 60  # a permit with an hour or less left stands out


def board_permits(site, actor: Actor | None = None) -> QuerySet:
    """Live permits of the site (approved, in progress, suspended), each with its point on
    the plan and its last gas reading; scoped by the actor (a kiosk link has none: it
    shows the whole site, as a board at the gate does)."""
    from django.db.models import OuterRef, Subquery

    from .models import GasTest
    from .services.simops import with_position

    qs = Permit.objects.filter(site=site, status__in=ACTIVE_STATUSES)
    if actor is not None:
        qs = permits_visible(qs, actor)
    last = GasTest.objects.filter(permit=OuterRef("pk")).order_by("-sampled_at", "-id")
    return (
        with_position(qs)
        .select_related("work_area")
        .annotate(gas_at=Subquery(last.values("sampled_at")[:1]),
                  gas_passed=Subquery(last.values("passed")[:1]),
                  gas_result=Subquery(last.values("result_percent")[:1]),
                  gas_oxygen=Subquery(last.values("oxygen_percent")[:1]))
        .order_by("planned_end", "id")
    )  # fmt: skip


def _present_by_permit(ids: list[int], now) -> dict[int, set[int]]:
    """Permit id → people whose latest accepted event today is a sign-in (one query)."""
    from django.utils import timezone

    from .choices import SignKind
    from .models import SignIn

    latest: dict[tuple[int, int], tuple] = {}
    rows = SignIn.objects.filter(permit_id__in=ids, accepted=True).order_by("at", "id")
    for permit_id, person_id, kind, at in rows.values_list("permit_id", "person_id", "kind", "at"):
        latest[(permit_id, person_id)] = (kind, at)
    today, present = timezone.localdate(now), {}
    for (permit_id, person_id), (kind, at) in latest.items():
        if kind == SignKind.IN and timezone.localdate(at) == today:
            present.setdefault(permit_id, set()).add(person_id)
    return present


def _people_by_permit(ids: list[int]) -> dict[int, list[tuple]]:
    from .models import Assignment

    found: dict[int, list[tuple]] = {}
    rows = Assignment.objects.filter(permit_id__in=ids).order_by("id")
    for permit_id, person_id, name, role in rows.values_list(
        "permit_id", "person_id", "person__name", "role"
    ):
        found.setdefault(permit_id, []).append((person_id, name, role))
    return found


def board_rows(permits, now, plan=None) -> list[dict]:
    """What the board shows per permit, worked out once: kind, level, place, who is signed
    in, the guardian, the last gas reading and its age, the time left, and what stands
    out (a stale reading by the gas timing rules, a permit about to expire)."""
    permits = list(permits)
    ids = [p.pk for p in permits]
    present, people = _present_by_permit(ids, now), _people_by_permit(ids)
    return [_board_row(p, now, plan, present.get(p.pk, set()), people.get(p.pk, []))
            for p in permits]  # fmt: skip


def _board_row(p: Permit, now, plan, present: set, people: list) -> dict:
    from .choices import WorkerRole
    from .rules import gas

    needs = gas.gas_test_required(
        p.kind, fire_explosion_zone=bool((p.details or {}).get("fire_explosion_zone"))
    )
    stale = needs and gas.reading_stale(
        p.kind, p.level, p.status, p.gas_at, now, paused_at=p.paused_at,
        new_day=p.pause_reason == "new_day",
    )  # fmt: skip
    left = int((p.planned_end - now).total_seconds() // 60)
    guardians = [(name, pid in present) for pid, name, role in people
                 if role == WorkerRole.GUARDIAN]  # fmt: skip
    signed = [name for pid, name, role in people if pid in present and role != "guardian"]
    return {
        "pk": p.pk, "number": p.number, "kind": p.get_kind_display(),
        "level": p.get_level_display() if p.level else "", "status": p.status,
        "state": p.get_status_display(), "place": f"{p.work_area.name} · {p.place}",
        "signed_in": sorted(set(signed)), "guardians": guardians, "needs_gas": needs,
        "gas_at": p.gas_at, "gas_passed": p.gas_passed, "gas_result": p.gas_result,
        "gas_oxygen": p.gas_oxygen, "gas_stale": stale,
        "gas_age": None if p.gas_at is None else int((now - p.gas_at).total_seconds() // 60),
        "minutes_left": left, "expiring": left <= EXPIRING_SOON_MINUTES,
        "hours_left": max(left, 0) // 60, "rest_minutes": max(left, 0) % 60, "kind_code": p.kind,
        "marker": marker_of(plan, p.px, p.py),
    }  # fmt: skip


def marker_of(plan, x, y) -> dict | None:
    """Where the marker sits over the plan image, in % of its width and height."""
    if plan is None or x is None or y is None or not plan.width_m or not plan.height_m:
        return None
    left, top = 100 * x / plan.width_m, 100 * y / plan.height_m
    if not (0 <= left <= 100 and 0 <= top <= 100):
        return None
    return {"left": f"{left:.2f}", "top": f"{top:.2f}"}


def activities_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    """Like permits: everything, an area head's sites, a contractor's own activities."""
    if actor.sees_everything:
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(site_id__in=list(actor.site_ids))
    if actor.role == Role.CONTRACTOR_ADMIN:
        return qs.filter(organization_id__in=scope_organization_ids(actor))
    return qs.none()


def activity_list(*, actor: Actor, site_id: int | None = None, current_at=None) -> QuerySet:
    from .models import Activity

    qs = activities_visible(Activity.objects.all(), actor)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if current_at is not None:
        qs = qs.filter(cancelled_at__isnull=True, ends_at__gt=current_at)
    return qs.select_related("site", "work_area", "organization").order_by("starts_at", "id")
