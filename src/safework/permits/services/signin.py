"""Sign-in on the phone: the browser's GPS position and the time, checked against the
work area's geofence and the person's qualification. Refusals are recorded too."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from safework.core.access import require_owner_admin
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import ACTIVE_STATUSES, SignKind, Status, WorkerRole
from ..models import Geofence, Permit, SignIn
from ..rules import geo, validity
from .common import audit, local_day, locked, now_or, refuse
from .people import role_reasons

MAX_ACCURACY_M = 100


@transaction.atomic
def geofence_set(*, actor: Actor, work_area, latitude, longitude, radius_m: int) -> Geofence:
    require_owner_admin(actor)
    if not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180):
        raise ValidationFailed({"latitude": _("Not a position on earth.")})
    row, _created = Geofence.objects.update_or_create(
        work_area=work_area,
        defaults={"latitude": latitude, "longitude": longitude, "radius_m": radius_m},
    )
    from safework.audit.services import audit_record

    audit_record(actor=actor, action="permit.geofence", obj=work_area,
                 changes={"geofence": {"before": None,
                                       "after": [str(latitude), str(longitude), radius_m]}})  # fmt: skip
    return row


def _position_reasons(permit: Permit, lat, lng, accuracy) -> tuple[list[str], float | None]:
    fence = Geofence.objects.filter(work_area_id=permit.work_area_id).first()
    if fence is None:
        return ["no_geofence"], None
    if lat is None or lng is None:
        return ["no_position"], None
    distance = geo.distance_m(float(lat), float(lng), float(fence.latitude), float(fence.longitude))
    if accuracy is not None and float(accuracy) > max(MAX_ACCURACY_M, fence.radius_m):
        return ["inaccurate_position"], distance
    if not geo.inside(distance, fence.radius_m):
        return ["outside_geofence"], distance
    return [], distance


def _roles(permit: Permit, person) -> list[str]:
    return list(permit.assignments.filter(person=person).values_list("role", flat=True))


def _person_reasons(permit: Permit, person, now: datetime) -> tuple[list[str], str]:
    roles = _roles(permit, person)
    if not roles:
        return ["not_on_permit"], ""
    if permit.status not in ACTIVE_STATUSES:
        return ["permit_not_open"], roles[0]
    if validity.is_past_validity(permit.planned_end, now):
        return ["past_validity"], roles[0]
    for role in roles:
        reasons, _answer = role_reasons(person, role, local_day(now))
        if reasons:
            return reasons, role
    return [], WorkerRole.GUARDIAN if WorkerRole.GUARDIAN in roles else roles[0]


def _record(permit, person, role, kind, now, lat, lng, accuracy, distance, reasons, ip):
    return SignIn.objects.create(
        permit=permit, person=person, role=role, kind=kind, at=now,
        latitude=_dec(lat), longitude=_dec(lng), accuracy_m=accuracy, distance_m=distance,
        accepted=not reasons, reasons=reasons, ip=ip,
    )  # fmt: skip


def _dec(value):
    return None if value is None else Decimal(str(round(float(value), 6)))


def sign_in(*, actor: Actor, permit: Permit, person, latitude, longitude, accuracy=None,
            now: datetime | None = None) -> SignIn:  # fmt: skip
    """Returns the record; a refused one has ``accepted=False`` and its reasons (it is kept:
    the refusal is evidence too). Commits even when refused."""
    now = now_or(now)
    with transaction.atomic():
        permit = locked(permit)
        reasons, role = _person_reasons(permit, person, now)
        place_reasons, distance = _position_reasons(permit, latitude, longitude, accuracy)
        reasons = reasons + [r for r in place_reasons if r not in reasons]
        row = _record(permit, person, role, SignKind.IN, now, latitude, longitude, accuracy,
                      distance, reasons, actor.ip)  # fmt: skip
        audit(actor, "sign_in", permit, person=person.pk, accepted=row.accepted, reasons=reasons)
    return row


def signed_in_now(permit: Permit) -> dict[int, SignIn]:
    """Person id → their latest accepted sign-in, for people whose latest event is an
    accepted sign-in today (a sign-out or a new day ends it)."""
    latest: dict[int, SignIn] = {}
    for row in permit.sign_ins.filter(accepted=True).order_by("at", "id"):
        latest[row.person_id] = row
    return {pid: r for pid, r in latest.items() if r.kind == SignKind.IN}


def signed_in_today(permit: Permit, now: datetime) -> dict[int, SignIn]:
    day = local_day(now)
    return {pid: r for pid, r in signed_in_now(permit).items() if local_day(r.at) == day}


def guardian_present(permit: Permit, now: datetime) -> bool:
    return any(r.role == WorkerRole.GUARDIAN for r in signed_in_today(permit, now).values())


@transaction.atomic
def sign_out(*, actor: Actor, permit: Permit, person, now: datetime | None = None) -> SignIn:
    """4.10: the guardian may not leave; if they do, work stops: the permit is suspended
    until a guardian signs in again."""
    now = now_or(now)
    permit = locked(permit)
    current = signed_in_now(permit).get(person.pk)
    if current is None:
        refuse("person", ["not_on_permit"])
    row = _record(permit, person, current.role, SignKind.OUT, now, None, None, None, None, [],
                  actor.ip)  # fmt: skip
    audit(actor, "sign_out", permit, person=person.pk, role=current.role)
    guardian_left = current.role == WorkerRole.GUARDIAN and not guardian_present(permit, now)
    if guardian_left and permit.status == Status.IN_PROGRESS:
        from .lifecycle import suspend

        suspend(actor, permit, "guardian_signed_out", now)
    return row
