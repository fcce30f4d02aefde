"""Gate endpoints (token scope ``gate`` only: read and write tokens are refused) and the
badge endpoints of a person (register scopes: a gate token is refused there)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from safework.certificates.reasons import reason_label
from safework.core.api import InputSchema, LocalDateTime, answers, created, resolve_ref
from safework.core.auth import actor_of, api_auth
from safework.core.choices import TokenScope
from safework.core.models import Organization
from safework.core.uploads import safe_file_response
from safework.people.models import Person
from safework.people.selectors import person_get, person_queryset

from . import qr, services
from .allowlist import photo_url
from .choices import CredentialKind, Direction
from .models import AreaAuthorization
from .selectors import (
    MAX_DELTA,
    allowlist_read,
    badge_of,
    gate_list,
    person_for_gate,
    work_areas_visible,
)

GATE_SCOPES = frozenset({TokenScope.GATE})
gate_router = Router(tags=["gate"], auth=api_auth(GATE_SCOPES))
badge_router = Router(tags=["badges"])
authorization_router = Router(tags=["gate"])


# --- gate check -----------------------------------------------------------------------------


class GateCheckIn(InputSchema):
    credential: str = Field(
        max_length=500,
        description="What was presented: the badge token (or the URL in its QR code), an "
        "18-character ID number, or a person id.",
    )
    credential_type: Literal[tuple(CredentialKind.values)] = Field(
        CredentialKind.AUTO.value, description="`auto` tells the kinds apart by their shape."
    )
    gate: str | None = Field(
        None,
        max_length=50,
        description="A configured gate's code. Without it: the person's own qualification "
        "for all their special operations (and admission).",
    )
    direction: Literal[tuple(Direction.values)] | None = Field(
        None, description="in or out; default the gate's direction, else in."
    )


class PersonSummary(Schema):
    id: int
    name: str
    organization_id: int
    organization_name: str
    id_number_masked: str
    employment_state: str
    special_operations: list[str]
    photo_url: str | None


class GateCheckOut(Schema):
    decision: Literal["allow", "deny"]
    reasons: list[str] = Field(description="Every reason that applies (stable codes).")
    reason_labels: list[str] = Field(description="The reasons in the request's language.")
    person: PersonSummary | None = Field(description="Null for an unknown credential.")
    gate: str | None
    area_id: int | None
    direction: str
    event_id: int
    checked_at: LocalDateTime


def _summary(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "name": person.name,
        "organization_id": person.organization_id,
        "organization_name": person.organization.name,
        "id_number_masked": person.id_number_masked,
        "employment_state": person.employment_state,
        "special_operations": [t.code for t in person.special_operations.all()],
        "photo_url": photo_url(person.pk) if person.photo else None,
    }


@gate_router.post(
    "/gate/check",
    response=answers(GateCheckOut),
    summary="May this person pass this gate now?",
    description="allow or deny with every reason code that applies; each decision is "
    "recorded as a gate event and in the audit trail. Exits are always allowed (nobody "
    "is held inside); their reasons are still reported. 422 for an unknown gate code.",
)
def gate_check(request, payload: GateCheckIn):
    result = services.gate_check(
        actor=actor_of(request),
        credential=payload.credential,
        gate_code=payload.gate,
        direction=payload.direction,
        kind=payload.credential_type,
    )
    return {
        "decision": result.decision,
        "reasons": result.reasons,
        "reason_labels": [reason_label(r) for r in result.reasons],
        "person": _summary(result.person),
        "gate": result.gate.code if result.gate else None,
        "area_id": result.gate.area_id if result.gate else None,
        "direction": result.direction,
        "event_id": result.event.pk,
        "checked_at": result.event.at,
    }


# --- allowlist ------------------------------------------------------------------------------


class AllowlistQuery(Schema):
    since: str = Field("", max_length=60, description="The cursor of the previous answer.")
    limit: int = Field(
        MAX_DELTA, ge=1, le=MAX_DELTA, description="Most changes in one delta answer."
    )


class EntryOut(Schema):
    person_id: int
    name: str
    organization_id: int | None
    allowed: bool = Field(description="false: remove the person from the local list.")
    allowed_areas: list[int] = Field(description="Work area ids the person may enter.")
    allowed_until: datetime | None = Field(
        description="Treat the entry as expired from this moment even without a new sync "
        "(a certificate lapsing, a review falling due, an authorisation ending)."
    )
    badge_hash: str | None = Field(description="Hex SHA-256 of the badge token.")
    photo_url: str | None
    photo_sha256: str | None


class GateMapOut(Schema):
    code: str
    area_id: int
    direction: str


class AllowlistOut(Schema):
    cursor: str = Field(description="Send it as `since` next time.")
    full: bool = Field(description="true: replace the local list; false: apply changes.")
    more: bool = Field(description="true: more changes wait; ask again at once.")
    generated_at: datetime
    gates: list[GateMapOut]
    entries: list[EntryOut]


@gate_router.get(
    "/gate/allowlist",
    response=answers(AllowlistOut),
    summary="The allowlist for offline controllers",
    description="Without `since`, or with a cursor that is too old (or from before a "
    "rebuild): the full list of allowed people (`full: true`). With a cursor: the entries "
    "changed since, including time-driven ones (a certificate that lapsed at midnight) and "
    "removals (`allowed: false`).",
)
def allowlist(request, query: Query[AllowlistQuery]):
    answer = allowlist_read(actor=actor_of(request), since=query.since, limit=query.limit)
    return HttpResponse(answer.body, content_type="application/json; charset=utf-8")


@gate_router.get("/gate/photos/{int:person_id}", summary="A person's face photo (JPEG)")
def gate_photo(request, person_id: int):
    person = person_for_gate(actor_of(request), pk=person_id)
    if person is None or not person.photo:
        raise Person.DoesNotExist
    return safe_file_response(person.photo, "image/jpeg")


class PingOut(Schema):
    now: LocalDateTime = Field(description="Server time: controllers keep their clocks by it.")


@gate_router.get("/gate/ping", response=answers(PingOut), summary="Reachability and time")
def ping(request):
    return {"now": timezone.now()}


class GateOut(Schema):
    code: str
    name: str
    area_id: int
    area_name: str
    site_id: int
    direction: str
    is_active: bool

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_site_id(obj) -> int:
        return obj.area.site_id


@gate_router.get("/gate/gates", response=answers(list[GateOut]), summary="Configured gates")
def gates(request):
    return gate_list(actor_of(request)).order_by("code")


# --- badges --------------------------------------------------------------------------------


class BadgeOut(Schema):
    token: str = Field(description="The signed badge token held by the QR code.")
    url: str = Field(description="The public verification page the QR code opens.")
    png_url: str
    svg_url: str
    version: int
    key_id: str
    issued_at: LocalDateTime
    revoked: bool


class BadgeChangeIn(InputSchema):
    reason: str = Field("", max_length=300)


def _person(request, person_id: int) -> Person:
    return person_get(actor=actor_of(request), pk=person_id)


def _badge_answer(request, badge) -> dict:
    token = services.badge_token(badge)
    base = f"/api/v1/persons/{badge.person_id}/badge"
    return {
        "token": token,
        "url": qr.badge_url(token, request),
        "png_url": f"{base}.png",
        "svg_url": f"{base}.svg",
        "version": badge.version,
        "key_id": badge.key_id,
        "issued_at": badge.issued_at,
        "revoked": badge.is_revoked,
    }


@badge_router.get(
    "/persons/{int:person_id}/badge",
    response=answers(BadgeOut),
    summary="The person's current QR badge",
    description="Issued on first request (one person, one code).",
)
def get_badge(request, person_id: int):
    person = _person(request, person_id)
    return _badge_answer(request, services.badge_ensure(actor=actor_of(request), person=person))


def _image(request, person_id: int, render, content_type: str):
    person = _person(request, person_id)
    badge = badge_of(person) or services.badge_ensure(actor=actor_of(request), person=person)
    url = qr.badge_url(services.badge_token(badge), request)
    response = HttpResponse(render(url), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@badge_router.get("/persons/{int:person_id}/badge.png", summary="The QR badge as PNG")
def badge_png(request, person_id: int):
    return _image(request, person_id, qr.png, "image/png")


@badge_router.get("/persons/{int:person_id}/badge.svg", summary="The QR badge as SVG")
def badge_svg(request, person_id: int):
    return _image(request, person_id, qr.svg, "image/svg+xml")


@badge_router.post(
    "/persons/{int:person_id}/badge/reissue",
    response=answers(BadgeOut),
    summary="Issue a new badge; earlier prints stop working",
)
def reissue_badge(request, person_id: int, payload: BadgeChangeIn):
    person = _person(request, person_id)
    badge = services.badge_reissue(actor=actor_of(request), person=person, reason=payload.reason)
    return _badge_answer(request, badge)


@badge_router.post(
    "/persons/{int:person_id}/badge/revoke",
    response=answers(BadgeOut),
    summary="Revoke the badge (lost, stolen); reissue to give a new one",
)
def revoke_badge(request, person_id: int, payload: BadgeChangeIn):
    person = _person(request, person_id)
    badge = services.badge_revoke(actor=actor_of(request), person=person, reason=payload.reason)
    return _badge_answer(request, badge)


# --- area authorisations -------------------------------------------------------------------


class AuthorizationIn(InputSchema):
    area_id: int
    person_id: int | None = Field(None, description="Either a person ...")
    organization_id: int | None = Field(None, description="... or a whole organization.")
    valid_from: date | None = Field(None, description="First day (inclusive); open if empty.")
    valid_until: date | None = Field(None, description="Last day (inclusive); open if empty.")
    note: str = Field("", max_length=300)


class AuthorizationOut(Schema):
    id: int
    area_id: int
    person_id: int | None
    organization_id: int | None
    valid_from: date | None
    valid_until: date | None
    note: str


class AuthorizationQuery(Schema):
    area_id: int


@authorization_router.post(
    "/access/authorizations",
    response=answers(AuthorizationOut, 201),
    summary="Authorise a person or an organization for a work area",
)
def create_authorization(request, payload: AuthorizationIn):
    actor = actor_of(request)
    area = resolve_ref(work_areas_visible(actor), payload.area_id, "area_id")
    person = resolve_ref(person_queryset(actor), payload.person_id, "person_id")
    org = resolve_ref(Organization.objects.all(), payload.organization_id, "organization_id")
    auth = services.authorization_create(
        actor=actor,
        area=area,
        person=person,
        organization=org,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        note=payload.note,
    )
    return created(auth)


@authorization_router.get(
    "/access/authorizations",
    response=answers(list[AuthorizationOut]),
    summary="A work area's authorisations",
)
def list_authorizations(request, query: Query[AuthorizationQuery]):
    from .selectors import authorization_list

    actor = actor_of(request)
    area = work_areas_visible(actor).get(pk=query.area_id)
    return authorization_list(actor, area)


@authorization_router.delete(
    "/access/authorizations/{int:authorization_id}",
    response={204: None},
    summary="Withdraw an authorisation",
)
def delete_authorization(request, authorization_id: int):
    actor = actor_of(request)
    auth = AreaAuthorization.objects.get(pk=authorization_id, area__in=work_areas_visible(actor))
    services.authorization_delete(actor=actor, authorization=auth)
    return Status(204, None)
