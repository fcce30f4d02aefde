"""Issue 6: schemathesis generates requests from the OpenAPI schema (valid and invalid
ones) against every operation; none may end in a server error."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from safework.core.actors import Actor
from safework.core.tokens import token_create
from safework.wsgi import application
from tests.factories import CertificateFactory


@pytest.fixture
def api_schema(db):
    # As Django's test client does: requests served in-process must not close the test
    # transaction's connection when they finish.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def write_token(db):
    CertificateFactory()  # something for the id-taking operations to find
    _token, raw = token_create(actor=Actor.system("fuzz"), name="fuzz", scope="write")
    return raw


def test_no_operation_ends_in_a_server_error(api_schema, write_token):
    headers = {"Authorization": f"Bearer {write_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases every run: CI is not a lottery
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        fuzz()
