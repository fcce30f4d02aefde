"""POST/GET /certificates and the state changes: renewal, suspension, revocation,
reinstatement, review and replacement; the catalogue."""

from datetime import timedelta

import pytest

from safework.audit.models import AuditEntry
from safework.certificates.models import Certificate
from safework.core.clock import today
from tests.factories import CertificateFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(contractor):
    return PersonFactory(organization=contractor, special_operations=["MEM-2.1"])


def cert_body(person, **overrides):
    start = today() - timedelta(days=100)
    return {
        "person_id": person.pk,
        "type_code": "MEM-2.1",
        "number": "LEGACY-0001",
        "issued_by": "北京市应急管理局",
        "first_issued_on": start.isoformat(),
        "valid_from": start.isoformat(),
        "valid_until": (start + timedelta(days=6 * 365)).isoformat(),
        **overrides,
    }


def test_add_certificate(write_api, person):
    r = write_api.post("/certificates", cert_body(person))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "valid"
    assert body["status_label"]
    assert body["type_code"] == "MEM-2.1"
    assert body["person_id"] == person.pk
    assert body["organization_id"] == person.organization_id
    # MEM: review every 3 years, computed when not given.
    assert body["next_review_due"] is not None
    assert Certificate.objects.get(pk=body["id"]).number == "LEGACY-0001"


def test_impossible_date_is_422_naming_the_field_and_creates_nothing(write_api, person):
    audit_before = AuditEntry.objects.count()
    r = write_api.post("/certificates", cert_body(person, valid_until="2025-13-40"))
    assert r.status_code == 422
    body = r.json()
    assert [e["field"] for e in body["errors"]] == ["valid_until"]
    assert body["message"].startswith("有效期至")
    assert not Certificate.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_service_rule_errors_name_the_field(write_api, person):
    start = today() - timedelta(days=10)
    r = write_api.post(
        "/certificates",
        cert_body(
            person,
            valid_from=start.isoformat(),
            valid_until=(start - timedelta(days=1)).isoformat(),
        ),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "valid_until"
    r = write_api.post("/certificates", cert_body(person, type_code="MEM-99"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "type_code"
    assert not Certificate.objects.exists()


def test_duplicate_number_is_409(write_api, person):
    assert write_api.post("/certificates", cert_body(person)).status_code == 201
    r = write_api.post("/certificates", cert_body(person))
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "number"
    assert Certificate.objects.count() == 1


def test_unknown_person_is_a_field_error(write_api, person):
    r = write_api.post("/certificates", cert_body(person, person_id=999999))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "person_id"


def test_list_with_status_and_filters(read_api, person, rival_person):
    t = today()
    valid = CertificateFactory(person=person)
    expired = CertificateFactory(
        person=person,
        valid_from=t - timedelta(days=800),
        first_issued_on=t - timedelta(days=800),
        valid_until=t - timedelta(days=3),
        next_review_due=None,
    )
    expiring = CertificateFactory(
        person=rival_person, valid_until=t + timedelta(days=10), next_review_due=None
    )

    def ids(**params):
        r = read_api.get("/certificates", params)
        assert r.status_code == 200, r.content
        return {c["id"]: c["status"] for c in r.json()["items"]}

    assert ids() == {valid.pk: "valid", expired.pk: "expired", expiring.pk: "expiring"}
    assert ids(status="expired") == {expired.pk: "expired"}
    assert ids(within_days=30) == {expiring.pk: "expiring"}
    assert ids(organization_id=rival_person.organization_id) == {expiring.pk: "expiring"}
    assert ids(person_id=person.pk).keys() == {valid.pk, expired.pk}
    assert ids(type_code="SAMR-N1") == {}
    assert read_api.get("/certificates", {"status": "bad"}).status_code == 422
    assert read_api.get("/certificates", {"within_days": "x"}).status_code == 422


def test_get_certificate(read_api, person):
    cert = CertificateFactory(person=person)
    r = read_api.get(f"/certificates/{cert.pk}")
    assert r.status_code == 200
    assert r.json()["status"] == "valid"
    assert read_api.get("/certificates/999999").status_code == 404


def test_renewal_marks_renewing(write_api, person):
    cert = CertificateFactory(person=person)
    r = write_api.post(f"/certificates/{cert.pk}/renewal", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "renewing"
    assert r.json()["manual_state"] == "renewing"
    cert.refresh_from_db()
    assert cert.manual_state == "renewing"


def test_suspension_revocation_and_reinstatement(write_api, person):
    cert = CertificateFactory(person=person)
    r = write_api.post(f"/certificates/{cert.pk}/suspension", {})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "reason"
    r = write_api.post(f"/certificates/{cert.pk}/suspension", {"reason": "违章"})
    assert r.json()["status"] == "suspended"
    r = write_api.post(f"/certificates/{cert.pk}/reinstatement", {})
    assert r.json()["status"] == "valid"
    r = write_api.post(f"/certificates/{cert.pk}/revocation", {"reason": "伪造", "kind": "bogus"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "kind"
    r = write_api.post(f"/certificates/{cert.pk}/revocation", {"reason": "伪造"})
    assert r.json()["status"] == "revoked"
    assert r.json()["revocation_kind"] == "revoked"
    r = write_api.post(f"/certificates/{cert.pk}/reinstatement", {})
    assert r.status_code == 422


def test_review_moves_next_review_due(write_api, person):
    t = today()
    cert = CertificateFactory(
        person=person,
        valid_from=t - timedelta(days=1100),
        first_issued_on=t - timedelta(days=1100),
        valid_until=t + timedelta(days=1000),
        next_review_due=t - timedelta(days=5),
    )
    assert write_api.get(f"/certificates/{cert.pk}").json()["status"] == "review_overdue"
    r = write_api.post(
        f"/certificates/{cert.pk}/reviews",
        {"reviewed_on": t.isoformat(), "authority": "北京市应急管理局"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["certificate_id"] == cert.pk
    assert r.json()["previous_due"] == (t - timedelta(days=5)).isoformat()
    cert.refresh_from_db()
    assert cert.next_review_due is None or cert.next_review_due > t
    assert write_api.get(f"/certificates/{cert.pk}").json()["status"] in {"valid", "expiring"}


def test_replacement_records_the_new_certificate(write_api, person):
    t = today()
    old = CertificateFactory(
        person=person, valid_until=t + timedelta(days=20), next_review_due=None
    )
    write_api.post(f"/certificates/{old.pk}/renewal", {})
    r = write_api.post(
        f"/certificates/{old.pk}/replacement",
        {
            "number": "LEGACY-NEW-1",
            "valid_from": t.isoformat(),
            "valid_until": (t + timedelta(days=6 * 365)).isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    new = r.json()
    assert new["status"] == "valid"
    assert new["replaces_id"] == old.pk
    old.refresh_from_db()
    assert old.superseded
    listed = write_api.get("/certificates", {"person_id": person.pk}).json()["items"]
    assert [c["id"] for c in listed] == [new["id"]]


def test_patch_certificate(write_api, person):
    cert = CertificateFactory(person=person)
    r = write_api.patch(f"/certificates/{cert.pk}", {"issued_by": "上海市应急管理局"})
    assert r.status_code == 200, r.content
    assert r.json()["issued_by"] == "上海市应急管理局"


def test_catalogue(read_api):
    r = read_api.get("/catalogue")
    assert r.status_code == 200
    codes = {t["code"]: t for t in r.json()}
    assert codes["MEM-2.1"]["name"] == "熔化焊接与热切割作业"
    assert codes["MEM-2.1"]["validity_years"] == 6
    assert "SAMR-N1" in codes
    samr = read_api.get("/catalogue", {"system": "samr"}).json()
    assert samr and all(t["system"] == "samr" for t in samr)


def test_renewal_needs_no_body(write_api, person):
    cert = CertificateFactory(person=person)
    r = write_api.client.post(
        f"/api/v1/certificates/{cert.pk}/renewal",
        "",
        content_type="application/json",
        headers=write_api.headers,
    )
    assert r.status_code == 200
    assert r.json()["status"] == "renewing"
