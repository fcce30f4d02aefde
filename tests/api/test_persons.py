"""POST/GET/PATCH /persons: registration with ID validation, duplicates, search, pages."""

from datetime import date

import pytest

from safework.audit.models import AuditEntry
from safework.core.models import ApiToken
from safework.people.models import Person
from tests.api.conftest import ApiClient, new_token
from tests.factories import CertificateFactory, PersonFactory, SiteFactory, make_id_number

pytestmark = pytest.mark.django_db

ID = make_id_number(7, birth=date(1988, 3, 9))
BAD_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")


def person_body(org, **overrides):
    return {
        "name": "张伟",
        "id_number": ID,
        "phone": "13800138000",
        "organization_id": org.pk,
        "special_operations": ["MEM-2.1", "SAMR-N1"],
        **overrides,
    }


def test_register_person(write_api, contractor):
    site = SiteFactory()
    r = write_api.post("/persons", person_body(contractor, site_ids=[site.pk]))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "张伟"
    assert body["id_number_masked"] == ID[:6] + "********" + ID[-4:]
    assert ID not in r.content.decode()
    assert body["birth_date"] == "1988-03-09"
    assert body["sex"] == "M"
    assert body["organization_id"] == contractor.pk
    assert sorted(body["special_operations"]) == ["MEM-2.1", "SAMR-N1"]
    assert body["site_ids"] == [site.pk]
    assert body["employment_state"] == "active"
    assert body["created_at"].endswith("+08:00")
    assert Person.objects.get(pk=body["id"]).organization == contractor


def test_bad_id_checksum_is_422_in_chinese_naming_the_field(write_api, contractor):
    before = AuditEntry.objects.count()
    r = write_api.post("/persons", person_body(contractor, id_number=BAD_ID))
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["field"] == "id_number"
    assert body["message"].startswith("身份证号")
    assert "校验" in body["message"]
    assert not Person.objects.exists()
    assert AuditEntry.objects.count() == before


def test_errors_follow_accept_language(contractor):
    api = ApiClient(token=new_token("write"), language="en")
    r = api.post("/persons", person_body(contractor, id_number=BAD_ID))
    assert r.status_code == 422
    assert r.json()["message"].startswith("ID number: The check digit")


def test_duplicate_id_number_is_409(write_api, contractor):
    assert write_api.post("/persons", person_body(contractor)).status_code == 201
    r = write_api.post("/persons", person_body(contractor, name="张伟二"))
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "id_number"
    assert Person.objects.count() == 1


def test_missing_fields_and_unknown_fields_are_named(write_api, contractor):
    r = write_api.post("/persons", {"name": "李四", "organisation_id": contractor.pk})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"id_number", "organization_id", "organisation_id"}
    assert "身份证号: 此项为必填项。" in r.json()["message"]


def test_unknown_item_code_and_unknown_organization(write_api, contractor):
    r = write_api.post("/persons", person_body(contractor, special_operations=["MEM-99"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "special_operations"
    r = write_api.post("/persons", person_body(contractor, organization_id=987654))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization_id"
    assert not Person.objects.exists()


def test_malformed_json_is_400(write_api):
    r = write_api.post("/persons", "{not json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "body"


def test_get_and_patch_person(write_api, contractor):
    person = PersonFactory(organization=contractor, special_operations=["MEM-2.1"])
    r = write_api.get(f"/persons/{person.pk}")
    assert r.status_code == 200
    assert r.json()["special_operations"] == ["MEM-2.1"]
    r = write_api.patch(
        f"/persons/{person.pk}", {"phone": "139 0013 9000", "special_operations": ["MEM-1.2"]}
    )
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "13900139000"
    assert r.json()["special_operations"] == ["MEM-1.2"]
    assert r.json()["name"] == person.name


def test_patch_with_bad_value_changes_nothing(write_api, contractor):
    person = PersonFactory(organization=contractor, phone="13900000001")
    r = write_api.patch(f"/persons/{person.pk}", {"phone": "13800000002", "id_number": BAD_ID})
    assert r.status_code == 422
    person.refresh_from_db()
    assert person.phone == "13900000001"


def test_missing_person_is_404(write_api):
    r = write_api.get("/persons/999999")
    assert r.status_code == 404
    assert r.json()["message"]


def test_employment_state(write_api, contractor):
    person = PersonFactory(organization=contractor)
    r = write_api.post(f"/persons/{person.pk}/employment-state", {"state": "blacklisted"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "reason"
    r = write_api.post(
        f"/persons/{person.pk}/employment-state", {"state": "blacklisted", "reason": "违章作业"}
    )
    assert r.status_code == 200
    assert r.json()["employment_state"] == "blacklisted"


def test_full_id_number_only_for_a_safety_manager_session(manager_session, write_api, contractor):
    person = PersonFactory(organization=contractor, id_number=ID)
    assert write_api.get(f"/persons/{person.pk}/id-number").status_code == 403
    r = manager_session.get(f"/persons/{person.pk}/id-number")
    assert r.status_code == 200
    assert r.json() == {"id_number": ID}
    assert AuditEntry.objects.filter(action="view_id_number", object_id=str(person.pk)).exists()


def test_list_search_and_filters(read_api, contractor, rival):
    site = SiteFactory()
    welder = PersonFactory(
        name="王焊工", organization=contractor, special_operations=["MEM-2.1"], sites=[site]
    )
    CertificateFactory(person=welder)
    driver = PersonFactory(name="赵司机", organization=rival, special_operations=["SAMR-N1"])

    def names(**params):
        r = read_api.get("/persons", params)
        assert r.status_code == 200, r.content
        return [p["name"] for p in r.json()["items"]]

    assert set(names()) == {"王焊工", "赵司机"}
    assert names(q="焊") == ["王焊工"]
    assert names(q=driver.phone) == ["赵司机"]
    assert names(organization_id=rival.pk) == ["赵司机"]
    assert names(site_id=site.pk) == ["王焊工"]
    assert names(item="SAMR-N1") == ["赵司机"]
    assert names(status="unqualified") == ["赵司机"]
    assert names(status="valid") == ["王焊工"]


def test_list_rejects_an_unknown_status(read_api):
    r = read_api.get("/persons", {"status": "great"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "status"


def test_pagination(read_api, contractor):
    for _ in range(5):
        PersonFactory(organization=contractor)
    r = read_api.get("/persons", {"page": 2, "page_size": 2})
    body = r.json()
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (5, 2, 2, 3)
    assert len(body["items"]) == 2
    last = read_api.get("/persons", {"page": 3, "page_size": 2}).json()
    assert len(last["items"]) == 1
    seen = {p["id"] for p in body["items"]} | {p["id"] for p in last["items"]}
    assert len(seen) == 3
    assert read_api.get("/persons", {"page": 4, "page_size": 2}).json()["items"] == []


def test_page_size_is_at_most_200(read_api):
    r = read_api.get("/persons", {"page_size": 201})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "page_size"
    assert read_api.get("/persons", {"page": 0}).status_code == 422


def _queries(api, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_lists_do_not_query_per_row(read_api, contractor):
    """STYLE.md 10: no N+1 on lists (special operations, sites, organization, type)."""
    site = SiteFactory()

    def add(n):
        for _ in range(n):
            p = PersonFactory(organization=contractor, special_operations=["MEM-2.1"], sites=[site])
            CertificateFactory(person=p)

    add(2)
    read_api.get("/catalogue")  # the token's last_used_at is written now, not during counting
    few = (_queries(read_api, "/persons"), _queries(read_api, "/certificates"))
    add(8)
    assert (_queries(read_api, "/persons"), _queries(read_api, "/certificates")) == few


def test_changes_are_attributed_to_the_token_and_request(write_api, contractor):
    r = write_api.post("/persons", person_body(contractor), **{"X-Request-ID": "req-42"})
    assert r.status_code == 201
    entry = AuditEntry.objects.filter(action="create", object_id=str(r.json()["id"])).get()
    token = ApiToken.objects.get(name="test write")
    assert entry.actor == f"token:test write [{token.prefix}]"
    assert entry.request_id == "req-42"
    assert entry.ip == "127.0.0.1"


def test_two_tokens_of_one_name_are_told_apart_in_the_trail(contractor):
    """Token names are not unique (a replacement keeps the old name): the entry names
    the token's prefix too, the one `safework token list` and `revoke` use."""
    first, second = ApiClient(token=new_token("write")), ApiClient(token=new_token("write"))
    a = first.post("/persons", person_body(contractor)).json()["id"]
    b = second.post("/persons", person_body(contractor, id_number=make_id_number(5))).json()["id"]
    actors = {AuditEntry.objects.get(action="create", object_id=str(pk)).actor for pk in (a, b)}
    prefixes = ApiToken.objects.filter(name="test write").values_list("prefix", flat=True)
    assert actors == {f"token:test write [{p}]" for p in prefixes} and len(actors) == 2


def test_answers_are_utf8_json(read_api, contractor):
    PersonFactory(name="王焊工", organization=contractor)
    r = read_api.get("/persons")
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert "王焊工".encode() in r.content
