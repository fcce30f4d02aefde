"""Every person of a contractor has a ContractorWorker row, kept here: created when the
person is saved (a signal, so people registered anywhere are covered, not only through
the portal), and marked ``subject`` while admission control is in force, i.e. once the
owner has configured an admission checklist item. Set-based where it touches many."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from safework.access.allowlist import mark_dirty
from safework.people.models import Person

from .. import standing
from ..choices import CONTRACTOR_KINDS
from ..models import ChecklistItem, ContractorWorker


def control_in_force() -> bool:
    return ChecklistItem.objects.filter(is_active=True).exists()


def _is_contractor(person: Person) -> bool:
    return person.organization.kind in CONTRACTOR_KINDS


def enrol(person: Person) -> ContractorWorker | None:
    """The person's row, created or brought in line with their organization."""
    subject = _is_contractor(person) and control_in_force()
    worker = ContractorWorker.objects.filter(person=person).first()
    if worker is None:
        if not _is_contractor(person):
            return None
        worker, _ = ContractorWorker.objects.get_or_create(
            person=person, defaults={"subject": subject}
        )
    if worker.subject != subject:
        worker.subject = subject
        worker.save(update_fields=["subject", "updated_at"])
        standing.invalidate()
    return worker


@transaction.atomic
def control_sync() -> int:
    """After a checklist change: rows for contractor people who have none (bulk imports
    bypass signals), and ``subject`` for everyone as control now stands. Returns how many
    rows changed; the allowlist is told."""
    contractor = Person.objects.filter(organization__kind__in=CONTRACTOR_KINDS)
    missing = contractor.exclude(Exists(ContractorWorker.objects.filter(person_id=OuterRef("pk"))))
    on = control_in_force()
    created = [pk for pk in missing.values_list("pk", flat=True)]
    ContractorWorker.objects.bulk_create(
        [ContractorWorker(person_id=pk, subject=on) for pk in created], batch_size=1000
    )
    stale = ContractorWorker.objects.filter(person__in=contractor).exclude(subject=on)
    others = ContractorWorker.objects.exclude(person__in=contractor).filter(subject=True)
    orgs = set(stale.values_list("person__organization_id", flat=True))
    orgs |= set(others.values_list("person__organization_id", flat=True))
    orgs |= set(Person.objects.filter(pk__in=created).values_list("organization_id", flat=True))
    changed = stale.update(subject=on) + others.update(subject=False)
    if changed or created:
        standing.invalidate()
        for org_id in sorted(orgs):  # the allowlist recomputes these organizations' people
            mark_dirty(organization_id=org_id)
    return changed + len(created)
