"""POST/GET /organizations."""

import pytest

from safework.core.models import Organization

pytestmark = pytest.mark.django_db

# GB 32100-2015 example code with a valid check character.
CREDIT_CODE = "91350100M000100Y43"


def test_create_organization(write_api):
    r = write_api.post(
        "/organizations", {"name": "丙建设公司", "kind": "contractor", "credit_code": CREDIT_CODE}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "丙建设公司"
    assert body["kind"] == "contractor"
    assert body["credit_code"] == CREDIT_CODE
    assert body["created_at"].endswith("+08:00")
    assert Organization.objects.filter(pk=body["id"]).exists()


def test_bad_credit_code_and_kind(write_api):
    r = write_api.post(
        "/organizations",
        {"name": "丁公司", "kind": "contractor", "credit_code": CREDIT_CODE[:-1] + "0"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "credit_code"
    r = write_api.post("/organizations", {"name": "丁公司", "kind": "friend"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "kind"
    assert not Organization.objects.filter(name="丁公司").exists()


def test_duplicate_name_is_409(write_api, contractor):
    r = write_api.post("/organizations", {"name": contractor.name, "kind": "contractor"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "name"


def test_subcontractor_with_parent(write_api, contractor):
    r = write_api.post(
        "/organizations", {"name": "分包队", "kind": "subcontractor", "parent_id": contractor.pk}
    )
    assert r.status_code == 201
    assert r.json()["parent_id"] == contractor.pk


def test_list_and_get(read_api, owner, contractor, rival):
    r = read_api.get("/organizations", {"kind": "contractor"})
    assert r.status_code == 200
    assert {o["name"] for o in r.json()["items"]} == {contractor.name, rival.name}
    assert [o["name"] for o in read_api.get("/organizations", {"q": "业主"}).json()["items"]] == [
        owner.name
    ]
    r = read_api.get(f"/organizations/{owner.pk}")
    assert r.status_code == 200
    assert r.json()["kind"] == "owner"
    assert read_api.get("/organizations/999999").status_code == 404
