"""Issue 6 security hardening: TOTP second factor, login lockout, password rules,
session expiry, CSRF."""

from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safework.accounts import services
from safework.accounts.middleware import SESSION_KEY
from safework.audit.models import AuditEntry
from safework.core.actors import Actor
from tests.conftest import make_user

PASSWORD = "Pw-for-tests-123"


@pytest.fixture
def enrolled(manager_user):
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).now()
    services.totp_enable(
        actor=Actor(user=manager_user), user=manager_user, secret=secret, code=code
    )
    return manager_user, secret


def _next_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    import time

    return totp.at(time.time() + totp.interval)  # the next step: never yet used


def test_enable_requires_a_correct_code(manager_user):
    secret = pyotp.random_base32()
    with pytest.raises(Exception) as exc:
        services.totp_enable(
            actor=Actor(user=manager_user), user=manager_user, secret=secret, code="000000"
        )
    assert "code" in exc.value.errors
    assert not services.totp_enabled(manager_user)


def test_second_factor_gates_every_page_until_a_code_is_entered(client, enrolled):
    user, secret = enrolled
    client.login(username=user.username, password=PASSWORD)
    resp = client.get("/people/")
    assert resp.status_code == 302 and resp["Location"].startswith("/account/2fa/verify/")
    assert client.get("/api/v1/persons").status_code == 401
    bad = client.post("/account/2fa/verify/", {"code": "123456", "next": "/people/"})
    assert bad.status_code == 200 and "验证码" in bad.content.decode()
    ok = client.post("/account/2fa/verify/", {"code": _next_code(secret), "next": "/people/"})
    assert ok.status_code == 302 and ok["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    assert AuditEntry.objects.filter(action="2fa_failed").count() == 1
    assert AuditEntry.objects.filter(action="2fa_passed").count() == 1


def test_a_bearer_header_does_not_skip_the_second_factor_on_pages(client, enrolled):
    """Only the API lets a bearer token decide on its own; a page answers with the
    session, so a password-only session sending any Bearer header is still stopped."""
    user, _secret = enrolled
    client.login(username=user.username, password=PASSWORD)
    resp = client.get("/people/", HTTP_AUTHORIZATION="Bearer anything")
    assert resp.status_code == 302 and resp["Location"].startswith("/account/2fa/verify/")
    assert client.get("/audit/", HTTP_AUTHORIZATION="Bearer x").status_code == 302
    # On the API the token alone decides: an unknown one is refused, session or not.
    assert client.get("/api/v1/persons", HTTP_AUTHORIZATION="Bearer x").status_code == 401


def test_gate_endpoints_need_the_second_factor_of_a_session(client, enrolled):
    """The gate API answers sessions too (it serves face photos and the allowlist): a
    password-only session gets nothing there either."""
    user, secret = enrolled
    client.login(username=user.username, password=PASSWORD)
    for path in ("/api/v1/gate/allowlist", "/api/v1/gate/ping"):
        assert client.get(path).status_code == 401, path
    client.post("/account/2fa/verify/", {"code": _next_code(secret), "next": "/"})
    assert client.get("/api/v1/gate/ping").status_code == 200


def test_a_code_is_never_accepted_twice(enrolled):
    user, secret = enrolled
    code = _next_code(secret)
    assert services.totp_check(actor=Actor(user=user), user=user, code=code)
    assert not services.totp_check(actor=Actor(user=user), user=user, code=code)


def test_open_redirect_is_refused(client, enrolled):
    user, secret = enrolled
    client.login(username=user.username, password=PASSWORD)
    resp = client.post(
        "/account/2fa/verify/", {"code": _next_code(secret), "next": "https://evil.example/"}
    )
    assert resp["Location"] == "/"


def test_second_factor_offered_only_to_admins_and_safety_managers(db, django_user_model):
    viewer = make_user(django_user_model, "viewer", "viewer")
    c = Client()
    c.login(username="viewer", password=PASSWORD)
    assert c.get("/account/2fa/").status_code == 403
    assert not services.totp_offered(viewer)


def test_setup_page_shows_a_qr_code_and_enables(client, manager_user):
    client.login(username="manager", password=PASSWORD)
    page = client.get("/account/2fa/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = client.session["safework_2fa_pending_secret"]
    resp = client.post("/account/2fa/", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 302
    assert services.totp_enabled(manager_user)
    assert client.session[SESSION_KEY] is True


@pytest.mark.parametrize("password", ["alllowercaseletters", "ALLUPPER123", "1234567890ab"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_strong_password_is_accepted():
    validate_password("Anquan-2026-dianhan")


def test_login_locks_out_after_repeated_failures(db, manager_user, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    c = Client()
    for _ in range(3):
        c.post("/login/", {"username": "manager", "password": "wrong"})
    locked = c.post("/login/", {"username": "manager", "password": PASSWORD})
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in c.session


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_an_idle_session_ends_and_each_request_keeps_it_alive(client, manager_user):
    """Idle expiry as a user sees it: the session cookie lives until the browser closes,
    every request pushes the server-side expiry forward, and a session left idle past it
    is sent back to the login page."""
    login = client.post("/login/", {"username": "manager", "password": PASSWORD})
    assert login.status_code == 302
    assert client.cookies["sessionid"]["expires"] == ""  # ends with the browser
    key = client.session.session_key
    sessions = Session.objects.filter(pk=key)
    sessions.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/people/").status_code == 200
    assert sessions.get().expire_date > timezone.now() + timedelta(hours=7)
    sessions.update(expire_date=timezone.now() - timedelta(seconds=1))
    resp = client.get("/people/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_forms_refuse_posts_without_csrf_token(manager_user):
    c = Client(enforce_csrf_checks=True)
    c.login(username="manager", password=PASSWORD)
    assert c.post("/organizations/new/", {"name": "X", "kind": "contractor"}).status_code == 403
