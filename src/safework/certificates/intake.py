"""OCR intake of certificate photos (issue 3): store each photo safely, read it, propose
the fields; on confirmation register the holder if needed, record the certificate through
the ordinary services, and keep the photos with it."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.core import crypto
from safework.core.access import people_visible, require_write
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed
from safework.core.idnumbers import InvalidIdentifier, parse_id_number
from safework.core.uploads import store_upload
from safework.people.models import Person
from safework.people.services import person_create

from . import ocr
from .ledger.items import ItemMatcher
from .models import Certificate, CertificateScan, CertificateType
from .services import certificate_create

PHOTO_MAX_BYTES = 15 * 1024 * 1024
MAX_PHOTOS = 4  # front and back, twice: OCR runs in the request (about 1 s a photo)


def _user(actor: Actor):
    return actor.user if actor.user is not None and actor.user.is_authenticated else None


def scans_upload(*, actor: Actor, uploads: list) -> list[CertificateScan]:
    """Store and read each photo (OCR runs outside any transaction: seconds per photo)."""
    require_write(actor)
    if not uploads or len(uploads) > MAX_PHOTOS:
        raise ValidationFailed(
            {"photos": _("Upload between 1 and %(n)d photos.") % {"n": MAX_PHOTOS}}
        )
    matcher = ItemMatcher(CertificateType.objects.filter(is_active=True))
    read = []
    for upload in uploads:
        stored = store_upload(
            upload,
            allowed={"jpeg", "png", "webp"},
            max_bytes=PHOTO_MAX_BYTES,
            subdir="certificate-scans",
            field="photos",
        )
        with default_storage.open(stored.name, "rb") as fh:
            read.append((stored, ocr.recognise(fh.read(), matcher)))
    return _save_scans(actor, read)


@transaction.atomic
def _save_scans(actor: Actor, read: list) -> list[CertificateScan]:
    scans = []
    for stored, result in read:
        scan = CertificateScan.objects.create(
            file=stored.name,
            sha256=stored.sha256,
            uploaded_by=_user(actor),
            actor=actor.label[:150],
            ocr=result,
        )
        audit_record(
            actor=actor,
            action="scan_upload",
            obj=scan,
            changes={"sha256": stored.sha256, "fields": sorted(result["fields"])},
        )
        scans.append(scan)
    return scans


def pending_scans(*, actor: Actor, ids: list[int]) -> list[CertificateScan]:
    """The user's own photos not yet attached to a certificate."""
    user = _user(actor)
    if user is None:
        return []
    qs = CertificateScan.objects.filter(pk__in=ids, uploaded_by=user, certificate__isnull=True)
    return list(qs.order_by("pk"))


def _holder(actor: Actor, *, name: str, id_number: str, organization, type_code: str) -> Person:
    """The registered person with this ID number, or a new registration."""
    try:
        resident = parse_id_number(id_number)
    except InvalidIdentifier as exc:
        raise ValidationFailed({"id_number": exc.message}) from None
    existing = Person.objects.filter(id_number_hash=crypto.blind_index(resident.number)).first()
    if existing is not None:
        if not people_visible(Person.objects.filter(pk=existing.pk), actor).exists():
            raise ValidationFailed(
                {
                    "id_number": _(
                        "A person with this ID number is registered with an organization "
                        "you cannot see; ask a safety manager."
                    )
                }
            )
        return existing
    return person_create(
        actor=actor,
        name=name,
        id_number=resident.number,
        organization=organization,
        special_operations=[type_code] if type_code else [],
    )


@transaction.atomic
def intake_confirm(
    *,
    actor: Actor,
    scans: list[CertificateScan],
    name: str,
    id_number: str,
    organization=None,
    **certificate_data,
) -> Certificate:
    """Record the certificate the user confirmed; the photos go with it."""
    require_write(actor)
    person = _holder(
        actor,
        name=name,
        id_number=id_number,
        organization=organization,
        type_code=certificate_data.get("type_code", ""),
    )
    cert = certificate_create(actor=actor, person=person, **certificate_data)
    ids = [s.pk for s in scans]
    CertificateScan.objects.filter(pk__in=ids, certificate__isnull=True).update(certificate=cert)
    audit_record(actor=actor, action="scan_attach", obj=cert, changes={"scans": ids})
    return cert


def proposal(scans: list[CertificateScan]) -> dict[str, dict]:
    """The fields read from all the photos, most confident first."""
    return ocr.merge([s.ocr for s in scans])
