"""`safework token create|list|revoke`: the token is printed once, alone on stdout, and
only its SHA-256 is stored."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safework.core.models import ApiToken
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_token_and_stores_only_its_hash():
    out, err = run("create", "--name", "门禁东", "--scope", "read")
    assert out.count("\n") == 1
    raw = out.strip()
    assert raw.startswith("sw_") and len(raw) > 40
    assert raw not in err
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw[3:11] == token.prefix
    assert token.prefix in err
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get()]
    assert all(raw not in v for v in stored)
    assert (token.name, token.scope, token.organization) == ("门禁东", "read", None)
    assert ApiClient(token=raw).get("/persons").status_code == 200


def test_create_restricted_to_an_organization(contractor):
    out, _ = run(
        "create", "--name", "承包商系统", "--scope", "write", "--organization", str(contractor.pk)
    )
    assert ApiToken.objects.get().organization == contractor
    with pytest.raises(CommandError):
        run("create", "--name", "x", "--scope", "write", "--organization", "999999")


def test_bad_scope_is_refused():
    with pytest.raises(CommandError):
        run("create", "--name", "x", "--scope", "admin")
    assert not ApiToken.objects.exists()


def test_list_and_revoke_by_prefix_or_id():
    raw_a = run("create", "--name", "甲", "--scope", "read")[0].strip()
    raw_b = run("create", "--name", "乙", "--scope", "write")[0].strip()
    a = ApiToken.objects.get(name="甲")
    b = ApiToken.objects.get(name="乙")
    listing, _ = run("list")
    assert a.prefix in listing and b.prefix in listing
    assert raw_a not in listing and raw_b not in listing

    out, _ = run("revoke", a.prefix)
    assert "甲" in out
    out, _ = run("revoke", str(b.pk))
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    assert ApiClient(token=raw_a).get("/persons").status_code == 401
    assert ApiClient(token=raw_b).get("/persons").status_code == 401
    with pytest.raises(CommandError):
        run("revoke", "nosuch")


def test_no_prefix_starts_with_a_dash(monkeypatch):
    """A prefix such as ``-Ab3x`` could not be revoked from the command line."""
    from safework.core import tokens

    draws = iter(["-" + "a" * 42, "b" * 43])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: next(draws))
    raw = run("create", "--name", "丙", "--scope", "read")[0].strip()
    token = ApiToken.objects.get(name="丙")
    assert not token.prefix.startswith("-") and raw.endswith("b" * 43)
    out, _ = run("revoke", token.prefix)
    assert "丙" in out
