"""Permit endpoints: list and read (scoped), record a gas analysis, and the day's
state of a permit. Thin: parse, call one selector or service."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from safework.core.api import InputSchema, LocalDateTime, answers, created, paged
from safework.core.auth import actor_of

from . import selectors, services
from .models import Permit

router = Router(tags=["permits"])


class PermitOut(Schema):
    id: int
    number: str
    kind: str
    level: str
    status: str
    site_id: int
    work_area_id: int
    place: str
    content: str
    planned_start: LocalDateTime
    planned_end: LocalDateTime
    applicant_org_id: int
    performing_org_id: int
    started_at: LocalDateTime | None
    completed_at: LocalDateTime | None


class GasTestOut(Schema):
    id: int
    sampled_at: LocalDateTime
    sample_point: str
    result_percent: Decimal | None
    oxygen_percent: Decimal | None
    passed: bool
    failures: list[str]


class PermitFilters(Schema):
    site_id: int | None = None
    status: str = Field("", description="draft, approved, in_progress, suspended, …")
    kind: str = Field("", description="hot_work, confined_space, height, lifting, …")
    active: bool = Field(False, description="Approved, in progress or suspended only.")


class GasTestIn(InputSchema):
    sampled_at: datetime = Field(description="ISO 8601 with offset.")
    sample_point: str = Field(max_length=200)
    analyst: str = Field(max_length=100)
    instrument: str = Field(max_length=100)
    gas_name: str = Field("", max_length=100)
    lel_percent: Decimal | None = None
    result_percent: Decimal | None = None
    oxygen_percent: Decimal | None = None
    toxic_gas: str = Field("", max_length=50)
    toxic_ppm: Decimal | None = None
    toxic_limit_ppm: Decimal | None = None
    oxygen_enriched: bool = False


def _get(request, permit_id: int) -> Permit:
    try:
        return selectors.permit_get(actor=actor_of(request), pk=permit_id)
    except Permit.DoesNotExist:
        raise Http404 from None


@router.get("/permits", response=answers(list[PermitOut]), summary="List work permits")
@paged
def list_permits(request, filters: Query[PermitFilters]):
    return selectors.permit_list(actor=actor_of(request), **filters.dict())


@router.get("/permits/{int:permit_id}", response=answers(PermitOut))
def get_permit(request, permit_id: int):
    return _get(request, permit_id)


@router.post("/permits/{int:permit_id}/gas-tests", response=answers(GasTestOut, 201))
def record_gas_test(request, permit_id: int, payload: GasTestIn):
    permit = _get(request, permit_id)
    row = services.gas_test_record(actor=actor_of(request), permit=permit, **payload.dict())
    return created(row)


# --- SIMOPS: registered activities, a permit's conflicts, coordinator sign-offs -----------


class ActivityOut(Schema):
    id: int
    site_id: int
    work_area_id: int | None
    organization_id: int
    kind: str
    description: str
    x_m: float
    y_m: float
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    flammable: bool
    confined_space_ref: str
    tank_dike_ref: str
    pipeline_ref: str
    cancelled_at: LocalDateTime | None


class ActivityIn(InputSchema):
    site_id: int
    kind: str = Field(description="venting, draining, cleaning, painting, sampling, "
                                  "dust_sweeping")  # fmt: skip
    description: str = Field(max_length=300)
    organization_id: int = Field(description="The performing unit.")
    work_area_id: int | None = None
    starts_at: datetime = Field(description="ISO 8601 with offset.")
    ends_at: datetime
    x_m: float = Field(description="Metres from the site plan's left edge.")
    y_m: float = Field(description="Metres from the site plan's top edge.")
    flammable: bool = False
    confined_space_ref: str = Field("", max_length=100)
    tank_dike_ref: str = Field("", max_length=100)
    pipeline_ref: str = Field("", max_length=100)


class ActivityFilters(Schema):
    site_id: int | None = None
    current: bool = Field(False, description="Only activities not ended and not yet over.")


class ConflictOut(Schema):
    key: str = Field(description="Rule and other job, e.g. cross_work:permit:12.")
    rule: str
    clause: str = Field(description="The clause of GB 30871-2022.")
    field: str
    message: str
    blocks: bool
    signoff_allowed: bool
    signed: bool
    distance_m: float | None
    limit_m: float | None


class SignoffOut(Schema):
    id: int
    key: str
    coordinator: str
    note: str
    signed_by_label: str
    signed_at: LocalDateTime


class SimopsOut(Schema):
    conflicts: list[ConflictOut]
    signoffs: list[SignoffOut]


class SignoffIn(InputSchema):
    key: str = Field(max_length=80, description="The ``key`` of a cross_work conflict.")
    coordinator: str = Field(max_length=150, description="The named coordinator (4.7).")
    note: str = Field(max_length=300, description="What the coordinator arranged.")


@router.get("/simops/activities", response=answers(list[ActivityOut]),
            summary="List registered activities")  # fmt: skip
@paged
def list_activities(request, filters: Query[ActivityFilters]):
    from django.utils import timezone

    when = timezone.now() if filters.current else None
    return selectors.activity_list(actor=actor_of(request), site_id=filters.site_id,
                                   current_at=when)  # fmt: skip


@router.post("/simops/activities", response=answers(ActivityOut, 201),
             summary="Register an activity (refused near live hot work)")  # fmt: skip
def register_activity(request, payload: ActivityIn):
    from safework.core.access import organizations_visible, sites_visible
    from safework.core.api import resolve_ref
    from safework.core.models import Organization, Site, WorkArea

    actor, data = actor_of(request), payload.dict()
    site = resolve_ref(sites_visible(Site.objects.all(), actor), data.pop("site_id"), "site_id")
    orgs = Organization.objects.all()
    orgs = orgs if actor.sees_everything else organizations_visible(orgs, actor)
    data["organization"] = resolve_ref(orgs, data.pop("organization_id"), "organization_id")
    data["work_area"] = resolve_ref(WorkArea.objects.filter(site=site),
                                    data.pop("work_area_id"), "work_area_id")  # fmt: skip
    return created(services.simops.activity_register(actor=actor, site=site, **data))


@router.post("/simops/activities/{int:activity_id}/end", response=answers(ActivityOut))
def end_activity(request, activity_id: int):
    actor = actor_of(request)
    act = selectors.activity_list(actor=actor).filter(pk=activity_id).first()
    if act is None:
        raise Http404
    return services.simops.activity_end(actor=actor, activity=act)


def _conflict_out(c) -> dict:
    from .rules.simops import message

    return {"key": c.key, "rule": c.rule.code, "clause": c.rule.clause, "field": c.rule.field,
            "message": message(c), "blocks": c.blocks, "signoff_allowed": c.rule.signoff,
            "signed": c.signed, "distance_m": c.distance_m, "limit_m": c.limit_m}  # fmt: skip


@router.get("/permits/{int:permit_id}/simops", response=answers(SimopsOut),
            summary="A permit's SIMOPS conflicts as they stand now")  # fmt: skip
def permit_simops(request, permit_id: int):
    permit = _get(request, permit_id)
    found = services.simops.permit_conflicts(permit)
    return {"conflicts": [_conflict_out(c) for c in found],
            "signoffs": list(permit.simops_signoffs.all())}  # fmt: skip


@router.post("/permits/{int:permit_id}/simops/signoffs", response=answers(SignoffOut, 201),
             summary="A coordinator's sign-off of cross work (GB 30871 4.7)")  # fmt: skip
def sign_off(request, permit_id: int, payload: SignoffIn):
    permit = _get(request, permit_id)
    row = services.simops.simops_signoff(actor=actor_of(request), permit=permit,
                                         **payload.dict())  # fmt: skip
    return created(row)
