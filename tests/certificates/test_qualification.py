"""Qualification (DESIGN.md): the person is active and not blacklisted and holds a
certificate of the item that qualifies on that date (only valid and expiring qualify).
One rule for the gate, the permits, the dashboard and the API (principle 2)."""

from datetime import date, timedelta

import pytest

from safework.certificates.choices import ManualState
from safework.certificates.qualification import qualification, qualifications_for
from safework.people.choices import EmploymentState
from tests.factories import CertificateFactory, PersonFactory

ON = date(2025, 6, 10)
ITEM = "MEM-2.1"


def cert(person, *, until_days=1000, review_days=400, state=ManualState.NONE, **kw):
    until = ON + timedelta(days=until_days)
    return CertificateFactory(
        person=person,
        valid_from=until - timedelta(days=2000),
        first_issued_on=until - timedelta(days=2000),
        valid_until=until,
        next_review_due=None if review_days is None else ON + timedelta(days=review_days),
        manual_state=state,
        **kw,
    )


@pytest.fixture
def person(db):
    return PersonFactory(special_operations=[ITEM])


def test_no_certificate(person):
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons, q.certificate_id) == (False, ("no_certificate",), None)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"until_days": -1}, "certificate_expired"),
        ({"review_days": -1}, "review_overdue"),
        ({"state": ManualState.RENEWING}, "certificate_renewing"),
        ({"state": ManualState.SUSPENDED}, "certificate_suspended"),
        ({"state": ManualState.REVOKED}, "certificate_revoked"),
    ],
)
def test_a_certificate_that_does_not_qualify_names_the_reason(person, kwargs, reason):
    """DESIGN.md principle 1: expired, review-overdue, renewing (换证中), suspended or
    revoked certificates keep the person off the job, and the denial says why."""
    cert(person, **kwargs)
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons, q.certificate_id) == (False, (reason,), None)


@pytest.mark.parametrize(
    ("until_days", "status"), [(1000, "valid"), (30, "expiring"), (0, "expiring")]
)
def test_valid_and_expiring_qualify(person, until_days, status):
    """DESIGN.md: only valid and expiring qualify; the last day of validity still does."""
    c = cert(person, until_days=until_days, review_days=None)
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons, q.certificate_id, q.status) == (True, (), c.id, status)


def test_person_who_left_is_not_qualified(person):
    c = cert(person)
    person.employment_state = EmploymentState.LEFT
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons, q.certificate_id) == (False, ("person_inactive",), c.id)


def test_blacklisted_person_is_not_qualified(person):
    cert(person)
    person.employment_state = EmploymentState.BLACKLISTED
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons) == (False, ("person_blacklisted",))


def test_superseded_certificate_does_not_count_its_replacement_does(person):
    """第二十四条: after renewal the new certificate replaces the old one, which stays in
    history and no longer counts (even if its dates would still qualify)."""
    old = cert(person, until_days=500, superseded=True)
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons) == (False, ("no_certificate",))
    new = cert(person, until_days=2000, review_days=None, replaces=old)
    assert qualification(person, ITEM, ON).certificate_id == new.id


def test_expired_and_valid_certificate_of_the_item_qualifies_with_the_valid_one(person):
    cert(person, until_days=-10)
    valid = cert(person, until_days=900)
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons, q.certificate_id) == (True, (), valid.id)


def test_certificate_of_another_item_does_not_count(person):
    from safework.certificates.models import CertificateType

    cert(person, type=CertificateType.objects.get(code="MEM-1.2"))
    q = qualification(person, ITEM, ON)
    assert (q.qualified, q.reasons) == (False, ("no_certificate",))


def test_several_failing_certificates_report_each_reason_once(person):
    cert(person, until_days=-10)
    cert(person, until_days=-20)
    cert(person, state=ManualState.SUSPENDED)
    q = qualification(person, ITEM, ON)
    assert q.qualified is False
    assert sorted(q.reasons) == ["certificate_expired", "certificate_suspended"]


def test_qualification_on_a_date_is_about_that_date(person):
    """The answer depends on the date asked about: the same certificate qualifies on its
    last day and not the day after."""
    c = cert(person, until_days=5, review_days=None)
    assert qualification(person, ITEM, c.valid_until).qualified
    after = qualification(person, ITEM, c.valid_until + timedelta(days=1))
    assert after.reasons == ("certificate_expired",)


def test_qualifications_for_every_special_operation(db):
    person = PersonFactory(special_operations=["MEM-2.1", "SAMR-N1"])
    cert(person)
    answers = {q.item_code: q.qualified for q in qualifications_for(person, ON)}
    assert answers == {"MEM-2.1": True, "SAMR-N1": False}


def test_every_reason_has_a_chinese_label():
    """DESIGN.md: reason codes are stable English snake_case, each with a Chinese label
    (what the gate and the site supervisor show), Chinese being the default language."""
    import re

    from safework.certificates.choices import Status
    from safework.certificates.reasons import REASONS, reason_label

    design = [
        "unknown_credential",
        "badge_revoked",
        "person_inactive",
        "person_blacklisted",
        "no_certificate",
        "certificate_expired",
        "review_overdue",
        "certificate_renewing",
        "certificate_suspended",
        "certificate_revoked",
        "reexam_required",
        "not_admitted",
        "briefing_not_passed",
        "area_not_authorized",
    ]
    assert set(design) <= set(REASONS)
    for code in REASONS:
        assert re.fullmatch(r"[a-z_]+", code)
        assert re.search(r"[\u4e00-\u9fff]", reason_label(code)), code
    for status in Status:
        assert re.search(r"[\u4e00-\u9fff]", str(status.label)), status
    assert reason_label("certificate_renewing") == "证书换证中"
