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
