"""SIMOPS checks of a permit against every live permit and registered activity on its site
(rules in ``rules.simops``), run at submission and at approval; registering activities;
a coordinator's sign-off of cross work; an owner's own (larger) distances."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.core.access import require_owner_admin, require_write, sites_visible
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.models import Organization, Site

from ..choices import ACTIVE_STATUSES, ActivityKind, Kind, Status
from ..models import Activity, Permit, SimopsDistances, SimopsSignoff
from ..rules import simops
from .common import actor_name, audit, locked, now_or, require_may_change

LIVE_STATUSES = (Status.APPROVING, *ACTIVE_STATUSES)


def distances_for(site: Site) -> simops.Distances:
    row = SimopsDistances.objects.filter(organization_id=site.owner_id).first()
    if row is None:
        return simops.MINIMUM
    return simops.Distances(**{name: getattr(row, name) for name in simops.DISTANCE_FIELDS})


def with_position(qs: QuerySet) -> QuerySet:
    """``px``/``py``: the permit's own point, else its work area's (the default)."""
    return qs.annotate(
        px=Coalesce(F("x_m"), F("work_area__position__x_m")),
        py=Coalesce(F("y_m"), F("work_area__position__y_m")),
    )


def permit_position(permit: Permit) -> tuple[float | None, float | None]:
    if permit.x_m is not None:
        return permit.x_m, permit.y_m
    from ..models import AreaPosition

    area = AreaPosition.objects.filter(work_area_id=permit.work_area_id).first()
    return (area.x_m, area.y_m) if area else (None, None)


def _labels(choices) -> dict[str, str]:
    """Kind labels translated once per check (a display call per row costs more than
    the rules when 500 permits are candidates)."""
    return {value: str(label) for value, label in choices}


def permit_job(permit: Permit, position: tuple | None = None) -> simops.Job:
    """``position``: already worked out (``with_position``), else read here."""
    px, py = position if position is not None else permit_position(permit)
    return _permit_row_job(
        {"id": permit.pk, "number": permit.number, "kind": permit.kind,
         "planned_start": permit.planned_start, "planned_end": permit.planned_end,
         "work_area_id": permit.work_area_id,
         "pipeline": (permit.details or {}).get("pipeline"),
         "confined_space_ref": permit.confined_space_ref,
         "tank_dike_ref": permit.tank_dike_ref, "px": px, "py": py},
        _labels(Kind.choices),
    )  # fmt: skip


def _permit_row_job(row: dict, kinds: dict[str, str]) -> simops.Job:
    return simops.Job(
        ref=f"permit:{row['id']}", label=f"{row['number']} {kinds.get(row['kind'], '')}",
        kind=row["kind"], is_permit=True, start=row.get("planned_start"),
        end=row.get("planned_end"),
        x=row["px"], y=row["py"], work_area_id=row["work_area_id"],
        pipeline=str(row["pipeline"] or "").strip(),
        confined_space=row["confined_space_ref"].strip(), tank_dike=row["tank_dike_ref"].strip(),
    )  # fmt: skip


def activity_job(act: Activity) -> simops.Job:
    row = {f: getattr(act, f) for f in (*ACTIVITY_COLUMNS, "starts_at", "ends_at")}
    return _activity_row_job(row, _labels(ActivityKind.choices))


ACTIVITY_COLUMNS = ("id", "kind", "description", "x_m", "y_m", "work_area_id", "flammable",
                    "pipeline_ref", "confined_space_ref", "tank_dike_ref")  # fmt: skip
# Candidates are read without their time windows: the query keeps only those overlapping
# the job's (rules.simops.overlap in SQL), and parsing 1,000 timestamps costs more than
# every rule together.
PERMIT_COLUMNS = ("id", "number", "kind", "work_area_id", "pipeline", "confined_space_ref",
                  "tank_dike_ref", "px", "py")  # fmt: skip


def _activity_row_job(row: dict, kinds: dict[str, str]) -> simops.Job:
    return simops.Job(
        ref=f"activity:{row['id']}", label=f"{kinds.get(row['kind'], '')} {row['description']}",
        kind=row["kind"], is_permit=False, start=row.get("starts_at"), end=row.get("ends_at"),
        x=row["x_m"], y=row["y_m"], work_area_id=row["work_area_id"],
        flammable=row["flammable"], pipeline=row["pipeline_ref"].strip(),
        confined_space=row["confined_space_ref"].strip(), tank_dike=row["tank_dike_ref"].strip(),
    )  # fmt: skip


def _permit_jobs(qs: QuerySet) -> list[simops.Job]:
    kinds = _labels(Kind.choices)
    qs = qs.annotate(pipeline=KT("details__pipeline"))  # only the key, not the whole JSON
    return [_permit_row_job(row, kinds) for row in qs.order_by().values(*PERMIT_COLUMNS)]


def _near(qs: QuerySet, job: simops.Job, radius: float, x: str, y: str, shared: Q) -> QuerySet:
    """The bounding box in SQL (plus rows without a position, and rows sharing a pipeline,
    dike, space or work area); the exact distance is the rule module's, in Python."""
    if job.x is None:
        return qs  # no position: every candidate (the rules report the unknown distance)
    box = Q(**{f"{x}__gte": job.x - radius, f"{x}__lte": job.x + radius,
               f"{y}__gte": job.y - radius, f"{y}__lte": job.y + radius})  # fmt: skip
    return qs.filter(box | Q(**{f"{x}__isnull": True}) | shared)


def _permit_candidates(job: simops.Job, site_id: int, radius: float) -> list[simops.Job]:
    qs = with_position(
        Permit.objects.filter(site_id=site_id, status__in=LIVE_STATUSES,
                              planned_start__lt=job.end, planned_end__gt=job.start)
    ).exclude(pk=_pk(job))  # fmt: skip
    shared = Q(work_area_id=job.work_area_id) if job.is_permit else Q(pk__in=[])
    if job.pipeline:
        shared |= Q(kind=Kind.BLIND_PLATE, details__pipeline=job.pipeline)
    return _permit_jobs(_near(qs, job, radius, "px", "py", shared))


def _pk(job: simops.Job) -> int:
    kind, _sep, pk = job.ref.partition(":")
    return int(pk) if kind == "permit" and pk.isdigit() else 0


def _activity_candidates(job: simops.Job, site_id: int, radius: float) -> list[simops.Job]:
    qs = Activity.objects.filter(site_id=site_id, cancelled_at__isnull=True,
                                 starts_at__lt=job.end, ends_at__gt=job.start)  # fmt: skip
    shared = Q(pk__in=[])
    if job.tank_dike:
        shared |= Q(tank_dike_ref=job.tank_dike)
    if job.confined_space:
        shared |= Q(confined_space_ref=job.confined_space)
    kinds = _labels(ActivityKind.choices)
    rows = _near(qs, job, radius, "x_m", "y_m", shared).order_by().values(*ACTIVITY_COLUMNS)
    return [_activity_row_job(row, kinds) for row in rows]


def permit_conflicts(permit: Permit) -> list[simops.Conflict]:
    """Every conflict of the permit with the live permits and the activities registered
    on its site over its time window; cross work already signed off is marked signed."""
    dist, job = distances_for(permit.site), permit_job(permit)
    radius = simops.reach(permit.kind, True, dist)
    others = _permit_candidates(job, permit.site_id, radius)
    if permit.kind == Kind.HOT_WORK:
        others += _activity_candidates(job, permit.site_id, radius)
    return simops.conflicts(job, others, dist, signed_keys(permit))


def signed_keys(permit: Permit) -> frozenset[str]:
    """The sign-offs of this permit, and those of the other side of a cross work pair (one
    coordinator's sign-off covers the pair)."""
    mine, keys = f"cross_work:permit:{permit.pk}", set()
    rows = SimopsSignoff.objects.filter(Q(permit_id=permit.pk) | Q(key=mine)).order_by()
    for permit_id, key in rows.values_list("permit_id", "key"):
        keys.add(key if permit_id == permit.pk else f"cross_work:permit:{permit_id}")
    return frozenset(keys)


def blocking_errors(found: list[simops.Conflict]) -> dict[str, str]:
    """Field → the refusals on it, one sentence per rule quoting its clause."""
    by_field: dict[str, list[simops.Conflict]] = {}
    for conflict in found:
        if conflict.blocks:
            by_field.setdefault(conflict.rule.field, []).append(conflict)
    return {name: simops.summary(group) for name, group in by_field.items()}


def simops_refuse(permit: Permit) -> None:
    """At submission and at approval: a forbidden pair blocks with its clause; cross work
    blocks until a coordinator has signed it off."""
    errors = blocking_errors(permit_conflicts(permit))
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def simops_signoff(*, actor: Actor, permit: Permit, key: str, coordinator: str, note: str,
                   now: datetime | None = None) -> SimopsSignoff:  # fmt: skip
    """4.7: the named coordinator agrees how the cross work runs; recorded and audited."""
    permit = locked(permit)
    require_may_change(actor, permit)
    if not (actor.is_system or actor.role in (Role.SAFETY_MANAGER, Role.AREA_HEAD)):
        # the owner coordinates cross work on its site, not one of the contractors in it
        raise NotAllowed(_("Only safety managers and area heads record a coordinator's "
                           "sign-off."))  # fmt: skip
    if not coordinator.strip():
        raise ValidationFailed({"coordinator": _("Name the coordinator (GB 30871 4.7).")})
    if not note.strip():
        raise ValidationFailed({"note": _("Say what the coordinator arranged.")})
    conflict = next((c for c in permit_conflicts(permit) if c.key == key), None)
    if conflict is None or not conflict.rule.signoff:
        raise ValidationFailed({"key": _("No cross work of this permit needs that sign-off.")})
    row, _created = SimopsSignoff.objects.update_or_create(
        permit=permit, key=key,
        defaults={"coordinator": coordinator.strip()[:150], "note": note.strip()[:300],
                  "signed_by": actor.user if actor.user is not None else None,
                  "signed_by_label": actor_name(actor), "signed_at": now_or(now)},
    )  # fmt: skip
    audit(actor, "simops_signoff", permit, key=key, coordinator=row.coordinator, note=row.note)
    return row


# --- registered activities --------------------------------------------------------------


def _visible_site(actor: Actor, site: Site) -> None:
    require_write(actor)
    if not actor.is_system and not sites_visible(Site.objects.filter(pk=site.pk), actor):
        raise NotAllowed(_("This site is not yours to change."))


def _activity_errors(kind: str, description: str, starts_at, ends_at, x_m, y_m) -> dict:
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("Unknown kind of activity.")
    if not description.strip():
        errors["description"] = _("Describe the activity.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end is before the start")
    if x_m is None or y_m is None:
        errors["x_m"] = _("Give the position on the site plan (x and y in metres).")
    return errors


def activity_hot_conflicts(act: Activity) -> list[simops.Conflict]:
    """The same rules seen from the activity: live hot work it would come too close to."""
    dist, job = distances_for(act.site), activity_job(act)
    qs = with_position(
        Permit.objects.filter(site_id=act.site_id, kind=Kind.HOT_WORK,
                              status__in=LIVE_STATUSES, planned_start__lt=job.end,
                              planned_end__gt=job.start)
    )  # fmt: skip
    radius = simops.reach(act.kind, False, dist)
    shared = Q(pk__in=[])
    if job.tank_dike:
        shared |= Q(tank_dike_ref=job.tank_dike)
    if job.confined_space:
        shared |= Q(confined_space_ref=job.confined_space)
    others = _permit_jobs(_near(qs, job, radius, "px", "py", shared))
    return simops.conflicts(job, others, dist)


@transaction.atomic
def activity_register(*, actor: Actor, site: Site, kind: str, description: str,
                      organization: Organization, starts_at: datetime, ends_at: datetime,
                      x_m: float | None, y_m: float | None, work_area=None,
                      flammable: bool = False, confined_space_ref: str = "",
                      tank_dike_ref: str = "", pipeline_ref: str = "") -> Activity:  # fmt: skip
    """Registers the activity; refused, with the clause, while live hot work is too close."""
    _visible_site(actor, site)
    errors = _activity_errors(kind, description, starts_at, ends_at, x_m, y_m)
    if work_area is not None and work_area.site_id != site.pk:
        errors["work_area"] = _("The work area is on another site.")
    if errors:
        raise ValidationFailed(errors)
    act = Activity.objects.create(
        site=site, work_area=work_area, organization=organization, kind=kind,
        description=description.strip()[:300], x_m=float(x_m), y_m=float(y_m),
        starts_at=starts_at, ends_at=ends_at, flammable=bool(flammable),
        confined_space_ref=confined_space_ref.strip(), tank_dike_ref=tank_dike_ref.strip(),
        pipeline_ref=pipeline_ref.strip(),
        created_by=actor.user if actor.user is not None else None,
    )  # fmt: skip
    errors = blocking_errors(activity_hot_conflicts(act))
    if errors:
        raise ValidationFailed(errors)  # rolls the row back
    audit_record(actor=actor, action="simops.activity_register", obj=act,
                 changes={"activity": {"before": None, "after": _activity_snapshot(act)}})  # fmt: skip
    return act


def _activity_snapshot(act: Activity) -> dict:
    return {"kind": act.kind, "description": act.description, "x_m": act.x_m, "y_m": act.y_m,
            "starts_at": act.starts_at, "ends_at": act.ends_at, "flammable": act.flammable,
            "confined_space": act.confined_space_ref, "tank_dike": act.tank_dike_ref,
            "pipeline": act.pipeline_ref}  # fmt: skip


@transaction.atomic
def activity_end(*, actor: Actor, activity: Activity, now: datetime | None = None) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _visible_site(actor, activity.site)
    if activity.cancelled_at is None:
        activity.cancelled_at = now_or(now)
        activity.save(update_fields=["cancelled_at", "updated_at"])
        audit_record(actor=actor, action="simops.activity_end", obj=activity,
                     changes={"ended_at": {"before": None, "after": activity.cancelled_at}})  # fmt: skip
    return activity


# --- an owner's distances ---------------------------------------------------------------


def _too_short(name: str) -> str:
    label = SimopsDistances._meta.get_field(name).verbose_name
    return _("%(field)s: at least %(metres)g m (GB 30871-2022); it can only be made larger.") % {
        "field": label, "metres": getattr(simops.MINIMUM, name)}  # fmt: skip


@transaction.atomic
def simops_distances_set(*, actor: Actor, organization: Organization,
                         **values: float) -> SimopsDistances:  # fmt: skip
    """Upwards only: a value below the standard's distance is refused, naming the field."""
    require_owner_admin(actor)
    unknown = set(values) - set(simops.DISTANCE_FIELDS)
    if unknown:
        raise ValidationFailed({sorted(unknown)[0]: _("Unknown distance.")})
    low = simops.too_short(values)
    if low:
        raise ValidationFailed({name: _too_short(name) for name in low})
    row, _created = SimopsDistances.objects.get_or_create(organization=organization)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, float(value))
    row.save()
    audit_record(actor=actor, action="simops.distances", obj=organization,
                 changes={k: {"before": before[k], "after": float(v)} for k, v in values.items()})  # fmt: skip
    return row
