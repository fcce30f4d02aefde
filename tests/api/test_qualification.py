"""GET /persons/{id}/qualification(s): the one qualification rule, with reasons."""

from datetime import timedelta

import pytest

from safework.core.clock import today
from safework.people.choices import EmploymentState
from tests.factories import CertificateFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def welder(contractor):
    return PersonFactory(organization=contractor, special_operations=["MEM-2.1", "SAMR-N1"])


def ask(api, person, operation="MEM-2.1", **params):
    r = api.get(f"/persons/{person.pk}/qualification", {"operation": operation, **params})
    assert r.status_code == 200, r.content
    return r.json()


def test_qualified_with_a_valid_certificate(read_api, welder):
    cert = CertificateFactory(person=welder)
    answer = ask(read_api, welder)
    assert answer["qualified"] is True
    assert answer["reasons"] == []
    assert answer["certificate_id"] == cert.pk
    assert answer["on"] == today().isoformat()


def test_expired_certificate(read_api, welder):
    t = today()
    CertificateFactory(
        person=welder,
        valid_from=t - timedelta(days=900),
        first_issued_on=t - timedelta(days=900),
        valid_until=t - timedelta(days=1),
        next_review_due=None,
    )
    answer = ask(read_api, welder)
    assert answer["qualified"] is False
    assert answer["reasons"] == ["certificate_expired"]
    assert answer["certificate_id"] is None
    assert (
        answer["reason_labels"] == ["证书已过期"]
        or answer["reason_labels"][0] != "certificate_expired"
    )


def test_renewing_certificate(write_api, welder):
    cert = CertificateFactory(person=welder)
    write_api.post(f"/certificates/{cert.pk}/renewal", {})
    answer = ask(write_api, welder)
    assert answer["qualified"] is False
    assert answer["reasons"] == ["certificate_renewing"]


def test_missing_certificate(read_api, welder):
    answer = ask(read_api, welder, operation="SAMR-N1")
    assert answer["qualified"] is False
    assert answer["reasons"] == ["no_certificate"]
    assert answer["certificate_id"] is None


def test_inactive_person(read_api, welder):
    CertificateFactory(person=welder)
    welder.employment_state = EmploymentState.LEFT
    welder.save()
    answer = ask(read_api, welder)
    assert answer["qualified"] is False
    assert answer["reasons"] == ["person_inactive"]


def test_on_a_given_day(read_api, welder):
    cert = CertificateFactory(person=welder, next_review_due=None)
    later = cert.valid_until + timedelta(days=1)
    assert ask(read_api, welder, on=cert.valid_until.isoformat())["qualified"] is True
    assert ask(read_api, welder, on=later.isoformat())["reasons"] == ["certificate_expired"]


def test_reason_labels_follow_the_language(read_api, welder):
    zh = ask(read_api, welder, operation="SAMR-N1")["reason_labels"]
    en = read_api.client.get(
        f"/api/v1/persons/{welder.pk}/qualification",
        {"operation": "SAMR-N1"},
        headers={**read_api.headers, "Accept-Language": "en"},
    ).json()["reason_labels"]
    assert en == ["No certificate for this operation"]
    assert zh != en


def test_bad_operation_or_date_is_422(read_api, welder):
    r = read_api.get(f"/persons/{welder.pk}/qualification", {"operation": "MEM-99"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "operation"
    r = read_api.get(
        f"/persons/{welder.pk}/qualification", {"operation": "MEM-2.1", "on": "2025-13-40"}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "on"
    r = read_api.get(f"/persons/{welder.pk}/qualification")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "operation"


def test_all_of_a_persons_operations(read_api, welder):
    cert = CertificateFactory(person=welder)
    r = read_api.get(f"/persons/{welder.pk}/qualifications")
    assert r.status_code == 200
    answers = {a["operation"]: a for a in r.json()}
    assert answers["MEM-2.1"]["qualified"] is True
    assert answers["MEM-2.1"]["certificate_id"] == cert.pk
    assert answers["SAMR-N1"]["reasons"] == ["no_certificate"]
