"""Roles and scoping (issue 2, part 7): a contractor admin, by session or by an
organization-restricted token, sees and changes only its own organization's data; guessing
another organization's ids gets 404 and their rows never appear in lists."""

import pytest

from safework.certificates.models import Certificate
from safework.people.models import Person
from tests.factories import CertificateFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

CLIENTS = ["contractor_api", "contractor_session"]


@pytest.fixture(params=CLIENTS)
def api(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def own_person(contractor):
    return PersonFactory(organization=contractor, special_operations=["MEM-2.1"])


@pytest.fixture
def rival_cert(rival_person):
    return CertificateFactory(person=rival_person)


def test_another_organizations_person_is_404(api, rival_person, rival_cert):
    for path in (
        f"/persons/{rival_person.pk}",
        f"/persons/{rival_person.pk}/qualification?operation=MEM-2.1",
        f"/persons/{rival_person.pk}/qualifications",
    ):
        r = api.get(path)
        assert r.status_code == 404, path
        assert rival_person.name not in r.content.decode()


def test_another_organizations_certificate_is_404(api, rival_cert):
    assert api.get(f"/certificates/{rival_cert.pk}").status_code == 404
    for action in ("renewal", "reinstatement"):
        assert api.post(f"/certificates/{rival_cert.pk}/{action}", {}).status_code == 404
    r = api.post(f"/certificates/{rival_cert.pk}/suspension", {"reason": "x"})
    assert r.status_code == 404
    rival_cert.refresh_from_db()
    assert rival_cert.manual_state == "none"


def test_cannot_change_another_organizations_person(api, rival_person):
    r = api.patch(f"/persons/{rival_person.pk}", {"name": "改名"})
    assert r.status_code == 404
    rival_person.refresh_from_db()
    assert rival_person.name != "改名"


def test_lists_hold_only_own_rows(api, own_person, rival_person, rival_cert, contractor, rival):
    own_cert = CertificateFactory(person=own_person)
    people = api.get("/persons").json()
    assert [p["id"] for p in people["items"]] == [own_person.pk]
    assert people["count"] == 1
    assert api.get("/persons", {"organization_id": rival.pk}).json()["items"] == []
    assert api.get("/persons", {"q": rival_person.name}).json()["items"] == []
    certs = api.get("/certificates").json()
    assert [c["id"] for c in certs["items"]] == [own_cert.pk]
    orgs = api.get("/organizations").json()
    assert [o["id"] for o in orgs["items"]] == [contractor.pk]
    assert api.get(f"/organizations/{rival.pk}").status_code == 404


def test_cannot_register_people_or_certificates_for_another_organization(api, rival, rival_person):
    r = api.post(
        "/persons", {"name": "外人", "id_number": make_id_number(42), "organization_id": rival.pk}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization_id"
    assert not Person.objects.filter(name="外人").exists()
    r = api.post(
        "/certificates",
        {
            "person_id": rival_person.pk,
            "type_code": "MEM-2.1",
            "number": "LEGACY-X",
            "issued_by": "x",
            "first_issued_on": "2024-01-01",
            "valid_from": "2024-01-01",
            "valid_until": "2029-12-31",
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "person_id"
    assert not Certificate.objects.filter(number="LEGACY-X").exists()


def test_contractor_admin_works_on_own_organization(api, contractor):
    r = api.post(
        "/persons",
        {
            "name": "自己人",
            "id_number": make_id_number(43),
            "organization_id": contractor.pk,
            "special_operations": ["MEM-2.1"],
        },
    )
    assert r.status_code == 201, r.content


def test_contractor_cannot_create_organizations(api):
    r = api.post("/organizations", {"name": "新单位", "kind": "contractor"})
    assert r.status_code == 403
