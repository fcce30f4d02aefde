"""API test helpers: a JSON client per token or session, and the organizations, tokens and
people the API tests share."""

import json

import pytest
from django.test import Client

from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.core.tokens import token_create
from tests.conftest import make_user
from tests.factories import OrganizationFactory, PersonFactory

BASE = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON to /api/v1 with a bearer token (or a session)."""

    def __init__(self, client: Client | None = None, token: str | None = None, language=None):
        self.client = client or Client()
        self.headers = {}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"
        if language:
            self.headers["Accept-Language"] = language

    def get(self, path, params=None, **headers):
        return self.client.get(BASE + path, params or {}, headers={**self.headers, **headers})

    def post(self, path, body=None, **headers):
        return self._send("post", path, {} if body is None else body, headers)

    def patch(self, path, body, **headers):
        return self._send("patch", path, body, headers)

    def _send(self, method, path, body, headers):
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(
            BASE + path,
            data,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


def new_token(scope, organization=None) -> str:
    _, raw = token_create(
        actor=Actor.system("test"), name=f"test {scope}", scope=scope, organization=organization
    )
    return raw


@pytest.fixture
def owner(db):
    return OrganizationFactory(name="业主化工", kind=OrganizationKind.OWNER)


@pytest.fixture
def contractor(db):
    return OrganizationFactory(name="甲承包商", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def rival(db):
    return OrganizationFactory(name="乙承包商", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def write_api(db):
    return ApiClient(token=new_token("write"))


@pytest.fixture
def read_api(db):
    return ApiClient(token=new_token("read"))


@pytest.fixture
def gate_api(db):
    return ApiClient(token=new_token("gate"))


@pytest.fixture
def contractor_api(contractor):
    """A write token restricted to the contractor: behaves like its contractor admin."""
    return ApiClient(token=new_token("write", organization=contractor))


@pytest.fixture
def contractor_session(contractor, django_user_model):
    user = make_user(django_user_model, "contractor-admin", Role.CONTRACTOR_ADMIN, contractor)
    client = Client()
    client.force_login(user)
    return ApiClient(client)


@pytest.fixture
def manager_session(manager_user):
    client = Client()
    client.force_login(manager_user)
    return ApiClient(client)


@pytest.fixture
def rival_person(rival):
    return PersonFactory(organization=rival, special_operations=["MEM-2.1"])
