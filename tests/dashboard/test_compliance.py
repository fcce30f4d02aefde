"""``compliant_q`` (the SQL form used for counting) agrees with ``qualification`` person
by person, for every reason a worker can fail."""

from datetime import timedelta

import pytest

from safework.certificates.choices import ManualState
from safework.certificates.qualification import qualifications_for
from safework.dashboard.compliance import compliant_q
from safework.people.models import Person
from tests.factories import OrganizationFactory, PersonFactory

from .conftest import TODAY, cert, standing


def _expected(person, on):
    return all(q.qualified for q in qualifications_for(person, on))


@pytest.fixture
def people(db):
    org = OrganizationFactory()
    mk = PersonFactory
    made = []

    def add(items=("MEM-2.1",), **kw):
        person = mk(organization=org, special_operations=list(items), **kw)
        made.append(person)
        return person

    cert(add())  # valid
    add()  # no certificate
    cert(add(), until=TODAY - timedelta(days=1))  # expired yesterday
    cert(add(), until=TODAY)  # last day of validity: still valid
    cert(add(), review=TODAY - timedelta(days=1))  # review overdue
    cert(add(), review=TODAY)  # review due today: not overdue yet
    cert(add(), state=ManualState.SUSPENDED)
    cert(add(), state=ManualState.REVOKED)
    cert(add(), state=ManualState.RENEWING)
    both = add(items=("MEM-2.1", "MEM-1.1"))  # one of two items missing
    cert(both)
    two = add(items=("MEM-2.1", "MEM-1.1"))
    cert(two)
    cert(two, "MEM-1.1")
    old_and_new = add()
    cert(old_and_new, until=TODAY - timedelta(days=30))
    cert(old_and_new)  # the newer certificate qualifies
    cert(add(employment_state="left"))
    cert(add(employment_state="blacklisted"))
    admitted = add()
    cert(admitted)
    standing(admitted, admitted=True)
    refused = add()
    cert(refused)
    standing(refused, admitted=False)
    lapsed_documents = add()
    cert(lapsed_documents)
    standing(lapsed_documents, admitted=True, documents_until=TODAY - timedelta(days=1))
    briefing_due = add()
    cert(briefing_due)
    standing(briefing_due, admitted=True, briefing_required=True, briefing_until=TODAY)
    briefing_lapsed = add()
    cert(briefing_lapsed)
    standing(briefing_lapsed, admitted=True, briefing_required=True,
             briefing_until=TODAY - timedelta(days=1))  # fmt: skip
    return made


@pytest.mark.parametrize("shift", [0, 1, 31])
def test_compliant_q_agrees_with_qualification(people, shift):
    on = TODAY + timedelta(days=shift)
    in_sql = set(Person.objects.filter(compliant_q(on)).values_list("pk", flat=True))
    fresh = Person.objects.prefetch_related("certificates__type", "special_operations")
    expected = {p.pk for p in fresh.filter(pk__in=[p.pk for p in people]) if _expected(p, on)}
    assert in_sql & {p.pk for p in people} == expected
    assert 0 < len(expected) < len(people)  # the world has both kinds on every day tested
