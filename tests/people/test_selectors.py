"""The people list (issue 2, pages): filters by organization, site, operation item and
status, and search by name / ID number / phone, in a fixed number of queries."""

from datetime import date, timedelta

import pytest

from safework.certificates.choices import ManualState
from safework.certificates.models import CertificateType
from safework.people.selectors import UNQUALIFIED, person_get, person_list
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    make_id_number,
)

ON = date(2025, 6, 10)


def cert(person, until_days, state=ManualState.NONE, **kw):
    until = ON + timedelta(days=until_days)
    return CertificateFactory(
        person=person,
        valid_from=until - timedelta(days=2000),
        first_issued_on=until - timedelta(days=2000),
        valid_until=until,
        next_review_due=None,
        manual_state=state,
        **kw,
    )


@pytest.fixture
def people(db):
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    site = SiteFactory()
    p = {
        "welder": PersonFactory(
            name="张三",
            organization=org_a,
            sites=[site],
            special_operations=["MEM-2.1"],
            id_number=make_id_number(101),
            phone="13900000001",
        ),
        "expired": PersonFactory(
            name="李四",
            organization=org_a,
            special_operations=["MEM-2.1"],
            id_number=make_id_number(102),
            phone="13900000002",
        ),
        "driver": PersonFactory(
            name="王五",
            organization=org_b,
            special_operations=["SAMR-N1"],
            id_number=make_id_number(103),
            phone="13700000003",
        ),
    }
    cert(p["welder"], 1000)
    cert(p["expired"], -1)
    cert(p["driver"], 10, type=CertificateType.objects.get(code="SAMR-N1"))
    return p, org_a, site


def names(qs) -> list[str]:
    return [p.name for p in qs]


def test_filters(people, manager):
    p, org_a, site = people
    assert names(person_list(actor=manager, on=ON)) == ["张三", "李四", "王五"]
    assert names(person_list(actor=manager, on=ON, organization_id=org_a.id)) == ["张三", "李四"]
    assert names(person_list(actor=manager, on=ON, site_id=site.id)) == ["张三"]
    assert names(person_list(actor=manager, on=ON, item_code="SAMR-N1")) == ["王五"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("valid", ["张三"]), ("expired", ["李四"]), ("expiring", ["王五"]), (UNQUALIFIED, ["李四"])],
)
def test_status_filter(people, manager, status, expected):
    """Status of a person = status of their certificates on the day; "unqualified" = an
    assigned special operation without a qualifying certificate."""
    assert names(person_list(actor=manager, on=ON, status=status)) == expected


def test_person_without_any_certificate_is_unqualified(people, manager):
    PersonFactory(name="赵六", special_operations=["MEM-3.1"])
    assert names(person_list(actor=manager, on=ON, status=UNQUALIFIED)) == ["李四", "赵六"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张", ["张三"]),
        ("0000002", ["李四"]),  # part of a phone number
        ("137 0000 0003", ["王五"]),
    ],
)
def test_search_by_name_and_phone(people, manager, q, expected):
    assert names(person_list(actor=manager, on=ON, q=q)) == expected


def test_search_by_full_id_number_uses_the_blind_index(people, manager):
    """ID numbers are encrypted: exact lookup through the keyed hash, lower-case x and
    spaces included; part of an ID number finds nothing (it is not stored in clear)."""
    number = make_id_number(102)
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
    assert names(person_list(actor=manager, on=ON, q=spaced)) == ["李四"]
    assert names(person_list(actor=manager, on=ON, q=number[:10])) == []


def test_list_runs_in_one_query_whatever_the_size(people, manager, django_assert_num_queries):
    """STYLE.md 10: no N+1 on list pages."""
    for _ in range(5):
        PersonFactory()
    with django_assert_num_queries(1):
        rows = [(p.name, p.organization.name) for p in person_list(actor=manager, on=ON, status="")]
    assert len(rows) == 8


def test_person_get_prefetches_for_qualification(people, manager, django_assert_num_queries):
    from safework.certificates.qualification import qualifications_for

    person = person_get(actor=manager, pk=people[0]["welder"].pk)
    with django_assert_num_queries(0):
        assert [q.qualified for q in qualifications_for(person, ON)] == [True]
