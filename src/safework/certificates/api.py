"""Certificates endpoints (add, list, read, change, renew, suspend, revoke, reinstate,
review, replace) and the read-only catalogue of certificate types."""

from datetime import date
from typing import Literal

from ninja import Field, Query, Router, Schema

from safework.core.api import InputSchema, LocalDateTime, answers, created, paged, resolve_ref
from safework.core.auth import actor_of
from safework.core.clock import today
from safework.people.selectors import person_queryset

from .choices import IssuingSystem, RevocationKind, Status
from .models import Certificate
from .selectors import catalogue_list, certificate_list, certificate_queryset
from .services import (
    certificate_create,
    certificate_record_review,
    certificate_reinstate,
    certificate_renew,
    certificate_replace,
    certificate_revoke,
    certificate_suspend,
    certificate_update,
)
from .status import status_of

router = Router(tags=["certificates"])
catalogue_router = Router(tags=["catalogue"])

CERT = "/certificates/{int:certificate_id}"
TYPE_CODE_HELP = "Catalogue item code, e.g. MEM-2.1 or SAMR-N1."
REVIEW_DUE_HELP = "Omit to compute it from the catalogue (MEM: every 3 years)."


class CertificateIn(InputSchema):
    person_id: int
    type_code: str = Field(description=TYPE_CODE_HELP)
    number: str = Field(max_length=64)
    issued_by: str = Field(max_length=200, description="Issuing authority.")
    first_issued_on: date
    valid_from: date
    valid_until: date = Field(description="The last day the certificate is valid.")
    next_review_due: date | None = Field(None, description=REVIEW_DUE_HELP)
    scope_note: str = Field("", max_length=200, description="e.g. 桥式 for a crane driver.")
    review_extended: bool = Field(False, description="Review every 6 years (第二十一条).")
    review_extended_by: str = Field("", max_length=100)


class CertificatePatch(InputSchema):
    """Only the fields sent are changed."""

    type_code: str | None = Field(None, description=TYPE_CODE_HELP)
    number: str | None = Field(None, max_length=64)
    issued_by: str | None = Field(None, max_length=200)
    first_issued_on: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    next_review_due: date | None = None
    scope_note: str | None = Field(None, max_length=200)
    review_extended: bool | None = None
    review_extended_by: str | None = Field(None, max_length=100)


class ReplacementIn(InputSchema):
    """The new certificate issued after renewal; omitted fields are taken from the old one."""

    number: str = Field(max_length=64)
    valid_from: date
    valid_until: date
    issued_by: str | None = Field(None, max_length=200)
    first_issued_on: date | None = None
    next_review_due: date | None = Field(None, description=REVIEW_DUE_HELP)
    scope_note: str = Field("", max_length=200)


class RenewalIn(InputSchema):
    reason: str = Field("", max_length=300)


class SuspensionIn(InputSchema):
    reason: str = Field(max_length=300)


class RevocationIn(InputSchema):
    reason: str = Field(max_length=300)
    kind: Literal[tuple(RevocationKind.values)] = Field(
        RevocationKind.REVOKED.value, description="revoked (撤销) or cancelled (注销)."
    )


class ReviewIn(InputSchema):
    reviewed_on: date
    authority: str = Field("", max_length=200)
    next_due: date | None = Field(None, description="Omit to move it by the review interval.")
    note: str = Field("", max_length=300)


class CertificateOut(Schema):
    id: int
    person_id: int
    person_name: str
    organization_id: int
    type_code: str
    type_name: str
    number: str
    issued_by: str
    first_issued_on: date
    valid_from: date
    valid_until: date
    next_review_due: date | None
    scope_note: str
    review_extended: bool
    manual_state: str
    manual_state_on: date | None
    manual_reason: str
    revocation_kind: str
    superseded: bool
    replaces_id: int | None
    status: str = Field(description="Status today: valid, expiring, review_overdue, ...")
    status_label: str
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_organization_id(obj) -> int:
        return obj.person.organization_id

    @staticmethod
    def resolve_type_code(obj) -> str:
        return obj.type.code

    @staticmethod
    def resolve_type_name(obj) -> str:
        return obj.type.name

    @staticmethod
    def resolve_status(obj) -> str:
        # Lists carry the SQL annotation; single objects use the pure function (same rule).
        return getattr(obj, "status", None) or status_of(obj, today())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(Status(CertificateOut.resolve_status(obj)).label)


class ReviewOut(Schema):
    id: int
    certificate_id: int
    reviewed_on: date
    authority: str
    previous_due: date | None
    next_due: date | None
    note: str
    recorded_at: LocalDateTime


class CertificateFilters(Schema):
    status: Literal[tuple(Status.values)] | None = Field(None, description="Status today.")
    within_days: int | None = Field(
        None, ge=0, le=3650, description="Expiry or review due within this many days."
    )
    organization_id: int | None = None
    type_code: str = Field("", description=TYPE_CODE_HELP)
    person_id: int | None = None


class CertificateTypeOut(Schema):
    code: str
    system: str
    category_code: str
    category_name: str
    name: str
    validity_years: int
    review_interval_years: int | None
    review_window_days: int
    min_age: int
    max_registration_age: int | None
    code_unconfirmed: bool
    aliases: list[str]


class CatalogueFilters(Schema):
    system: Literal[tuple(IssuingSystem.values)] | None = None


def _certificate(request, certificate_id: int) -> Certificate:
    qs = certificate_queryset(actor_of(request)).select_related("person", "type")
    return qs.get(pk=certificate_id)


@router.post(
    "/certificates",
    response=answers(CertificateOut, 201),
    summary="Add a certificate",
    description="409 when a current certificate of this type has the same number.",
)
def create_certificate(request, payload: CertificateIn):
    data = payload.dict()
    person = resolve_ref(person_queryset(actor_of(request)), data.pop("person_id"), "person_id")
    return created(certificate_create(actor=actor_of(request), person=person, **data))


@router.get(
    "/certificates",
    response=answers(list[CertificateOut]),
    summary="List certificates with their status",
    description="Current certificates (replaced ones only with status=superseded), by expiry.",
)
@paged
def list_certificates(request, filters: Query[CertificateFilters]):
    return certificate_list(
        actor=actor_of(request),
        on=today(),
        status=filters.status or "",
        within_days=filters.within_days,
        organization_id=filters.organization_id,
        type_code=filters.type_code.strip(),
        person_id=filters.person_id,
    )


@router.get(CERT, response=answers(CertificateOut), summary="One certificate")
def get_certificate(request, certificate_id: int):
    return _certificate(request, certificate_id)


@router.patch(CERT, response=answers(CertificateOut), summary="Correct a certificate's data")
def update_certificate(request, certificate_id: int, payload: CertificatePatch):
    certificate = _certificate(request, certificate_id)
    data = payload.dict(exclude_unset=True)
    return certificate_update(actor=actor_of(request), certificate=certificate, **data)


@router.post(
    f"{CERT}/renewal",
    response=answers(CertificateOut),
    summary="Mark as being renewed (换证中)",
    description="The certificate stops qualifying until the new one is recorded "
    "(see /replacement).",
)
def renew_certificate(request, certificate_id: int, payload: RenewalIn | None = None):
    certificate = _certificate(request, certificate_id)
    reason = payload.reason if payload else ""
    return certificate_renew(actor=actor_of(request), certificate=certificate, reason=reason)


@router.post(f"{CERT}/suspension", response=answers(CertificateOut), summary="Suspend (暂扣)")
def suspend_certificate(request, certificate_id: int, payload: SuspensionIn):
    certificate = _certificate(request, certificate_id)
    return certificate_suspend(
        actor=actor_of(request), certificate=certificate, reason=payload.reason
    )


@router.post(
    f"{CERT}/revocation",
    response=answers(CertificateOut),
    summary="Revoke (撤销) or cancel (注销)",
    description="Final: to work again the person needs a new certificate.",
)
def revoke_certificate(request, certificate_id: int, payload: RevocationIn):
    certificate = _certificate(request, certificate_id)
    return certificate_revoke(
        actor=actor_of(request), certificate=certificate, reason=payload.reason, kind=payload.kind
    )


@router.post(
    f"{CERT}/reinstatement",
    response=answers(CertificateOut),
    summary="Lift a suspension or abandon a renewal",
)
def reinstate_certificate(request, certificate_id: int, payload: RenewalIn):
    certificate = _certificate(request, certificate_id)
    return certificate_reinstate(
        actor=actor_of(request), certificate=certificate, reason=payload.reason
    )


@router.post(
    f"{CERT}/reviews",
    response=answers(ReviewOut, 201),
    summary="Record a passed review (复审)",
    description="Moves next_review_due by the review interval unless next_due is given.",
)
def record_review(request, certificate_id: int, payload: ReviewIn):
    certificate = _certificate(request, certificate_id)
    review = certificate_record_review(
        actor=actor_of(request), certificate=certificate, **payload.dict()
    )
    return created(review)


@router.post(
    f"{CERT}/replacement",
    response=answers(CertificateOut, 201),
    summary="Record the new certificate that replaces this one",
    description="The old certificate is kept in history with status superseded.",
)
def replace_certificate(request, certificate_id: int, payload: ReplacementIn):
    certificate = _certificate(request, certificate_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    new = certificate_replace(actor=actor_of(request), certificate=certificate, **data)
    return created(new)


@catalogue_router.get(
    "/catalogue",
    response=answers(list[CertificateTypeOut]),
    summary="The certificate types (operation items)",
    description="MEM special operations and SAMR special equipment items, with validity and "
    "review intervals (RULES.md).",
)
def list_catalogue(request, filters: Query[CatalogueFilters]):
    qs = catalogue_list()
    return qs.filter(system=filters.system) if filters.system else qs
