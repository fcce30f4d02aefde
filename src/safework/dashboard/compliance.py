"""The set-based form of "every assigned item is qualified" (``qualifications_for`` all
qualified) for counting thousands of people in SQL: the certificate part is the people
list's ``unqualified_q``, the person part is employment and, for contractor staff, the
admission standing's ``admitted_q``. tests/dashboard/test_compliance.py proves it agrees
with ``qualification`` person by person."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q

from safework.contractors.models import ContractorWorker
from safework.contractors.selectors import admitted_q
from safework.people.choices import EmploymentState
from safework.people.models import Person
from safework.people.selectors import unqualified_q


def has_special_operations_q() -> Q:
    through = Person.special_operations.through
    return Q(Exists(through.objects.filter(person_id=OuterRef("pk"))))


def not_admitted_q(on: date) -> Q:
    """Contractor staff under admission control whose standing fails on ``on``
    (``standing.admission_reasons`` non-empty)."""
    failing = ContractorWorker.objects.filter(person_id=OuterRef("pk"), subject=True).exclude(
        admitted_q(on)
    )
    return Q(Exists(failing))


def compliant_q(on: date) -> Q:
    """People for whom ``qualifications_for(person, on)`` is all qualified."""
    return Q(employment_state=EmploymentState.ACTIVE) & ~unqualified_q(on) & ~not_admitted_q(on)
