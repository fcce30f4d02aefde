"""Workers of a contractor: registering them (people.services.person_create, so the ID
number rules are the register's), their kind, assigning them to a site, and their
documents: uploaded through the safe intake, reviewed by the owner."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.core.access import people_visible, require_write
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.core.models import Site
from safework.core.uploads import store_upload
from safework.people import services as people_services
from safework.people.models import Person

from ..choices import (
    CONTRACTOR_KINDS,
    EXPIRING_KINDS,
    DocumentKind,
    DocumentState,
    WorkerKind,
)
from ..models import ChecklistItem, ContractorWorker, SiteAdmission, WorkerDocument
from .enrolment import enrol
from .notify import tell_contractor
from .refresh import standing_refresh

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_KINDS = {"jpeg", "png", "webp", "gif", "pdf"}


def require_worker_in_scope(actor: Actor, worker: ContractorWorker) -> None:
    if not people_visible(Person.objects.filter(pk=worker.person_id), actor).exists():
        raise NotAllowed(_("This worker is outside your scope."))


def _kind(worker_kind: str) -> str:
    if worker_kind not in WorkerKind.values:
        raise ValidationFailed({"worker_kind": _("Choose the kind of worker.")})
    return worker_kind


@transaction.atomic
def worker_register(*, actor: Actor, worker_kind: str, **person_data) -> ContractorWorker:
    """A contractor's worker: the person (validated by the register's own service) and
    their admission row."""
    _kind(worker_kind)
    org = person_data.get("organization")
    if org is not None and getattr(org, "kind", None) not in CONTRACTOR_KINDS:
        raise ValidationFailed({"organization": _("Choose a contractor.")})
    person = people_services.person_create(actor=actor, **person_data)
    worker = enrol(person)
    worker.worker_kind = worker_kind
    worker.save(update_fields=["worker_kind", "updated_at"])
    audit_record(
        actor=actor, action="contractor_worker.register", obj=worker,
        changes=diff({}, {"person": person.pk, "worker_kind": worker_kind}),
    )  # fmt: skip
    return worker


@transaction.atomic
def worker_set_kind(
    *, actor: Actor, worker: ContractorWorker, worker_kind: str
) -> ContractorWorker:
    require_write(actor)
    require_worker_in_scope(actor, worker)
    before = {"worker_kind": worker.worker_kind}
    worker.worker_kind = _kind(worker_kind)
    worker.save(update_fields=["worker_kind", "updated_at"])
    changes = diff(before, {"worker_kind": worker_kind})
    if changes:
        audit_record(actor=actor, action="contractor_worker.kind", obj=worker, changes=changes)
        standing_refresh(worker)
    return worker


@transaction.atomic
def worker_assign_site(*, actor: Actor, worker: ContractorWorker, site: Site) -> SiteAdmission:
    """Assign to a site: an admission to prepare and submit (and the person's sites)."""
    require_write(actor)
    require_worker_in_scope(actor, worker)
    if not site.is_active:
        raise ValidationFailed({"site": _("This site is not active.")})
    try:
        with transaction.atomic():
            admission = SiteAdmission.objects.create(worker=worker, site=site)
    except IntegrityError:
        raise Conflict({"site": _("The worker is already assigned to this site.")}) from None
    person = worker.person
    if not person.sites.filter(pk=site.pk).exists():
        sites = [*person.sites.all(), site]
        # The register's own rules for sites (an area head assigns only their own).
        people_services.person_update(actor=actor, person=person, sites=sites)
    audit_record(
        actor=actor, action="admission.assign", obj=admission,
        changes=diff({}, {"worker": worker.pk, "site": site.pk, "state": admission.state}),
    )  # fmt: skip
    standing_refresh(worker)
    return admission


def _expiring_key(worker: ContractorWorker, kind: str, name: str) -> bool:
    if kind in EXPIRING_KINDS:
        return True
    return ChecklistItem.objects.filter(
        worker_kind=worker.worker_kind, kind=kind, name=name, expires=True, is_active=True
    ).exists()


def _clean_document(worker, kind: str, name: str, valid_until: date | None, upload) -> str:
    if kind not in DocumentKind.values or kind == DocumentKind.OPERATION_CERTIFICATE:
        # The operation certificate is the register's certificate, not an upload here.
        raise ValidationFailed({"kind": _("Choose the document.")})
    name = (name or "").strip() if kind == DocumentKind.CUSTOM else ""
    if kind == DocumentKind.CUSTOM and not name:
        raise ValidationFailed({"name": _("Which custom item is this?")})
    if valid_until is None and _expiring_key(worker, kind, name):
        raise ValidationFailed({"valid_until": _("Enter the date this document is valid until.")})
    if (
        upload is None
        and ChecklistItem.objects.filter(
            worker_kind=worker.worker_kind, kind=kind, name=name, file_required=True, is_active=True
        ).exists()
    ):
        raise ValidationFailed({"file": _("Upload the document (a photo or a PDF).")})
    return name


@transaction.atomic
def document_upload(
    *,
    actor: Actor,
    worker: ContractorWorker,
    kind: str,
    upload=None,
    name: str = "",
    valid_until: date | None = None,
    number: str = "",
) -> WorkerDocument:
    """A document for review; images are re-encoded, PDFs checked by their bytes."""
    require_write(actor)
    require_worker_in_scope(actor, worker)
    name = _clean_document(worker, kind, name, valid_until, upload)
    doc = WorkerDocument(worker=worker, kind=kind, name=name, valid_until=valid_until,
                         number=(number or "").strip()[:100], uploaded_by=actor.label[:150])  # fmt: skip
    if upload is not None:
        stored = store_upload(
            upload, allowed=DOCUMENT_KINDS, max_bytes=MAX_DOCUMENT_BYTES,
            subdir="contractor-documents", field="file",
        )  # fmt: skip
        doc.file, doc.content_type, doc.size, doc.sha256 = (
            stored.name, stored.content_type, stored.size, stored.sha256,
        )  # fmt: skip
    doc.save()
    after = {"kind": kind, "name": name, "valid_until": valid_until, "sha256": doc.sha256}
    audit_record(actor=actor, action="document.upload", obj=doc, changes=diff({}, after))
    return doc


def require_reviewer(actor: Actor) -> None:
    if not actor.can_write or actor.role not in {Role.SAFETY_MANAGER, Role.AREA_HEAD}:
        raise NotAllowed(_("Documents are reviewed by the owner's safety managers."))


@transaction.atomic
def document_review(
    *, actor: Actor, document: WorkerDocument, accept: bool, reason: str = ""
) -> WorkerDocument:
    """Accept, or reject with a reason the contractor reads (and is told about)."""
    require_reviewer(actor)
    require_worker_in_scope(actor, document.worker)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationFailed({"reason": _("Say why the document is rejected.")})
    before = {"state": document.state, "rejection_reason": document.rejection_reason}
    document.state = DocumentState.ACCEPTED if accept else DocumentState.REJECTED
    document.rejection_reason = "" if accept else reason[:300]
    document.reviewed_by, document.reviewed_at = actor.label[:150], timezone.now()
    document.save()
    changes = diff(before, {"state": document.state, "rejection_reason": document.rejection_reason})
    audit_record(actor=actor, action="document.review", obj=document, changes=changes)
    if not accept:
        _tell_rejected(document, reason)
    standing_refresh(document.worker)
    return document


def _tell_rejected(document: WorkerDocument, reason: str) -> None:
    person = document.worker.person
    title = _("Document rejected: %(doc)s of %(name)s") % {
        "doc": document.label,
        "name": person.name,
    }
    tell_contractor(
        person.organization, title=title, body=_("Reason: %(reason)s") % {"reason": reason},
        link=reverse("contractors:worker", args=[document.worker_id]), key=f"document-rejected:{document.pk}",
    )  # fmt: skip
