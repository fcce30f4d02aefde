"""Write services for organizations, sites and work areas (STYLE.md 1-3)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff

from .access import require_owner_admin
from .actors import Actor
from .choices import OrganizationKind, RiskLevel
from .errors import Conflict, ValidationFailed
from .idnumbers import InvalidIdentifier, parse_credit_code
from .models import Organization, Site, WorkArea


def snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _apply(obj, data: dict, fields: tuple[str, ...]) -> dict:
    before = snapshot(obj, fields)
    for f in fields:
        if f in data:
            setattr(obj, f, data[f])
    return diff(before, snapshot(obj, fields))


ORG_FIELDS = (
    "name",
    "kind",
    "credit_code",
    "parent",
    "contact_name",
    "contact_phone",
    "contact_email",
    "is_active",
)


def _clean_org(data: dict, instance: Organization | None = None) -> dict:
    data = dict(data)
    errors = {}
    name = (data.get("name") or "").strip()
    if "name" in data or instance is None:
        if not name:
            errors["name"] = _("Enter the organization's name.")
        data["name"] = name
    if ("kind" in data or instance is None) and data.get("kind") not in OrganizationKind.values:
        errors["kind"] = _("Unknown organization kind.")
    raw = data.get("credit_code")
    if raw is not None:
        if str(raw).strip() == "":
            data["credit_code"] = None
        else:
            try:
                data["credit_code"] = parse_credit_code(raw)
            except InvalidIdentifier as exc:
                errors["credit_code"] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return data


def _check_org_unique(org: Organization) -> None:
    clash = Organization.objects.exclude(pk=org.pk)
    if clash.filter(name=org.name).exists():
        raise Conflict({"name": _("An organization with this name already exists.")})
    if org.credit_code and clash.filter(credit_code=org.credit_code).exists():
        raise Conflict({"credit_code": _("An organization with this credit code already exists.")})


@transaction.atomic
def organization_create(*, actor: Actor, **data) -> Organization:
    require_owner_admin(actor)
    data = _clean_org(data)
    org = Organization(**{k: v for k, v in data.items() if k in ORG_FIELDS})
    _check_org_unique(org)
    org.save()
    audit_record(actor=actor, action="create", obj=org, changes=diff({}, snapshot(org, ORG_FIELDS)))
    return org


@transaction.atomic
def organization_update(*, actor: Actor, organization: Organization, **data) -> Organization:
    require_owner_admin(actor)
    data = _clean_org(data, organization)
    changes = _apply(organization, data, ORG_FIELDS)
    if changes:
        _check_org_unique(organization)
        organization.save()
        audit_record(actor=actor, action="update", obj=organization, changes=changes)
    return organization


def organization_deactivate(*, actor: Actor, organization: Organization) -> Organization:
    return organization_update(actor=actor, organization=organization, is_active=False)


SITE_FIELDS = ("name", "code", "owner", "address", "is_active")
AREA_FIELDS = ("site", "name", "code", "risk_level", "description", "is_active")


def _clean_named(data: dict, creating: bool, parent: tuple[str, type]) -> dict:
    """Name, code and parent (owner or site) are required; checked here so that a missing
    one is a field error and not a database error reported as something else."""
    data = {k: v for k, v in data.items() if k in SITE_FIELDS + AREA_FIELDS}
    errors = {}
    for f in ("name", "code"):
        if f in data or creating:
            data[f] = str(data.get(f) or "").strip()
            if not data[f]:
                errors[f] = _("This field is required.")
    key, model = parent
    if (key in data or creating) and not isinstance(data.get(key), model):
        errors[key] = _("This field is required.")
    if "risk_level" in data and data["risk_level"] not in RiskLevel.values:
        errors["risk_level"] = _("Unknown risk level.")
    if errors:
        raise ValidationFailed(errors)
    return data


@transaction.atomic
def site_create(*, actor: Actor, **data) -> Site:
    require_owner_admin(actor)
    data = _clean_named(data, True, ("owner", Organization))
    site = Site(**{k: v for k, v in data.items() if k in SITE_FIELDS})
    _save_unique(site, "code", _("A site with this code already exists."))
    audit_record(
        actor=actor, action="create", obj=site, changes=diff({}, snapshot(site, SITE_FIELDS))
    )
    return site


@transaction.atomic
def site_update(*, actor: Actor, site: Site, **data) -> Site:
    require_owner_admin(actor)
    data = _clean_named(data, False, ("owner", Organization))
    changes = _apply(site, data, SITE_FIELDS)
    if changes:
        _save_unique(site, "code", _("A site with this code already exists."))
        audit_record(actor=actor, action="update", obj=site, changes=changes)
    return site


@transaction.atomic
def work_area_create(*, actor: Actor, **data) -> WorkArea:
    require_owner_admin(actor)
    data = _clean_named(data, True, ("site", Site))
    area = WorkArea(**{k: v for k, v in data.items() if k in AREA_FIELDS})
    _save_unique(area, "code", _("This site already has a work area with this code."))
    audit_record(
        actor=actor, action="create", obj=area, changes=diff({}, snapshot(area, AREA_FIELDS))
    )
    return area


@transaction.atomic
def work_area_update(*, actor: Actor, work_area: WorkArea, **data) -> WorkArea:
    require_owner_admin(actor)
    data = _clean_named(data, False, ("site", Site))
    changes = _apply(work_area, data, AREA_FIELDS)
    if changes:
        _save_unique(work_area, "code", _("This site already has a work area with this code."))
        audit_record(actor=actor, action="update", obj=work_area, changes=changes)
    return work_area


def _save_unique(obj, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict({field: message}) from None
