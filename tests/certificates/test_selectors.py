"""Certificate lists and counts (DESIGN.md API: GET /certificates with status,
within_days, organization_id, type_code; the home page's counts by status)."""

from datetime import date, timedelta

import pytest

from safework.certificates.choices import ManualState
from safework.certificates.models import CertificateType
from safework.certificates.selectors import catalogue_list, certificate_list, status_counts
from tests.factories import CertificateFactory, OrganizationFactory, PersonFactory

ON = date(2025, 6, 10)


def cert(person, until_days, review_days=None, **kw):
    until = ON + timedelta(days=until_days)
    return CertificateFactory(
        person=person,
        valid_from=until - timedelta(days=2000),
        first_issued_on=until - timedelta(days=2000),
        valid_until=until,
        next_review_due=None if review_days is None else ON + timedelta(days=review_days),
        **kw,
    )


@pytest.fixture
def certs(db):
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    a, b = PersonFactory(organization=org_a), PersonFactory(organization=org_b)
    forklift = CertificateType.objects.get(code="SAMR-N1")
    return {
        "valid": cert(a, 1000),
        "expiring": cert(a, 12, type=forklift),
        "review_soon": cert(b, 1000, review_days=25),
        "overdue": cert(b, 1000, review_days=-1, number="R-1"),
        "expired": cert(b, -3),
        "renewing": cert(a, 500, manual_state=ManualState.RENEWING),
        "old": cert(a, 2000, superseded=True),
        "orgs": (org_a, org_b),
    }


def keys(certs, qs) -> set[str]:
    return set(statuses(certs, qs))


def statuses(certs, qs) -> dict[str, str]:
    by_id = {c.id: k for k, c in certs.items() if k != "orgs"}
    return {by_id[c.id]: c.status for c in qs}


def test_status_filter_and_annotation(certs, manager):
    rows = certificate_list(actor=manager, on=ON)
    assert statuses(certs, rows) == {
        "valid": "valid",
        "expiring": "expiring",
        "review_soon": "expiring",
        "overdue": "review_overdue",
        "expired": "expired",
        "renewing": "renewing",
    }
    assert keys(certs, certificate_list(actor=manager, on=ON, status="expiring")) == {
        "expiring",
        "review_soon",
    }


def test_superseded_only_when_asked(certs, manager):
    """Replaced certificates are history: out of lists unless asked for."""
    assert "old" not in keys(certs, certificate_list(actor=manager, on=ON))
    assert keys(certs, certificate_list(actor=manager, on=ON, status="superseded")) == {"old"}
    everything = certificate_list(actor=manager, on=ON, include_superseded=True)
    assert "old" in keys(certs, everything)


def test_within_days_means_expiry_or_review_due_soon(certs, manager):
    """within_days=N: validity ends or a review falls due within N days (not already past)."""
    soon = certificate_list(actor=manager, on=ON, within_days=30)
    assert keys(certs, soon) == {"expiring", "review_soon"}
    assert keys(certs, certificate_list(actor=manager, on=ON, within_days=20)) == {"expiring"}


def test_organization_type_and_person_filters(certs, manager):
    org_a, org_b = certs["orgs"]
    assert keys(certs, certificate_list(actor=manager, on=ON, organization_id=org_b.id)) == {
        "review_soon",
        "overdue",
        "expired",
    }
    assert keys(certs, certificate_list(actor=manager, on=ON, type_code="SAMR-N1")) == {"expiring"}
    person = certs["expired"].person_id
    assert keys(certs, certificate_list(actor=manager, on=ON, person_id=person)) == {
        "review_soon",
        "overdue",
        "expired",
    }


def test_counts_by_status_in_one_query(certs, manager, django_assert_num_queries):
    """The home page's counts by status: one grouped query, every status present."""
    with django_assert_num_queries(1):
        counts = status_counts(actor=manager, on=ON)
    assert counts == {
        "valid": 1,
        "expiring": 2,
        "review_overdue": 1,
        "expired": 1,
        "renewing": 1,
        "suspended": 0,
        "revoked": 0,
    }


def test_catalogue_list_in_catalogue_order(db):
    codes = list(catalogue_list().values_list("code", flat=True))
    assert codes[:3] == ["MEM-1.1", "MEM-1.2", "MEM-1.3"]
    assert codes.index("MEM-10.5") < codes.index("SAMR-A")
