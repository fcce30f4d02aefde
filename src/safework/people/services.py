"""Write services for people (STYLE.md 1-3). ID numbers are validated, encrypted and
indexed here and nowhere else."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.certificates.models import CertificateType
from safework.core import crypto
from safework.core.access import people_visible, require_write, scope_organization_ids
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.clock import today
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.core.idnumbers import InvalidIdentifier, age_on, parse_id_number
from safework.core.models import Organization, Site

from .choices import EmploymentState
from .models import Person

_PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
SCALAR_FIELDS = ("name", "phone", "organization", "job_title", "note")


def normalize_phone(raw: str) -> str:
    return re.sub(r"[\s\-()（）]", "", raw or "").replace("＋", "+")


def _validate(
    *, actor: Actor, data: dict, person: Person | None, errors: dict
) -> tuple[object | None, list[CertificateType] | None, list[Site] | None]:
    if "name" in data or person is None:
        data["name"] = (data.get("name") or "").strip()
        if not data["name"]:
            errors["name"] = _("Enter the person's name.")
        elif len(data["name"]) > 100:
            errors["name"] = _("The name is too long (at most 100 characters).")
    if "phone" in data:
        data["phone"] = normalize_phone(data.get("phone") or "")
        if data["phone"] and not _PHONE.match(data["phone"].replace("-", "")):
            errors["phone"] = _("Enter a mobile number of 11 digits starting with 1.")
    resident = None
    if "id_number" in data or person is None:
        try:
            resident = parse_id_number(data.get("id_number") or "")
        except InvalidIdentifier as exc:
            errors["id_number"] = exc.message
    if "organization" in data or person is None:
        org = data.get("organization")
        if not isinstance(org, Organization):
            errors["organization"] = _("Choose the person's organization.")
        elif not _org_allowed(actor, org):
            errors["organization"] = _("You cannot register people for this organization.")
    items = _items(data.get("special_operations"), errors) if "special_operations" in data else None
    sites = list(data["sites"]) if data.get("sites") is not None else None
    _check_sites(actor, sites, person, errors)
    return resident, items, sites


def _check_sites(actor: Actor, sites: list | None, person: Person | None, errors: dict) -> None:
    """An area head sees only people at their sites (roles & scoping): they may add or
    remove only their own sites, and a person they register must be at one of them, or it
    would vanish from their own lists at once."""
    if actor.role != Role.AREA_HEAD or (sites is None and person is not None):
        return
    chosen = {getattr(s, "pk", s) for s in sites or []}
    current = set(person.sites.values_list("id", flat=True)) if person else set()
    if (chosen ^ current) - set(actor.site_ids):
        errors["sites"] = _("You can only assign people to your own sites.")
    elif person is None and not chosen & set(actor.site_ids):
        errors["sites"] = _("Choose at least one of your sites.")


def _org_allowed(actor: Actor, org: Organization) -> bool:
    if actor.role == Role.CONTRACTOR_ADMIN:
        return org.id in scope_organization_ids(actor)
    return actor.role in {Role.SAFETY_MANAGER, Role.AREA_HEAD}


def _items(raw, errors: dict) -> list[CertificateType]:
    raw = list(raw or [])
    objs = [r for r in raw if isinstance(r, CertificateType)]
    codes = [str(r).strip() for r in raw if not isinstance(r, CertificateType)]
    found = {t.code: t for t in CertificateType.objects.filter(code__in=codes, is_active=True)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        errors["special_operations"] = _("Unknown operation item code: %(codes)s") % {
            "codes": ", ".join(unknown)
        }
    return objs + [found[c] for c in codes if c in found]


def _check_age(resident_birth, items, errors: dict) -> None:
    """RULES.md 1: 18 or older to be registered for an item (SAMR too)."""
    if not items or resident_birth is None:
        return
    age = age_on(resident_birth, today())
    too_young = [t for t in items if age < t.min_age]
    if too_young:
        errors["special_operations"] = _(
            "The person is %(age)d years old; special operations need an age of at least 18."
        ) % {"age": age}


@transaction.atomic
def person_create(*, actor: Actor, **data) -> Person:
    require_write(actor)
    errors: dict = {}
    resident, items, sites = _validate(actor=actor, data=data, person=None, errors=errors)
    _check_age(resident.birth_date if resident else None, items, errors)
    if errors:
        raise ValidationFailed(errors)
    index = crypto.blind_index(resident.number)
    if Person.objects.filter(id_number_hash=index).exists():
        raise Conflict({"id_number": _("A person with this ID number is already registered.")})
    person = Person(
        **{k: data[k] for k in SCALAR_FIELDS if k in data},
        id_number_encrypted=crypto.encrypt(resident.number),
        id_number_hash=index,
        id_number_masked=resident.masked,
        birth_date=resident.birth_date,
        sex=resident.sex,
    )
    _save_unique_id(person)
    if items:
        person.special_operations.set(items)
    if sites:
        person.sites.set(sites)
    audit_record(actor=actor, action="create", obj=person, changes=diff({}, _snap(person)))
    return person


def _save_unique_id(person: Person) -> None:
    """The exists() check above answers the usual case; two requests racing past it meet
    the unique blind index, which must still read as a duplicate (409), not a crash."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise Conflict(
            {"id_number": _("A person with this ID number is already registered.")}
        ) from None


def _snap(person: Person) -> dict:
    return {
        "name": person.name,
        "id_number": person.id_number_masked,
        "phone": person.phone,
        "organization": person.organization_id,
        "job_title": person.job_title,
        "note": person.note,
        "employment_state": person.employment_state,
        "special_operations": sorted(person.special_operations.values_list("code", flat=True)),
        "sites": sorted(person.sites.values_list("id", flat=True)),
    }


def _check_in_scope(actor: Actor, person: Person) -> None:
    if not people_visible(Person.objects.filter(pk=person.pk), actor).exists():
        raise NotAllowed(_("You cannot change this person."))


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **data) -> Person:
    require_write(actor)
    _check_in_scope(actor, person)
    before = _snap(person)
    errors: dict = {}
    resident, items, sites = _validate(actor=actor, data=data, person=person, errors=errors)
    birth = resident.birth_date if resident else person.birth_date
    # A changed ID number changes the age: check it against the current items too.
    _check_age(birth, items if items is not None else list(person.special_operations.all()), errors)
    if errors:
        raise ValidationFailed(errors)
    if resident is not None:
        index = crypto.blind_index(resident.number)
        if Person.objects.filter(id_number_hash=index).exclude(pk=person.pk).exists():
            raise Conflict({"id_number": _("A person with this ID number is already registered.")})
        person.id_number_encrypted = crypto.encrypt(resident.number)
        person.id_number_hash = index
        person.id_number_masked = resident.masked
        person.birth_date, person.sex = resident.birth_date, resident.sex
    for k in SCALAR_FIELDS:
        if k in data:
            setattr(person, k, data[k])
    _save_unique_id(person)
    if items is not None:
        person.special_operations.set(items)
    if sites is not None:
        person.sites.set(sites)
    changes = diff(before, _snap(person))
    if changes:
        audit_record(actor=actor, action="update", obj=person, changes=changes)
    return person


@transaction.atomic
def person_set_state(*, actor: Actor, person: Person, state: str, reason: str = "") -> Person:
    """Deactivate (left), blacklist or reactivate a person."""
    require_write(actor)
    _check_in_scope(actor, person)
    if state not in EmploymentState.values:
        raise ValidationFailed({"employment_state": _("Unknown employment state.")})
    if state == EmploymentState.BLACKLISTED and not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for blacklisting.")})
    before = {"employment_state": person.employment_state, "state_reason": person.state_reason}
    changes = diff(before, {"employment_state": state, "state_reason": reason.strip()})
    if not changes:
        return person  # a repeated click changes nothing and records nothing
    person.employment_state, person.state_reason = state, reason.strip()
    person.save(update_fields=["employment_state", "state_reason", "updated_at"])
    audit_record(actor=actor, action="state_change", obj=person, changes=changes)
    return person


@transaction.atomic
def person_reveal_id_number(*, actor: Actor, person: Person) -> str:
    """The full ID number, for roles allowed to see it; every view is audited (PIPL)."""
    if not actor.can_view_full_id:
        raise NotAllowed(_("Your role may not see full ID numbers."))
    audit_record(actor=actor, action="view_id_number", obj=person)
    return person.full_id_number()


PHOTO_KINDS = {"jpeg", "png", "webp"}


@transaction.atomic
def person_set_photo(*, actor: Actor, person: Person, upload) -> Person:
    """Store a face photo (badge card, gate controllers): checked by content, re-encoded
    to a plain JPEG without metadata (safework.core.uploads)."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    from safework.core.uploads import store_upload

    require_write(actor)
    _check_in_scope(actor, person)
    stored = store_upload(
        upload,
        allowed=PHOTO_KINDS,
        max_bytes=settings.PHOTO_MAX_BYTES,
        subdir="people/photos",
        field="photo",
        max_image_side=1200,
    )
    old = person.photo
    person.photo = stored.name
    person.save(update_fields=["photo", "updated_at"])
    audit_record(
        actor=actor,
        action="photo_change",
        obj=person,
        changes={"photo": {"before": old, "after": stored.name}, "sha256": stored.sha256},
    )
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    return person
