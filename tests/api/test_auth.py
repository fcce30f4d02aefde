"""Who may call the API: bearer tokens by scope, sessions with CSRF, and 401/403 answers."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safework.core.actors import Actor
from safework.core.models import ApiToken
from safework.core.tokens import hash_key, token_revoke
from safework.people.models import Person
from tests.api.conftest import ApiClient, new_token
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db


def body(org):
    return {"name": "陈工", "id_number": make_id_number(3), "organization_id": org.pk}


@pytest.mark.parametrize("path", ["/persons", "/certificates", "/organizations", "/catalogue"])
def test_no_credentials_is_401(path):
    r = ApiClient().get(path)
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Bearer")
    assert r.json()["message"]


def test_unknown_token_is_401():
    r = ApiClient(token="sw_not-a-real-token").get("/persons")
    assert r.status_code == 401
    assert r.json()["message"] == "API 令牌无效或已被吊销。"


def test_revoked_token_is_401(db):
    raw = new_token("read")
    api = ApiClient(token=raw)
    assert api.get("/persons").status_code == 200
    token_revoke(actor=Actor.system("test"), token=ApiToken.objects.get(key_hash=hash_key(raw)))
    assert api.get("/persons").status_code == 401


def test_a_bad_token_is_401_even_with_a_session(manager_session):
    manager_session.headers["Authorization"] = "Bearer sw_wrong"
    assert manager_session.get("/persons").status_code == 401


def test_read_token_cannot_write(read_api, contractor):
    assert read_api.get("/persons").status_code == 200
    r = read_api.post("/persons", body(contractor))
    assert r.status_code == 403
    assert r.json()["message"]
    assert not Person.objects.exists()


def test_write_token_reads_and_writes(write_api, contractor):
    assert write_api.get("/persons").status_code == 200
    assert write_api.post("/persons", body(contractor)).status_code == 201


@pytest.mark.parametrize("path", ["/persons", "/certificates", "/catalogue"])
def test_gate_token_is_only_for_gate_endpoints(gate_api, path):
    assert gate_api.get(path).status_code == 403


def test_gate_token_cannot_write(gate_api, contractor):
    assert gate_api.post("/persons", body(contractor)).status_code == 403
    assert not Person.objects.exists()


def test_last_used_is_recorded_at_most_once_a_minute(db):
    raw = new_token("read")
    token = ApiToken.objects.get(key_hash=hash_key(raw))
    assert token.last_used_at is None
    api = ApiClient(token=raw)
    api.get("/catalogue")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/catalogue")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/catalogue")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()


def test_session_reads_and_writes_with_csrf(manager_user, contractor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    api = ApiClient(client)
    assert api.get("/persons").status_code == 200
    r = api.post("/persons", body(contractor))
    assert r.status_code == 403
    assert "CSRF" in r.json()["message"]
    assert not Person.objects.exists()
    secret = "a" * 32  # what the pages' CSRF cookie holds; the header must match it
    client.cookies["csrftoken"] = secret
    r = api.post("/persons", body(contractor), **{"X-CSRFToken": secret})
    assert r.status_code == 201, r.content


def test_session_user_with_read_only_role_cannot_write(django_user_model, contractor):
    from safework.core.choices import Role
    from tests.conftest import make_user

    client = Client()
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    api = ApiClient(client)
    PersonFactory(organization=contractor)
    assert api.get("/persons").json()["count"] == 1
    assert api.post("/persons", body(contractor)).status_code == 403


def test_openapi_docs():
    client = Client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    r = client.get("/api/docs")
    assert r.status_code == 302
    assert r["Location"] == "/api/v1/docs"
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/persons/{person_id}/qualification" in schema["paths"]
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
