"""Site admissions: the checklist a worker shows at a site, submitting it into the
multi-party approval chain, the chain's outcome, and releasing a worker who leaves for
good (badge revoked, allowlist updated)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.access.services import badge_revoke
from safework.approvals import services as approvals
from safework.approvals.choices import InstanceState
from safework.approvals.models import ChainTemplate
from safework.audit.services import audit_record
from safework.certificates.qualification import qualifications_for
from safework.core.access import require_write
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed
from safework.people import services as people_services

from ..admission import ItemCheck, certificate_check, documents_by_key, item_check
from ..choices import (
    ACTIVE_ADMISSION_STATES,
    ADMISSION_KIND,
    AdmissionState,
    DocumentKind,
    ItemStatus,
)
from ..models import ContractorWorker, SiteAdmission
from .refresh import required_items, standing_refresh
from .workers import require_worker_in_scope

DEFAULT_CHAIN = "contractor-admission"
BLOCKING = (ItemStatus.MISSING, ItemStatus.REJECTED, ItemStatus.EXPIRED)


def checklist(worker: ContractorWorker, site_id: int, on: date) -> list[ItemCheck]:
    """The worker's checklist at a site on ``on``: each required item with its status."""
    docs = documents_by_key(worker.documents.all())
    checks = []
    for item in required_items(worker, [site_id]):
        if item.kind == DocumentKind.OPERATION_CERTIFICATE:
            checks.append(certificate_check(item, _certificate_items(worker), on))
        else:
            checks.append(item_check(item, docs.get(item.key, []), on, warn_days=_warn()))
    return checks


def _warn() -> int:
    return settings.EXPIRY_WARNING_DAYS


def _certificate_items(worker: ContractorWorker) -> list:
    from safework.core.clock import today

    return qualifications_for(worker.person, today())


def _chain_for(admission: SiteAdmission) -> ChainTemplate:
    """A chain coded admission-<site code> for this site, else the default one."""
    chains = ChainTemplate.objects.filter(subject_kind=ADMISSION_KIND, is_active=True)
    chain = chains.filter(code=f"admission-{admission.site.code}").first()
    chain = chain or chains.filter(code=DEFAULT_CHAIN).first()
    if chain is None:
        raise ValidationFailed({"chain": _("No admission approval chain is configured.")})
    return chain


def _check_complete(admission: SiteAdmission, on: date) -> None:
    blocking = [
        c for c in checklist(admission.worker, admission.site_id, on) if c.status in BLOCKING
    ]
    if blocking:
        items = "、".join(f"{c.item.label} ({ItemStatus(c.status).label})" for c in blocking)
        raise ValidationFailed(
            {"checklist": _("The checklist is not complete: %(items)s") % {"items": items}}
        )


@transaction.atomic
def admission_submit(*, actor: Actor, admission: SiteAdmission, comment: str = "") -> SiteAdmission:
    """Into the approval chain (or back into it after a rejection)."""
    from safework.core.clock import today

    require_write(actor)
    admission = (
        SiteAdmission.objects.select_for_update()
        .select_related("site", "worker__person__organization")
        .get(pk=admission.pk)
    )
    require_worker_in_scope(actor, admission.worker)
    if admission.state not in (AdmissionState.DRAFT, AdmissionState.REJECTED):
        raise ValidationFailed({"state": _("This admission is already in approval or decided.")})
    _check_complete(admission, today())
    if admission.approval is not None and admission.approval.state == InstanceState.REJECTED:
        approvals.approval_resubmit(actor=actor, instance=admission.approval, comment=comment)
    else:
        admission.approval = approvals.approval_start(
            actor=actor, chain=_chain_for(admission), subject=admission,
            title=_title(admission), organization=admission.worker.person.organization,
            site=admission.site, link=reverse("contractors:worker", args=[admission.worker_id]),
        )  # fmt: skip
    return _set_state(actor, admission, AdmissionState.PENDING, "admission.submit")


def _title(admission: SiteAdmission) -> str:
    person = admission.worker.person
    return _("Admission of %(name)s (%(org)s) to %(site)s") % {
        "name": person.name, "org": person.organization.name, "site": admission.site.name,
    }  # fmt: skip


def _set_state(actor: Actor, admission: SiteAdmission, state: str, action: str) -> SiteAdmission:
    before = admission.state
    admission.state = state
    now = timezone.now()
    if state == AdmissionState.PENDING:
        admission.submitted_at = now
    elif state in (AdmissionState.ADMITTED, AdmissionState.REJECTED):
        admission.decided_at = now
    admission.save()
    changes = {"state": {"before": before, "after": state}}
    audit_record(actor=actor, action=action, obj=admission, changes=changes)
    if state != AdmissionState.RELEASED:
        standing_refresh(admission.worker)
    return admission


OUTCOME = {
    InstanceState.APPROVED: AdmissionState.ADMITTED,
    InstanceState.REJECTED: AdmissionState.REJECTED,
    InstanceState.CANCELLED: AdmissionState.DRAFT,
}


def on_admission_decided(*, instance, actor: Actor) -> None:
    """The approval engine's outcome (registered for contractors.admission)."""
    admission = (
        SiteAdmission.objects.filter(pk=instance.subject_id).select_related("worker").first()
    )
    if admission is None or admission.state == AdmissionState.RELEASED:
        return
    _set_state(actor, admission, OUTCOME[instance.state], f"admission.{instance.state}")


# --- release -----------------------------------------------------------------------------------


@transaction.atomic
def worker_release(
    *, actor: Actor, worker: ContractorWorker, reason: str, site=None
) -> list[SiteAdmission]:
    """The worker leaves a site (or every site) for good: admissions released, sites
    taken off the person, a running approval withdrawn; with no site left their badge
    is revoked, and the allowlist follows (the standing and the badge mark it dirty)."""
    require_write(actor)
    require_worker_in_scope(actor, worker)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why the worker is released.")})
    open_ = worker.admissions.filter(state__in=ACTIVE_ADMISSION_STATES).select_related("approval")
    released = list(open_.filter(site=site) if site is not None else open_)
    if not released:
        raise ValidationFailed({"site": _("The worker has no open admission here.")})
    for admission in released:
        _release_one(actor, admission, reason)
    _drop_sites(actor, worker, {a.site_id for a in released})
    if not worker.admissions.filter(state__in=ACTIVE_ADMISSION_STATES).exists():
        badge_revoke(actor=actor, person=worker.person, reason=reason)
    standing_refresh(worker)
    return released


def _release_one(actor: Actor, admission: SiteAdmission, reason: str) -> None:
    admission.released_at, admission.release_reason = timezone.now(), reason[:300]
    _set_state(actor, admission, AdmissionState.RELEASED, "admission.release")
    if admission.approval is not None and admission.approval.state == InstanceState.PENDING:
        approvals.approval_cancel(actor=actor, instance=admission.approval, reason=reason)


def _drop_sites(actor: Actor, worker: ContractorWorker, site_ids: set[int]) -> None:
    person = worker.person
    keep = [s for s in person.sites.all() if s.pk not in site_ids]
    if len(keep) != person.sites.count():
        people_services.person_update(actor=actor, person=person, sites=keep)
