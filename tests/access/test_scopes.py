"""Token scopes: the gate endpoints take only gate tokens (read and write tokens are
refused); a gate token reaches nothing else."""

import pytest

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

GATE_ENDPOINTS = [
    ("post", "/gate/check", {"credential": "1"}),
    ("get", "/gate/allowlist", None),
    ("get", "/gate/ping", None),
    ("get", "/gate/gates", None),
    ("get", "/gate/photos/1", None),
]


def call(api, method, path, body):
    return api.post(path, body) if method == "post" else api.get(path)


@pytest.mark.parametrize(("method", "path", "body"), GATE_ENDPOINTS)
def test_read_and_write_tokens_are_refused_at_the_gate(read_api, write_api, method, path, body):
    for api in (read_api, write_api):
        response = call(api, method, path, body)
        assert response.status_code == 403, (path, response.content)
        assert response.json()["message"]


@pytest.mark.parametrize(("method", "path", "body"), GATE_ENDPOINTS)
def test_no_token_is_a_401(method, path, body):
    assert call(ApiClient(), method, path, body).status_code == 401


def test_a_gate_token_reaches_the_gate(gate_api):
    assert gate_api.get("/gate/ping").status_code == 200
    assert gate_api.get("/gate/gates").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/persons"),
        ("get", "/organizations"),
        ("get", "/certificates"),
        ("get", "/persons/{pk}/badge"),
        ("get", "/persons/{pk}/badge.png"),
        ("post", "/persons/{pk}/badge/revoke"),
        ("get", "/access/authorizations?area_id=1"),
    ],
)
def test_a_gate_token_is_refused_elsewhere(gate_api, welder, method, path):
    response = call(gate_api, method, path.format(pk=welder.pk), {"reason": "x"})
    assert response.status_code == 403


def test_a_logged_in_safety_manager_may_use_the_gate_check(manager_user, welder, gate, authorized):
    from django.test import Client

    client = Client()
    client.force_login(manager_user)
    response = ApiClient(client).post("/gate/check", {"credential": str(welder.pk), "gate": "n-1"})
    assert response.status_code == 200 and response.json()["decision"] == "allow"


def test_authorisations_api(write_api, read_api, area, welder, contractor):
    created = write_api.post(
        "/access/authorizations",
        {"area_id": area.pk, "person_id": welder.pk, "valid_until": "2030-12-31"},
    )
    assert created.status_code == 201, created.content
    assert (
        read_api.post(
            "/access/authorizations", {"area_id": area.pk, "organization_id": contractor.pk}
        ).status_code
        == 403
    )
    both = write_api.post(
        "/access/authorizations",
        {"area_id": area.pk, "person_id": welder.pk, "organization_id": contractor.pk},
    )
    assert both.status_code == 422
    listed = read_api.get("/access/authorizations", {"area_id": area.pk}).json()
    assert [a["person_id"] for a in listed] == [welder.pk] and listed[0][
        "valid_until"
    ] == "2030-12-31"
    assert (
        write_api.client.delete(
            f"/api/v1/access/authorizations/{created.json()['id']}", headers=write_api.headers
        ).status_code
        == 204
    )
    assert read_api.get("/access/authorizations", {"area_id": area.pk}).json() == []


def test_bad_authorisations_and_push_endpoints_are_refused_naming_the_field(
    write_api, area, welder, client, manager_user
):
    from safework.access.models import AreaAuthorization, PushEndpoint

    backwards = write_api.post(
        "/access/authorizations",
        {"area_id": area.pk, "person_id": welder.pk, "valid_from": "2030-02-01",
         "valid_until": "2030-01-31"},
    )  # fmt: skip
    assert backwards.status_code == 422
    assert [e["field"] for e in backwards.json()["errors"]] == ["valid_until"]
    neither = write_api.post("/access/authorizations", {"area_id": area.pk})
    assert neither.status_code == 422 and neither.json()["errors"][0]["field"] == "person_id"
    client.force_login(manager_user)
    page = client.post(
        f"/access/areas/{area.pk}/",
        {"person": str(welder.pk), "valid_from": "2030-02-01", "valid_until": "2030-01-31"},
    )
    assert page.status_code == 200 and "截止日期早于起始日期" in page.content.decode()
    assert not AreaAuthorization.objects.exists()
    no_url = client.post("/access/endpoints/", {"name": "东门门禁", "url": "ftp://127.0.0.1/x"})
    assert no_url.status_code == 200 and not PushEndpoint.objects.exists()
    assert "is-invalid" in no_url.content.decode()
