"""Making a permit: from scratch, or as a new permit from an old one (4.16: no extension)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from safework.core.access import require_write
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import EDITABLE_STATUSES, Kind
from ..models import Jsa, Measure, Permit
from ..rules import annex, levels, validity
from .common import audit, local_day, locked, now_or, refuse, require_may_change, require_status
from .numbering import next_number


def _clean_details(kind: str, details: dict) -> dict:
    clean = {}
    for field in annex.FIELDS[kind]:
        value = details.get(field.name)
        if field.required and value in (None, "", []):
            raise ValidationFailed({field.name: _("This field is required.")})
        if field.type == "number" and value not in (None, ""):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValidationFailed({field.name: _("Enter a number.")}) from None
        if field.type == "bool":
            value = bool(value)
        clean[field.name] = value
    return clean


def _level(kind: str, details: dict, start: datetime, end: datetime):
    try:
        return levels.level_for(kind, details, start=start, end=end)
    except levels.NotWorkAtHeight:
        raise ValidationFailed(
            {"height_m": _("Below 2 m is not work at height (GB 30871 3.x).")}
        ) from None
    except ValueError as exc:
        raise ValidationFailed({"hazards": str(exc)}) from None


def _check_period(permit: Permit) -> None:
    served_end = permit.serves.planned_end if permit.serves_id else None
    if permit.serves_id and permit.kind != Kind.TEMP_POWER:
        raise ValidationFailed({"serves": _("Only temporary power serves another permit.")})
    errors = validity.validity_errors(
        kind=permit.kind, level=permit.level, start=permit.planned_start,
        end=permit.planned_end, special=bool(permit.details.get("special")),
        served_end=served_end,
    )  # fmt: skip
    refuse("planned_end", errors)


def _apply(permit: Permit, fields: dict) -> None:
    for name, value in fields.items():
        setattr(permit, name, value)
    from .siteplan import check_position

    permit.x_m, permit.y_m = check_position(permit.site, permit.x_m, permit.y_m)
    permit.confined_space_ref = (permit.confined_space_ref or "").strip()[:100]
    permit.tank_dike_ref = (permit.tank_dike_ref or "").strip()[:100]
    permit.details = _clean_details(permit.kind, permit.details or {})
    permit.level, permit.level_reasons = _level(
        permit.kind, permit.details, permit.planned_start, permit.planned_end
    )
    _check_period(permit)


@transaction.atomic
def permit_create(*, actor: Actor, work_area, kind: str, now: datetime | None = None,
                  **fields) -> Permit:  # fmt: skip
    """``fields``: applicant_org, performing_org, person_in_charge, content, place,
    hazards, details, planned_start, planned_end, serves (optional); SIMOPS (optional):
    x_m, y_m (metres on the site plan; empty = the work area's position),
    confined_space_ref, tank_dike_ref."""
    require_write(actor)
    if kind not in Kind.values:
        raise ValidationFailed({"kind": _("Unknown kind of work.")})
    permit = Permit(work_area=work_area, site=work_area.site, kind=kind)
    permit.created_by = actor.user if actor.user is not None else None
    _apply(permit, fields)
    year = local_day(now_or(now)).year
    permit.number = next_number(site=permit.site, kind=kind, year=year)
    permit.save()
    _make_checklist(permit)
    Jsa.objects.create(permit=permit)
    audit(actor, "create", permit, number=permit.number, kind=kind, level=permit.level)
    return permit


def _make_checklist(permit: Permit) -> None:
    Measure.objects.bulk_create(
        Measure(permit=permit, order=i, text=str(text))
        for i, text in enumerate(annex.checklist(permit.kind), start=1)
    )


@transaction.atomic
def permit_update(*, actor: Actor, permit: Permit, **fields) -> Permit:
    """Drafts only: 4.18, a permit cannot be altered once signed."""
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, *EDITABLE_STATUSES)
    before = {k: getattr(permit, k) for k in fields}
    _apply(permit, fields)
    permit.save()
    audit(actor, "update", permit, **{k: [before[k], fields[k]] for k in fields})
    return permit


@transaction.atomic
def permit_new_from(*, actor: Actor, source: Permit, planned_start: datetime,
                    planned_end: datetime, now: datetime | None = None) -> Permit:  # fmt: skip
    """4.16: a permit past its validity, or whose content, scope or place changes, is not
    extended: a new permit is made, starting as a draft with the same content."""
    require_may_change(actor, source)
    permit = permit_create(
        actor=actor, work_area=source.work_area, kind=source.kind, now=now,
        applicant_org=source.applicant_org, performing_org=source.performing_org,
        person_in_charge=source.person_in_charge, content=source.content, place=source.place,
        hazards=source.hazards, details=dict(source.details), planned_start=planned_start,
        planned_end=planned_end, serves=source.serves, x_m=source.x_m, y_m=source.y_m,
        confined_space_ref=source.confined_space_ref, tank_dike_ref=source.tank_dike_ref,
    )  # fmt: skip
    permit.source = source
    permit.save(update_fields=["source"])
    audit(actor, "new_from", permit, source=source.number)
    return permit
