"""Write services of gate access (STYLE.md 1-3): badges, gates and area rules,
authorisations, push endpoints, and the gate check, which records every decision.

Each is atomic and audited; what may change allowlist entries marks them dirty in the
same transaction (``allowlist.mark_dirty``), so the change reaches the feed and the push
endpoints however the process ends after commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_create, audit_record, diff
from safework.core import crypto
from safework.core.access import require_owner_admin, require_write
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.core.models import Organization, WorkArea
from safework.people.models import Person

from . import tokens
from .allowlist import mark_dirty
from .choices import CredentialKind, Decision, Direction, GateDirection
from .credentials import Resolved, resolve
from .decisions import area_reasons, authorized, standing
from .keys import ring
from .models import AreaAuthorization, AreaPolicy, Badge, Gate, GateEvent, PushEndpoint
from .selectors import forget_gates, gate_for_check

# --- badges ---------------------------------------------------------------------------------


def badge_token(badge: Badge) -> str:
    return tokens.sign(
        ring(), key_id=badge.key_id, person_id=badge.person_id, version=badge.version
    )


@transaction.atomic
def badge_ensure(*, actor: Actor, person: Person) -> Badge:
    """The person's badge, issued on first use (one person, one code)."""
    badge = Badge.objects.filter(person=person).first()
    if badge is not None:
        return badge
    try:
        with transaction.atomic():
            badge = Badge.objects.create(
                person=person, key_id=ring().signing, issued_at=timezone.now()
            )
    except IntegrityError:  # issued by a concurrent request
        return Badge.objects.get(person=person)
    audit_record(actor=actor, action="badge_issue", obj=person, changes=diff({}, _snap(badge)))
    mark_dirty(person_ids=[person.pk])
    return badge


def _snap(badge: Badge) -> dict:
    return {
        "badge_version": badge.version,
        "badge_key": badge.key_id,
        "badge_revoked_at": badge.revoked_at,
    }


@transaction.atomic
def badge_reissue(*, actor: Actor, person: Person, reason: str = "") -> Badge:
    """A new badge: every earlier print stops working (badge_revoked)."""
    require_write(actor)
    badge = Badge.objects.select_for_update().filter(person=person).first()
    if badge is None:
        return badge_ensure(actor=actor, person=person)
    before = _snap(badge)
    badge.version += 1
    badge.key_id, badge.issued_at = ring().signing, timezone.now()
    badge.revoked_at, badge.revoked_reason = None, ""
    badge.save()
    changes = diff(before, _snap(badge)) | _reason(reason)
    audit_record(actor=actor, action="badge_reissue", obj=person, changes=changes)
    mark_dirty(person_ids=[person.pk])
    return badge


def _reason(reason: str) -> dict:
    return {"reason": {"before": None, "after": reason}} if reason else {}


@transaction.atomic
def badge_revoke(*, actor: Actor, person: Person, reason: str) -> Badge:
    """The badge stops working until a new one is issued (lost, stolen, left)."""
    require_write(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why the badge is revoked.")})
    badge = badge_ensure(actor=actor, person=person)
    badge = Badge.objects.select_for_update().get(pk=badge.pk)
    if badge.is_revoked:
        return badge
    before = _snap(badge)
    badge.revoked_at, badge.revoked_reason = timezone.now(), reason[:300]
    badge.save(update_fields=["revoked_at", "revoked_reason"])
    changes = diff(before, _snap(badge)) | _reason(reason)
    audit_record(actor=actor, action="badge_revoke", obj=person, changes=changes)
    mark_dirty(person_ids=[person.pk])
    return badge


# --- gates, area rules, authorisations ------------------------------------------------------

GATE_FIELDS = ("code", "name", "area", "direction", "is_active")


def _gate_snap(gate: Gate) -> dict:
    return {f: getattr(gate, f) for f in GATE_FIELDS}


def _clean_gate(data: dict) -> dict:
    errors = {}
    if "code" in data:
        data["code"] = (data["code"] or "").strip().lower()
        if not data["code"]:
            errors["code"] = _("Enter the gate's code.")
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = _("Enter the gate's name.")
    if "area" in data and not isinstance(data["area"], WorkArea):
        errors["area"] = _("Choose the work area the gate leads into.")
    if "direction" in data and data["direction"] not in GateDirection.values:
        errors["direction"] = _("Choose entry, exit or both.")
    if errors:
        raise ValidationFailed(errors)
    return data


def _save_gate(gate: Gate) -> None:
    try:
        with transaction.atomic():
            gate.save()
    except IntegrityError:
        raise Conflict({"code": _("Another gate already has this code.")}) from None


@transaction.atomic
def gate_create(*, actor: Actor, **data) -> Gate:
    require_owner_admin(actor)
    data = _clean_gate({"direction": GateDirection.BOTH, **data})
    gate = Gate(**{k: v for k, v in data.items() if k in GATE_FIELDS})
    _save_gate(gate)
    forget_gates()
    audit_record(actor=actor, action="create", obj=gate, changes=diff({}, _gate_snap(gate)))
    return gate


@transaction.atomic
def gate_update(*, actor: Actor, gate: Gate, **data) -> Gate:
    require_owner_admin(actor)
    before = _gate_snap(gate)
    for key, value in _clean_gate(data).items():
        if key in GATE_FIELDS:
            setattr(gate, key, value)
    _save_gate(gate)
    forget_gates()
    audit_record(actor=actor, action="update", obj=gate, changes=diff(before, _gate_snap(gate)))
    return gate


@transaction.atomic
def area_policy_set(*, actor: Actor, area: WorkArea, requires_qualification: bool) -> AreaPolicy:
    require_owner_admin(actor)
    policy, _created = AreaPolicy.objects.get_or_create(area=area)
    if policy.requires_qualification != requires_qualification or _created:
        before = {"requires_qualification": None if _created else policy.requires_qualification}
        policy.requires_qualification = requires_qualification
        policy.save(update_fields=["requires_qualification"])
        forget_gates()
        after = {"requires_qualification": requires_qualification}
        audit_record(actor=actor, action="update", obj=area, changes=diff(before, after))
        mark_dirty(area_ids=[area.pk])
    return policy


def require_area_manager(actor: Actor, area: WorkArea) -> None:
    """Safety managers, and area heads for the areas of their own sites."""
    if actor.role == Role.AREA_HEAD and actor.can_write and area.site_id in actor.site_ids:
        return
    if actor.role == Role.SAFETY_MANAGER and actor.can_write:
        return
    raise NotAllowed(_("Only safety managers and the area's head can change who may enter."))


AUTH_FIELDS = ("area", "person", "organization", "valid_from", "valid_until", "note")


def _auth_snap(auth: AreaAuthorization) -> dict:
    return {f: getattr(auth, f) for f in AUTH_FIELDS}


def _clean_authorization(data: dict) -> dict:
    errors = {}
    person, org = data.get("person"), data.get("organization")
    if (person is None) == (org is None):
        errors["person"] = _("Choose either a person or an organization.")
    start, end = data.get("valid_from"), data.get("valid_until")
    if start and end and end < start:
        errors["valid_until"] = _("The end date is before the start date.")
    if errors:
        raise ValidationFailed(errors)
    data["note"] = (data.get("note") or "").strip()[:300]
    return data


@transaction.atomic
def authorization_create(
    *,
    actor: Actor,
    area: WorkArea,
    person: Person | None = None,
    organization: Organization | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    note: str = "",
) -> AreaAuthorization:
    require_area_manager(actor, area)
    data = _clean_authorization(
        {
            "area": area,
            "person": person,
            "organization": organization,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "note": note,
        }
    )
    auth = AreaAuthorization.objects.create(**data)
    audit_record(actor=actor, action="create", obj=auth, changes=diff({}, _auth_snap(auth)))
    _mark_authorized(auth)
    return auth


def _mark_authorized(auth: AreaAuthorization) -> None:
    if auth.person_id:
        mark_dirty(person_ids=[auth.person_id])
    else:
        mark_dirty(organization_id=auth.organization_id)


@transaction.atomic
def authorization_delete(*, actor: Actor, authorization: AreaAuthorization) -> None:
    require_area_manager(actor, authorization.area)
    before = _auth_snap(authorization)
    audit_record(actor=actor, action="delete", obj=authorization, changes=diff(before, {}))
    _mark_authorized(authorization)
    authorization.delete()


# --- push endpoints ---------------------------------------------------------------------------


@transaction.atomic
def push_endpoint_create(
    *, actor: Actor, name: str, url: str, organization: Organization | None = None
) -> tuple[PushEndpoint, str]:
    """A new endpoint and its signing secret, shown once (like API tokens)."""
    require_owner_admin(actor)
    name, url = (name or "").strip(), (url or "").strip()
    if not name:
        raise ValidationFailed({"name": _("Give the endpoint a name.")})
    if not url.startswith(("http://", "https://")):
        raise ValidationFailed({"url": _("Enter an http:// or https:// URL.")})
    secret = secrets.token_urlsafe(32)
    endpoint = PushEndpoint(name=name, url=url, organization=organization)
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.created_by = actor.user if getattr(actor.user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError:
        raise Conflict({"name": _("Another endpoint already has this name.")}) from None
    snap = {"name": name, "url": url, "organization": organization}
    audit_record(actor=actor, action="create", obj=endpoint, changes=diff({}, snap))
    return endpoint, secret


@transaction.atomic
def push_endpoint_set_active(*, actor: Actor, endpoint: PushEndpoint, active: bool) -> None:
    require_owner_admin(actor)
    if endpoint.is_active == active:
        return
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active", "updated_at"])
    changes = diff({"is_active": not active}, {"is_active": active})
    audit_record(actor=actor, action="update", obj=endpoint, changes=changes)


# --- the gate check -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GateResult:
    decision: str
    reasons: list[str]
    person: Person | None
    gate: Gate | None
    direction: str
    event: GateEvent


def gate_check(
    *,
    actor: Actor,
    credential: str,
    gate_code: str | None = None,
    direction: str | None = None,
    kind: str = CredentialKind.AUTO,
    now: datetime | None = None,
) -> GateResult:
    """May this person pass, now? Every reason that applies, and the decision recorded
    as a gate event and in the audit trail. Exits are always allowed (nobody is held
    inside a hazardous area); their reasons are still reported and recorded."""
    now = now or timezone.now()
    gate = gate_for_check(gate_code) if gate_code else None
    direction = _direction(gate, direction)
    area_id = gate.area_id if gate else None
    found = resolve(actor=actor, credential=credential, kind=kind, area_id=area_id)
    reasons = [*found.reasons, *_person_reasons(found, gate, now)]
    allow = not reasons or direction == Direction.OUT
    decision = Decision.ALLOW if allow else Decision.DENY
    event = _record(actor, found, gate, direction, decision, reasons, now)
    return GateResult(decision, reasons, found.person, gate, direction, event)


def _direction(gate: Gate | None, asked: str | None) -> str:
    fixed = gate.direction if gate is not None and gate.direction != GateDirection.BOTH else None
    if asked and fixed and asked != fixed:
        raise ValidationFailed(
            {
                "direction": _("This gate only lets people %(way)s.")
                % {"way": Direction(fixed).label}
            }
        )
    return asked or fixed or Direction.IN


def _person_reasons(found: Resolved, gate: Gate | None, now: datetime) -> list[str]:
    if found.person is None:
        return []
    on = timezone.localdate(now)
    own = standing(found.person, on)
    if gate is None:
        return list(own.reasons)
    rule = getattr(gate.area, "access_policy", None)
    return area_reasons(
        own,
        requires_qualification=True if rule is None else rule.requires_qualification,
        authorized=authorized(found.grants, gate.area_id, on),
    )


def _record(actor, found: Resolved, gate, direction, decision, reasons, now) -> GateEvent:
    """The gate event and its audit entry. On PostgreSQL one statement does both
    (audit_create: no BEGIN or COMMIT round trip either, the statement commits itself),
    committed without waiting for its WAL flush (``GATE_ASYNC_COMMIT``): a gate answers
    within milliseconds; a server crash may lose the last fraction of a second of gate
    events, never corrupt or reorder them (the audit chain stays a gapless prefix)."""
    person = found.person
    event = GateEvent(
        at=now,
        gate=gate,
        area_id=gate.area_id if gate else None,
        site_id=gate.area.site_id if gate else None,
        person=person,
        person_name=person.name if person else "",
        organization_id=person.organization_id if person else None,
        credential_kind=found.kind,
        decision=decision,
        reasons=reasons,
        direction=direction,
        actor=actor.label[:150],
    )
    changes = {
        "decision": {"before": None, "after": decision},
        "reasons": {"before": None, "after": reasons},
        "gate": {"before": None, "after": gate.code if gate else None},
        "direction": {"before": None, "after": direction},
        "person": {"before": None, "after": person.pk if person else None},
        "credential": {"before": None, "after": found.kind},
    }
    fast = getattr(settings, "GATE_ASYNC_COMMIT", True)
    entry = audit_create(event, actor=actor, action="gate_check", changes=changes, fast_commit=fast)
    if entry is None:
        with transaction.atomic():
            event.save(force_insert=True)
            audit_record(actor=actor, action="gate_check", obj=event, changes=changes)
    return event


# --- printing -------------------------------------------------------------------------------


def badge_cards(*, actor: Actor, people: list[Person], url_of) -> list:
    """The cards to print, issuing badges to people who have none yet. ``url_of(token)``
    makes the QR code's URL."""
    from .cards import Card

    cards = []
    for person in people:
        token = badge_token(badge_ensure(actor=actor, person=person))
        items = [f"{t.name} ({t.code})" for t in person.special_operations.all()]
        cards.append(
            Card(
                name=person.name,
                organization=person.organization.name,
                id_number_masked=person.id_number_masked,
                items=items,
                url=url_of(token),
                photo=_photo_bytes(person.photo),
            )
        )
    return cards


def _photo_bytes(name: str) -> bytes | None:
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except OSError:
        return None
