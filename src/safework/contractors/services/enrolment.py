"""Every person of a contractor has a ContractorWorker row, kept here: created when the
person is saved (a signal, so people registered anywhere are covered, not only through
the portal), and marked ``subject`` while admission control is in force, i.e. once the
owner has configured an admission checklist item. Set-based where it touches many."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from safework.access.allowlist import mark_dirty
from safework.people.models import Person

from .. import standing
from ..choices import CONTRACTOR_KINDS
from ..models import ChecklistItem, ContractorWorker


def _copy_person_facts() -> None:
    """Organization and employment copied from the people, set-based (bulk imports and
    bulk updates bypass the signal)."""
    person = Person.objects.filter(pk=OuterRef("person_id"))
    ContractorWorker.objects.update(
        organization_id=Subquery(person.values("organization_id")[:1]),
        active=Exists(person.filter(employment_state="active")),
    )


def control_in_force() -> bool:
    return ChecklistItem.objects.filter(is_active=True).exists()


def _is_contractor(person: Person) -> bool:
    return person.organization.kind in CONTRACTOR_KINDS


def _facts(person: Person, in_force: bool) -> dict:
    return {
        "subject": _is_contractor(person) and in_force,
        "organization_id": person.organization_id,
        "active": person.is_active,
    }


def enrol(person: Person) -> ContractorWorker | None:
    """The person's row, created or brought in line with their organization and
    employment (called on every save of a person)."""
    worker = ContractorWorker.objects.filter(person=person).first()
    if worker is None and not _is_contractor(person):
        return None
    facts = _facts(person, control_in_force())
    if worker is None:
        worker, _ = ContractorWorker.objects.get_or_create(person=person, defaults=facts)
    changed = [f for f, v in facts.items() if getattr(worker, f) != v]
    if changed:
        for f in changed:
            setattr(worker, f, facts[f])
        worker.save(update_fields=[*changed, "updated_at"])
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
    _copy_person_facts()
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
