"""Persons endpoints: register, list, read, change, and whether a person is qualified."""

from datetime import date
from typing import Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from safework.certificates.qualification import Qualification, qualification, qualifications_for
from safework.certificates.reasons import reason_label
from safework.certificates.selectors import catalogue_list
from safework.core.access import organizations_visible, sites_visible
from safework.core.api import InputSchema, LocalDateTime, answers, created, paged, resolve_ref
from safework.core.auth import actor_of
from safework.core.clock import today
from safework.core.errors import ValidationFailed
from safework.core.models import Organization, Site

from .choices import EmploymentState
from .models import Person
from .selectors import PERSON_STATUS_FILTERS, person_get, person_list
from .services import person_create, person_reveal_id_number, person_set_state, person_update

router = Router(tags=["persons"])

ITEM_CODES_HELP = "Operation item codes of the catalogue, e.g. MEM-2.1 or SAMR-N1."


class PersonIn(InputSchema):
    name: str = Field(max_length=100)
    id_number: str = Field(description="18-character resident ID number (checksum-validated).")
    phone: str = Field("", max_length=20, description="Mobile number, 11 digits.")
    organization_id: int
    special_operations: list[str] = Field(default_factory=list, description=ITEM_CODES_HELP)
    site_ids: list[int] = Field(default_factory=list, description="Sites the person works at.")
    job_title: str = Field("", max_length=100)
    note: str = ""


class PersonPatch(InputSchema):
    """Only the fields sent are changed."""

    name: str | None = Field(None, max_length=100)
    id_number: str | None = None
    phone: str | None = Field(None, max_length=20)
    organization_id: int | None = None
    special_operations: list[str] | None = Field(None, description=ITEM_CODES_HELP)
    site_ids: list[int] | None = None
    job_title: str | None = Field(None, max_length=100)
    note: str | None = None


class EmploymentStateIn(InputSchema):
    state: Literal[tuple(EmploymentState.values)]
    reason: str = Field("", max_length=300, description="Required for blacklisting.")


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str = Field(description="Area code and last four digits only.")
    birth_date: date
    sex: str = Field(description="M or F, from the ID number.")
    phone: str
    organization_id: int
    organization_name: str
    special_operations: list[str] = Field(description=ITEM_CODES_HELP)
    site_ids: list[int]
    employment_state: str
    state_reason: str
    job_title: str
    note: str
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_organization_name(obj) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_special_operations(obj) -> list[str]:
        return [t.code for t in obj.special_operations.all()]

    @staticmethod
    def resolve_site_ids(obj) -> list[int]:
        return [s.id for s in obj.sites.all()]


class IdNumberOut(Schema):
    id_number: str


class PersonFilters(Schema):
    q: str = Field("", description="Name, phone digits or a full ID number.")
    organization_id: int | None = None
    site_id: int | None = None
    item: str = Field("", description="Assigned operation item code, e.g. MEM-2.1.")
    status: Literal[tuple(PERSON_STATUS_FILTERS)] | None = Field(
        None,
        description="People holding a certificate with this status, or `unqualified`: "
        "people lacking a qualifying certificate for one of their operations.",
    )
    employment_state: Literal[tuple(EmploymentState.values)] | None = None


class QualificationQuery(Schema):
    operation: str = Field(description="Operation item code, e.g. MEM-2.1.")
    on: date | None = Field(None, description="The day asked about; default today.")


class OnQuery(Schema):
    on: date | None = Field(None, description="The day asked about; default today.")


class QualificationOut(Schema):
    operation: str
    on: date
    qualified: bool
    reasons: list[str] = Field(description="Stable reason codes, e.g. certificate_expired.")
    reason_labels: list[str] = Field(description="The reasons in the request's language.")
    certificate_id: int | None = Field(description="The certificate that qualifies, or null.")
    status: str | None = Field(description="Status of the deciding certificate.")
    valid_until: date | None


def _answer(result: Qualification, on: date) -> dict:
    return {
        "operation": result.item_code,
        "on": on,
        "qualified": result.qualified,
        "reasons": list(result.reasons),
        "reason_labels": [reason_label(r) for r in result.reasons],
        "certificate_id": result.certificate_id,
        "status": result.status,
        "valid_until": result.valid_until,
    }


def _references(request, data: dict) -> dict:
    """Body ids -> the objects the services take, among those the caller may see."""
    actor = actor_of(request)
    if "organization_id" in data:
        orgs = organizations_visible(Organization.objects.all(), actor)
        data["organization"] = resolve_ref(orgs, data.pop("organization_id"), "organization_id")
    if data.get("site_ids") is not None:
        data["sites"] = _sites(sites_visible(Site.objects.all(), actor), data["site_ids"])
    data.pop("site_ids", None)
    return data


def _sites(qs: QuerySet[Site], ids: list[int]) -> list[Site]:
    sites = list(qs.filter(id__in=ids))
    if len(sites) != len(set(ids)):
        raise ValidationFailed({"site_ids": _("No such record, or it is outside your scope.")})
    return sites


def _person(request, person_id: int) -> Person:
    return person_get(actor=actor_of(request), pk=person_id)


@router.post(
    "/persons",
    response=answers(PersonOut, 201),
    summary="Register a person",
    description="422 when the ID number's checksum is wrong or a field is invalid; 409 when "
    "a person with this ID number is already registered.",
)
def create_person(request, payload: PersonIn):
    data = _references(request, payload.dict())
    return created(person_create(actor=actor_of(request), **data))


@router.get(
    "/persons",
    response=answers(list[PersonOut]),
    summary="List and search persons",
    description="Certificate status filters are evaluated today.",
)
@paged
def list_persons(request, filters: Query[PersonFilters]):
    qs = person_list(
        actor=actor_of(request),
        on=today(),
        q=filters.q,
        organization_id=filters.organization_id,
        site_id=filters.site_id,
        item_code=filters.item.strip(),
        status=filters.status or "",
        employment_state=filters.employment_state or "",
    )
    return qs.prefetch_related("special_operations", "sites")


@router.get("/persons/{int:person_id}", response=answers(PersonOut), summary="One person")
def get_person(request, person_id: int):
    return _person(request, person_id)


@router.patch(
    "/persons/{int:person_id}",
    response=answers(PersonOut),
    summary="Change a person",
    description="Send only the fields to change; lists replace the previous list.",
)
def update_person(request, person_id: int, payload: PersonPatch):
    person = _person(request, person_id)
    data = _references(request, payload.dict(exclude_unset=True))
    return person_update(actor=actor_of(request), person=person, **data)


@router.post(
    "/persons/{int:person_id}/employment-state",
    response=answers(PersonOut),
    summary="Deactivate, blacklist or reactivate a person",
)
def set_employment_state(request, person_id: int, payload: EmploymentStateIn):
    person = _person(request, person_id)
    return person_set_state(
        actor=actor_of(request), person=person, state=payload.state, reason=payload.reason
    )


@router.get(
    "/persons/{int:person_id}/id-number",
    response=answers(IdNumberOut),
    summary="The full ID number",
    description="Safety managers only (personal information law); every view is audited.",
)
def reveal_id_number(request, person_id: int):
    person = _person(request, person_id)
    return {"id_number": person_reveal_id_number(actor=actor_of(request), person=person)}


@router.get(
    "/persons/{int:person_id}/qualification",
    response=answers(QualificationOut),
    summary="May this person do this operation on this day?",
    description="The same rule the gate and the permits apply: an active person holding a "
    "valid or expiring certificate for the item. Reasons explain a no.",
)
def get_qualification(request, person_id: int, query: Query[QualificationQuery]):
    person = _person(request, person_id)
    code = query.operation.strip()
    if not catalogue_list().filter(code=code).exists():
        raise ValidationFailed(
            {"operation": _("Unknown operation item code: %(codes)s") % {"codes": code}}
        )
    on = query.on or today()
    return _answer(qualification(person, code, on), on)


@router.get(
    "/persons/{int:person_id}/qualifications",
    response=answers(list[QualificationOut]),
    summary="Qualification for each of the person's special operations",
)
def list_qualifications(request, person_id: int, query: Query[OnQuery]):
    person = _person(request, person_id)
    on = query.on or today()
    return [_answer(result, on) for result in qualifications_for(person, on)]
