"""Shared pieces of the HTTP API (pagination, types, id references) and the organizations
endpoints. Handlers are thin: parse, call one service or selector, return."""

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import PaginationBase, paginate
from ninja.responses import Status
from pydantic import ConfigDict, PlainSerializer, WithJsonSchema

from .access import organizations_visible
from .auth import actor_of
from .choices import OrganizationKind
from .errors import ValidationFailed
from .models import Organization
from .services import organization_create

MAX_PAGE_SIZE = 200

# Times are answered in Asia/Shanghai with their offset (2025-03-01T08:30:00+08:00).
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(lambda v: timezone.localtime(v).isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class FieldErrorOut(Schema):
    field: str = Field(description="The request field, e.g. id_number.")
    message: str


class ErrorOut(Schema):
    message: str = Field(description="Every problem, each prefixed by its field's label.")
    errors: list[FieldErrorOut]


ERROR_CODES = (400, 401, 403, 404, 409, 422)


def created(obj):
    """A 201 answer for an operation declared with ``answers(Schema, 201)``."""
    return Status(201, obj)


def answers(schema, status: int = 200) -> dict:
    """The ``response=`` of an operation: its answer and the common error body."""
    return {status: schema, ERROR_CODES: ErrorOut}


class InputSchema(Schema):
    """Request bodies reject unknown fields, so a misspelt field name is an error, not a
    silently ignored value."""

    model_config = ConfigDict(extra="forbid")


class PagePagination(PaginationBase):
    """``page`` (1-based) and ``page_size`` (at most 200) in, ``{items, count, page,
    page_size, pages}`` out."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="Page number, starting at 1.")
        page_size: int = Field(
            ninja_settings.PAGINATION_PER_PAGE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page, at most {MAX_PAGE_SIZE}.",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Number of items on all pages.")
        page: int
        page_size: int
        pages: int = Field(description="Number of pages (0 when there are no items).")

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request, **params):
        size, page = pagination.page_size, pagination.page
        count = self._items_count(queryset)
        offset = (page - 1) * size
        return {
            # A page past the end is empty; it never reaches the database as a huge OFFSET.
            "items": queryset[offset : offset + size] if offset < count else [],
            "count": count,
            "page": page,
            "page_size": size,
            "pages": math.ceil(count / size),
        }


def paged(func):
    return paginate(PagePagination)(func)


def resolve_ref(qs: QuerySet, pk: int | None, field: str) -> Model | None:
    """The object a request body refers to by id, among those the actor may see; an id
    outside that set is a field error, phrased the same whether or not the row exists."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed({field: _("No such record, or it is outside your scope.")})
    return obj


router = Router(tags=["organizations"])

OrganizationKindCode = Literal[tuple(OrganizationKind.values)]


class OrganizationIn(InputSchema):
    name: str = Field(max_length=200, description="Full registered name, unique.")
    kind: OrganizationKindCode
    credit_code: str | None = Field(
        None, description="Unified social credit code (18 characters, checksum-validated)."
    )
    parent_id: int | None = Field(None, description="Parent organization (a subcontractor's).")
    contact_name: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=32)
    contact_email: str = Field("", max_length=254)


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str | None
    parent_id: int | None
    contact_name: str
    contact_phone: str
    contact_email: str
    is_active: bool
    created_at: LocalDateTime
    updated_at: LocalDateTime


class OrganizationFilters(Schema):
    q: str = Field("", description="Part of the name.")
    kind: OrganizationKindCode | None = None


def organizations(request) -> QuerySet[Organization]:
    return organizations_visible(Organization.objects.all(), actor_of(request))


@router.post(
    "/organizations",
    response=answers(OrganizationOut, 201),
    summary="Register an organization",
    description="Owner, contractor, subcontractor, supervisor or general contractor. "
    "Safety managers only (a write token without an organization).",
)
def create_organization(request, payload: OrganizationIn):
    data = payload.dict()
    data["parent"] = resolve_ref(organizations(request), data.pop("parent_id"), "parent_id")
    return created(organization_create(actor=actor_of(request), **data))


@router.get(
    "/organizations",
    response=answers(list[OrganizationOut]),
    summary="List organizations",
    description="The organizations visible to the caller, by name.",
)
@paged
def list_organizations(request, filters: Query[OrganizationFilters]):
    qs = organizations(request)
    if filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("name", "id")


@router.get(
    "/organizations/{int:organization_id}",
    response=answers(OrganizationOut),
    summary="One organization",
)
def get_organization(request, organization_id: int):
    return organizations(request).get(pk=organization_id)
