"""Workers by Excel (issue 7: "one by one or by Excel, reusing the ledger import"): the
certificates app's ledger import does the reading, the dry run, the row errors and the
all-or-nothing write of people and certificates; then, in the same transaction, the
imported people get their admission rows, the kind of worker chosen, and optionally an
admission at a site to prepare and submit."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.certificates.ledger.services import ledger_commit
from safework.certificates.models import LedgerImport, LedgerImportRow
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import ACTIVE_ADMISSION_STATES, WorkerKind
from ..models import ContractorWorker
from .enrolment import control_sync
from .refresh import standing_refresh
from .workers import worker_assign_site


@transaction.atomic
def workers_import(
    *, actor: Actor, ledger_import: LedgerImport, worker_kind: str, site=None
) -> LedgerImport:
    """Commit a previewed ledger import and enrol the people in it. A refused import
    (row errors) is returned as it is, with nothing enrolled."""
    if worker_kind not in WorkerKind.values:
        raise ValidationFailed({"worker_kind": _("Choose the kind of worker.")})
    record = ledger_commit(actor=actor, ledger_import=ledger_import)
    if record.state != LedgerImport.State.COMMITTED:
        return record
    control_sync()  # admission rows for the people the import created (bulk, no signals)
    person_ids = set(
        LedgerImportRow.objects.filter(ledger_import=record, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    workers = list(ContractorWorker.objects.filter(person_id__in=person_ids))
    created = set(
        LedgerImportRow.objects.filter(ledger_import=record, action="created").values_list(
            "person_id", flat=True
        )
    )
    for worker in workers:
        _enrol_one(actor, worker, worker_kind if worker.person_id in created else None, site)
    audit_record(
        actor=actor, action="contractor_worker.import", obj=record,
        changes={"workers": {"before": None, "after": sorted(w.pk for w in workers)},
                 "worker_kind": {"before": None, "after": worker_kind},
                 "site": {"before": None, "after": site.pk if site else None}},
    )  # fmt: skip
    return record


def _enrol_one(actor: Actor, worker: ContractorWorker, kind: str | None, site) -> None:
    if kind and worker.worker_kind != kind:
        worker.worker_kind = kind
        worker.save(update_fields=["worker_kind", "updated_at"])
    open_here = (
        site is not None
        and worker.admissions.filter(site=site, state__in=ACTIVE_ADMISSION_STATES).exists()
    )
    if site is not None and not open_here:
        worker_assign_site(actor=actor, worker=worker, site=site)
    else:
        standing_refresh(worker)
