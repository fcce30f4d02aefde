"""Write services for certificates: add, edit, renew (换证中), suspend, revoke, reinstate,
record a review (复审), and record the new certificate that replaces an old one."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.core.access import certificates_visible, people_visible, require_write
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.core.idnumbers import InvalidIdentifier, parse_id_number
from safework.people.models import Person

from . import numbers
from .choices import IssuingSystem, ManualState, RevocationKind
from .models import Certificate, CertificateReview, CertificateType

FIELDS = (
    "type",
    "number",
    "issued_by",
    "first_issued_on",
    "valid_from",
    "valid_until",
    "next_review_due",
    "scope_note",
    "review_extended",
    "review_extended_by",
)
STATE_FIELDS = ("manual_state", "manual_state_on", "manual_reason", "revocation_kind")
_ID_LIKE = re.compile(r"^T?([0-9]{17}[0-9X])$")


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February -> 28 February
        return d.replace(year=d.year + years, day=28)


def default_review_due(
    ctype: CertificateType, valid_from: date, valid_until: date, extended: bool = False
) -> date | None:
    """第二十一条: MEM review every 3 years (6 when extended); SAMR at renewal (none)."""
    if not ctype.review_interval_years:
        return None
    due = add_years(valid_from, 6 if extended else ctype.review_interval_years)
    return due if due < valid_until else None


def _resolve_type(raw, errors: dict) -> CertificateType | None:
    if isinstance(raw, CertificateType):
        return raw
    code = str(raw or "").strip()
    ctype = CertificateType.objects.filter(code=code, is_active=True).first()
    if ctype is None:
        errors["type_code"] = (
            _("Unknown certificate type %(code)s; use a catalogue item code such as MEM-2.1.")
            % {"code": code}
            if code
            else _("Choose the certificate type.")
        )
    return ctype


def _validate(data: dict, person: Person, errors: dict) -> None:
    # Full-width characters from a Chinese input method become ASCII (NFKC).
    number = unicodedata.normalize("NFKC", str(data.get("number") or ""))
    data["number"] = re.sub(r"\s+", "", number).upper()
    if "*" in data["number"]:
        # The masked form shown on pages and in the API stands for the holder's ID number.
        expanded = numbers.expand_masked(data["number"], person)
        if expanded is None:
            errors["number"] = _("Enter the full certificate number, not a masked one.")
        data["number"] = expanded or data["number"]
    data["issued_by"] = str(data.get("issued_by") or "").strip()
    if not data["number"]:
        errors["number"] = _("Enter the certificate number.")
    if not data["issued_by"]:
        errors["issued_by"] = _("Enter the issuing authority.")
    for f, label in (
        ("first_issued_on", _("first issue date")),
        ("valid_from", _("valid from")),
        ("valid_until", _("valid until")),
    ):
        if not isinstance(data.get(f), date):
            errors[f] = _("Enter the %(label)s as a date (YYYY-MM-DD).") % {"label": label}
    if errors:
        return
    _check_dates(data, errors)
    _check_number(data, person, errors)


def _check_dates(data: dict, errors: dict, on: date | None = None) -> None:
    """``on``: today, given by a caller checking many certificates at once."""
    ctype, vf, vu = data["type"], data["valid_from"], data["valid_until"]
    if vu < vf:
        errors["valid_until"] = _("The end of validity is before its start.")
    elif vu > add_years(vf, ctype.validity_years) + timedelta(days=31):
        errors["valid_until"] = _(
            "This certificate type is valid for %(years)d years; check the dates."
        ) % {"years": ctype.validity_years}
    if data["first_issued_on"] > vf:
        errors["first_issued_on"] = _("The first issue date cannot be after the start of validity.")
    if data["first_issued_on"] > (on or today()):
        errors["first_issued_on"] = _("The first issue date is in the future.")
    due = data.get("next_review_due")
    if due is not None and not isinstance(due, date):
        errors["next_review_due"] = _("Enter the review date as a date (YYYY-MM-DD).")
    elif due is not None and (due < vf or due > vu):
        errors["next_review_due"] = _("The review due date must lie within the validity period.")


def _check_number(data: dict, person: Person, errors: dict) -> None:
    """RULES.md 1: new-style MEM numbers carry the holder's ID number, sometimes with a
    ``T`` prefix (unconfirmed); legacy formats are accepted as they are."""
    m = _ID_LIKE.match(data["number"])
    if not m or data["type"].system != IssuingSystem.MEM or not _is_id_number(m.group(1)):
        return  # a legacy number that merely has 18 characters is accepted as it is
    if m.group(1) != person.full_id_number():
        errors["number"] = _(
            "This certificate number is an ID number, but not this person's; check the number."
        )


def _is_id_number(value: str) -> bool:
    try:
        parse_id_number(value)
    except InvalidIdentifier:
        return False
    return True


def _protect_number(cert: Certificate, person: Person) -> None:
    stored = numbers.protect(cert.number, person.full_id_number())
    cert.number, cert.number_hash = stored.number, stored.number_hash
    cert.number_is_id_number = stored.is_id_number


def _check_duplicate(cert: Certificate) -> None:
    clash = Certificate.objects.filter(
        type=cert.type, number_hash=cert.number_hash, superseded=False
    )
    if clash.exclude(pk=cert.pk).exists():
        raise Conflict({"number": _("A certificate of this type with this number already exists.")})


def _save(cert: Certificate) -> None:
    """Two requests racing past ``_check_duplicate`` meet the partial unique index: still a
    duplicate (409), not a crash."""
    try:
        with transaction.atomic():
            cert.save()
    except IntegrityError:
        raise Conflict(
            {"number": _("A certificate of this type with this number already exists.")}
        ) from None


def _in_scope(actor: Actor, person: Person) -> None:
    if not people_visible(Person.objects.filter(pk=person.pk), actor).exists():
        raise NotAllowed(_("You cannot change this person's certificates."))


@transaction.atomic
def certificate_create(
    *, actor: Actor, person: Person, replaces: Certificate | None = None, **data
) -> Certificate:
    require_write(actor)
    _in_scope(actor, person)
    errors: dict = {}
    data["type"] = _resolve_type(data.pop("type_code", None) or data.get("type"), errors)
    if data["type"] is not None:
        _validate(data, person, errors)
    if errors:
        raise ValidationFailed(errors)
    if data.get("next_review_due") is None:
        data["next_review_due"] = default_review_due(
            data["type"], data["valid_from"], data["valid_until"], bool(data.get("review_extended"))
        )
    cert = Certificate(
        person=person, replaces=replaces, **{k: data[k] for k in FIELDS if k in data}
    )
    _protect_number(cert, person)
    _check_duplicate(cert)
    _save(cert)
    audit_record(
        actor=actor,
        action="create",
        obj=cert,
        changes=diff({}, {"person": person.pk, **{f: getattr(cert, f) for f in FIELDS}}),
    )
    return cert


@transaction.atomic
def certificate_update(*, actor: Actor, certificate: Certificate, **data) -> Certificate:
    _guard(actor, certificate)  # a replaced certificate is history (第二十四条)
    before = {f: getattr(certificate, f) for f in FIELDS}
    merged = {**before, **{k: v for k, v in data.items() if k in FIELDS}}
    errors: dict = {}
    if "type_code" in data:
        merged["type"] = _resolve_type(data["type_code"], errors)
    if merged["type"] is not None:
        _validate(merged, certificate.person, errors)
    if errors:
        raise ValidationFailed(errors)
    for f in FIELDS:
        setattr(certificate, f, merged[f])
    _protect_number(certificate, certificate.person)
    _check_duplicate(certificate)
    changes = diff(before, {f: getattr(certificate, f) for f in FIELDS})
    if changes:
        _save(certificate)
        audit_record(actor=actor, action="update", obj=certificate, changes=changes)
    return certificate


def _guard(actor: Actor, cert: Certificate) -> None:
    """Permission and scope before anything else, so that an outsider learns nothing about
    the certificate's state from the error."""
    require_write(actor)
    _in_scope(actor, cert.person)
    if cert.superseded:
        raise ValidationFailed(
            {"manual_state": _("This certificate has been replaced; change the new one.")}
        )


def _set_state(actor: Actor, cert: Certificate, action: str, **values) -> Certificate:
    before = {f: getattr(cert, f) for f in STATE_FIELDS}
    for k, v in values.items():
        setattr(cert, k, v)
    cert.save(update_fields=[*STATE_FIELDS, "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=cert,
        changes=diff(before, {f: getattr(cert, f) for f in STATE_FIELDS}),
    )
    return cert


@transaction.atomic
def certificate_renew(*, actor: Actor, certificate: Certificate, reason: str = "") -> Certificate:
    """Mark 换证中: the certificate no longer qualifies until the new one is recorded."""
    _guard(actor, certificate)
    if certificate.manual_state == ManualState.REVOKED:
        raise ValidationFailed({"manual_state": _("A revoked certificate cannot be renewed.")})
    if certificate.manual_state == ManualState.RENEWING:
        return certificate
    return _set_state(
        actor,
        certificate,
        "renewal_start",
        manual_state=ManualState.RENEWING,
        manual_state_on=today(),
        manual_reason=reason.strip(),
        revocation_kind="",
    )


@transaction.atomic
def certificate_suspend(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    _guard(actor, certificate)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for the suspension.")})
    if certificate.manual_state == ManualState.REVOKED:
        raise ValidationFailed({"manual_state": _("The certificate is already revoked.")})
    return _set_state(
        actor,
        certificate,
        "suspend",
        manual_state=ManualState.SUSPENDED,
        manual_state_on=today(),
        manual_reason=reason.strip(),
        revocation_kind="",
    )


@transaction.atomic
def certificate_revoke(
    *, actor: Actor, certificate: Certificate, reason: str, kind: str = RevocationKind.REVOKED
) -> Certificate:
    """第三十条 撤销 / 第三十一条 注销: final; a new certificate must be recorded to work again."""
    _guard(actor, certificate)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for the revocation.")})
    if kind not in RevocationKind.values:
        raise ValidationFailed({"kind": _("Unknown revocation kind.")})
    return _set_state(
        actor,
        certificate,
        "revoke",
        manual_state=ManualState.REVOKED,
        manual_state_on=today(),
        manual_reason=reason.strip(),
        revocation_kind=kind,
    )


@transaction.atomic
def certificate_reinstate(
    *, actor: Actor, certificate: Certificate, reason: str = ""
) -> Certificate:
    """Lift a suspension or abandon a renewal. Revocation is final."""
    _guard(actor, certificate)
    if certificate.manual_state == ManualState.REVOKED:
        raise ValidationFailed(
            {"manual_state": _("Revocation is final; record a new certificate.")}
        )
    if certificate.manual_state == ManualState.NONE:
        return certificate
    return _set_state(
        actor,
        certificate,
        "reinstate",
        manual_state=ManualState.NONE,
        manual_state_on=today(),
        manual_reason=reason.strip(),
        revocation_kind="",
    )


@transaction.atomic
def certificate_record_review(
    *,
    actor: Actor,
    certificate: Certificate,
    reviewed_on: date,
    authority: str = "",
    next_due: date | None = None,
    note: str = "",
) -> CertificateReview:
    """复审 passed: moves ``next_review_due`` by the review interval (第二十一条), never past
    the end of validity, where a new certificate is needed (第二十四条)."""
    require_write(actor)
    _in_scope(actor, certificate.person)
    errors = {}
    if not isinstance(reviewed_on, date):
        errors["reviewed_on"] = _("Enter the review date as a date (YYYY-MM-DD).")
    elif reviewed_on > today():
        errors["reviewed_on"] = _("The review date is in the future.")
    elif reviewed_on > certificate.valid_until:
        errors["reviewed_on"] = _(
            "The certificate had expired by then; record the new certificate instead."
        )
    elif reviewed_on < certificate.valid_from:
        errors["reviewed_on"] = _("The review date is before the certificate's validity.")
    if certificate.superseded or certificate.manual_state == ManualState.REVOKED:
        errors["reviewed_on"] = _("This certificate is no longer in force.")
    if errors:
        raise ValidationFailed(errors)
    previous = certificate.next_review_due
    if next_due is None:
        next_due = next_review_after(certificate, reviewed_on)
    elif not certificate.valid_from <= next_due <= certificate.valid_until:
        raise ValidationFailed(
            {"next_due": _("The next review due date must lie within the validity period.")}
        )
    review = CertificateReview.objects.create(
        certificate=certificate,
        reviewed_on=reviewed_on,
        authority=authority.strip(),
        previous_due=previous,
        next_due=next_due,
        note=note.strip(),
        recorded_by=actor.user if actor.user is not None and actor.user.is_authenticated else None,
    )
    certificate.next_review_due = next_due
    certificate.save(update_fields=["next_review_due", "updated_at"])
    audit_record(
        actor=actor,
        action="review",
        obj=certificate,
        changes=diff(
            {"next_review_due": previous},
            {
                "next_review_due": next_due,
                "reviewed_on": reviewed_on,
                "authority": review.authority,
            },
        ),
    )
    return review


def next_review_after(certificate: Certificate, reviewed_on: date) -> date | None:
    """第二十一条: a review every 3 years (6 when extended). The review just recorded
    satisfies the current due date, so the next one is that date plus the interval (still
    after the review itself, should it have been recorded very late). Without a current
    due date, the cycle counts from the start of validity, and a review held within the
    window before a cycle date (第二十二条) satisfies that date. None when the next date
    would fall on or after the end of validity: a new certificate is due then (第二十四条)."""
    interval = 6 if certificate.review_extended else (certificate.type.review_interval_years or 0)
    if not interval:
        return None
    if certificate.next_review_due is not None:
        anchor, horizon = certificate.next_review_due, reviewed_on
    else:
        anchor = certificate.valid_from
        horizon = reviewed_on + timedelta(days=certificate.type.review_window_days)
    step = 1
    # Counted from the anchor each time, so that 29 February does not drift to the 28th.
    while (due := add_years(anchor, step * interval)) <= horizon:
        step += 1
    return due if due < certificate.valid_until else None


@transaction.atomic
def certificate_replace(*, actor: Actor, certificate: Certificate, **data) -> Certificate:
    """Record the new certificate issued after renewal or 延期复审 (第二十四条); the old one
    is kept in history, marked as replaced. Two audit entries: ``create`` on the new
    certificate and ``replace`` on the old one."""
    require_write(actor)
    _in_scope(actor, certificate.person)
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.superseded:
        raise ValidationFailed({"number": _("This certificate has already been replaced.")})
    old.superseded = True
    old.save(update_fields=["superseded", "updated_at"])
    data.setdefault("type", old.type)
    data.setdefault("first_issued_on", old.first_issued_on)
    data.setdefault("issued_by", old.issued_by)
    new = certificate_create(actor=actor, person=old.person, replaces=old, **data)
    audit_record(
        actor=actor,
        action="replace",
        obj=old,
        changes=diff(
            {"superseded": False, "replaced_by": None}, {"superseded": True, "replaced_by": new.pk}
        ),
    )
    return new


def certificate_for_actor(*, actor: Actor, pk: int) -> Certificate:
    return certificates_visible(Certificate.objects.select_related("person", "type"), actor).get(
        pk=pk
    )
