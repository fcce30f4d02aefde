"""People on a permit: workers with roles (certificates checked with ``qualification``),
the guardian (training record), and the safety-measure confirmations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from safework.certificates.qualification import person_reasons, qualification
from safework.core.access import require_write
from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from ..choices import EDITABLE_STATUSES, WorkerRole
from ..models import Assignment, GuardianTraining, Measure, Permit
from ..rules import roles
from .common import (
    actor_name,
    audit,
    local_day,
    locked,
    now_or,
    refuse,
    require_may_change,
    require_status,
)


def permit_days(permit: Permit) -> list[date]:
    """Every local day the permit may run: a certificate lapsing mid-permit counts."""
    first, last = local_day(permit.planned_start), local_day(permit.planned_end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def guardian_trained(person, day: date) -> bool:
    """A guardian training record of ours, or, for a contractor's guardian, an accepted
    training-record document of the admission (issue 7) valid on ``day``."""
    ours = GuardianTraining.objects.filter(person=person, valid_from__lte=day, valid_until__gte=day)
    return ours.exists() or _contractor_training(person, day)


def _contractor_training(person, day: date) -> bool:
    from django.db.models import Q

    from safework.contractors.choices import DocumentKind, DocumentState, WorkerKind
    from safework.contractors.models import WorkerDocument

    return WorkerDocument.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        worker__person=person, worker__worker_kind=WorkerKind.GUARDIAN,
        kind=DocumentKind.TRAINING_RECORD, state=DocumentState.ACCEPTED,
    ).exists()  # fmt: skip


def role_reasons(person, role: str, day: date) -> tuple[list[str], object]:
    """Why ``person`` may not act as ``role`` on ``day`` (empty: may), and the qualifying
    answer (for its certificate) when the role needs one."""
    items = roles.items_for(role)
    if not items:
        reasons = list(person_reasons(person, day))
        if role == WorkerRole.GUARDIAN and not guardian_trained(person, day):
            reasons.append("guardian_untrained")
        return reasons, None
    answers = [qualification(person, item, day) for item in items]
    good = next((a for a in answers if a.qualified), None)
    if good is not None:
        return [], good
    held = [a for a in answers if a.status is not None]  # items with a certificate at all
    return _merge(a.reasons for a in (held or answers)), None


def _merge(lists) -> list[str]:
    merged: list[str] = []
    for codes in lists:
        merged += [c for c in codes if c not in merged]
    return merged


def reasons_over(person, role: str, days: list[date]) -> list[str]:
    for day in days:
        reasons, _answer = role_reasons(person, role, day)
        if reasons:
            return reasons
    return []


def _certificate_number(answer) -> tuple[int | None, str]:
    if answer is None or answer.certificate_id is None:
        return None, ""
    from safework.certificates.models import Certificate

    return answer.certificate_id, Certificate.objects.get(pk=answer.certificate_id).number


@transaction.atomic
def assignment_add(*, actor: Actor, permit: Permit, person, role: str,
                   now: datetime | None = None) -> Assignment:  # fmt: skip
    """An unqualified worker cannot be added; the reasons say why (4.9, 4.10)."""
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, *EDITABLE_STATUSES)
    if role not in WorkerRole.values:
        raise ValidationFailed({"role": _("Unknown role.")})
    days = permit_days(permit)
    refuse("person", reasons_over(person, role, days))
    _reasons, answer = role_reasons(person, role, days[0])
    cert_id, cert_number = _certificate_number(answer)
    if Assignment.objects.filter(permit=permit, person=person, role=role).exists():
        raise ValidationFailed({"person": _("Already on this permit in that role.")})
    row = Assignment.objects.create(
        permit=permit, person=person, role=role, certificate_id=cert_id,
        certificate_number=cert_number, added_at=now_or(now),
    )  # fmt: skip
    audit(actor, "assign", permit, person=person.pk, role=role, certificate=cert_id)
    return row


@transaction.atomic
def assignment_remove(*, actor: Actor, assignment: Assignment) -> None:
    permit = locked(assignment.permit)
    require_may_change(actor, permit)
    require_status(permit, *EDITABLE_STATUSES)
    audit(actor, "unassign", permit, person=assignment.person_id, role=assignment.role)
    assignment.delete()


@transaction.atomic
def measure_confirm(*, actor: Actor, measure: Measure, applies: bool, confirmed_by: str = "",
                    now: datetime | None = None) -> Measure:  # fmt: skip
    """Annex A: each measure "是否涉及" and "确认人"."""
    permit = locked(measure.permit)
    require_may_change(actor, permit)
    require_status(permit, *EDITABLE_STATUSES)
    measure.applies = bool(applies)
    measure.confirmed_by = (confirmed_by or actor_name(actor)).strip()[:150]
    measure.confirmed_at = now_or(now)
    measure.save(update_fields=["applies", "confirmed_by", "confirmed_at"])
    audit(actor, "measure", permit, measure=measure.text, applies=measure.applies)
    return measure


@transaction.atomic
def guardian_training_add(*, actor: Actor, person, issued_by: str, valid_from: date,
                          valid_until: date, number: str = "") -> GuardianTraining:  # fmt: skip
    require_write(actor)
    if valid_until < valid_from:
        raise ValidationFailed({"valid_until": _("The end is before the start")})
    row = GuardianTraining.objects.create(
        person=person, issued_by=issued_by, valid_from=valid_from, valid_until=valid_until,
        number=number,
    )  # fmt: skip
    from safework.audit.services import audit_record

    audit_record(actor=actor, action="permit.guardian_training", obj=person,
                 changes={"valid_until": {"before": None, "after": valid_until}})  # fmt: skip
    return row
