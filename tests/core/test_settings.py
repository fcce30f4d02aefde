"""Settings come from environment variables (DESIGN.md, Configuration): a production start
without a secret is a clear start-up error naming the variable (issue 2, 1), a bad value
fails loudly (STYLE.md 8), and a fully configured production passes `check --deploy`.
Each case starts a fresh interpreter, as a real start would."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

SETUP = (
    "import django; django.setup(); from django.conf import settings; "
    "print('DEBUG', settings.DEBUG)"
)
SECRET = secrets.token_urlsafe(50)
FIELD_KEY = Fernet.generate_key().decode()


@pytest.fixture
def run(tmp_path):
    def start(args: list[str] | None = None, **env: str) -> subprocess.CompletedProcess:
        # A production process starts from a clean environment: no SAFEWORK_* of the test
        # run, and not the DJANGO_ALLOW_ASYNC_UNSAFE the browser tests set in this process.
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SAFEWORK_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        }
        clean.update(DJANGO_SETTINGS_MODULE="safework.settings", SAFEWORK_DATA_DIR=str(tmp_path))
        clean.update(env)
        return subprocess.run(
            args or [sys.executable, "-c", SETUP],
            env=clean,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return start


def production(**extra: str) -> dict[str, str]:
    env = {
        "SAFEWORK_ENV": "production",
        "SAFEWORK_SECRET_KEY": SECRET,
        "SAFEWORK_FIELD_KEY": FIELD_KEY,
        "SAFEWORK_ALLOWED_HOSTS": "safework.example.com",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def test_production_without_secret_key_refuses_to_start(run):
    result = run(**production(SAFEWORK_SECRET_KEY=None))
    assert result.returncode != 0
    assert "SAFEWORK_SECRET_KEY is not set" in result.stderr


def test_production_without_field_key_refuses_to_start(run):
    result = run(**production(SAFEWORK_FIELD_KEY=None))
    assert result.returncode != 0
    assert "SAFEWORK_FIELD_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(run):
    result = run(**production(SAFEWORK_ALLOWED_HOSTS=None))
    assert result.returncode != 0
    assert "SAFEWORK_ALLOWED_HOSTS" in result.stderr


def test_production_with_everything_set_starts_without_debug(run, tmp_path):
    result = run(**production())
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout
    assert not (tmp_path / "secrets").exists()  # nothing generated in production


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SAFEWORK_DEBUG", "maybe"),
        ("SAFEWORK_ENV", "staging"),
        ("SAFEWORK_FIELD_KEY", "not-a-fernet-key"),
        ("SAFEWORK_SESSION_SECONDS", "8h"),
        ("SAFEWORK_DATABASE_URL", "mysql://db/safework"),
    ],
)
def test_bad_values_fail_loudly_naming_the_variable(run, variable, value):
    """STYLE.md 8: strict parsing that fails loudly on a bad value."""
    result = run(**production(**{variable: value}))
    assert result.returncode != 0
    assert variable in result.stderr


def test_embedded_default_generates_its_secrets_once_and_keeps_them(run, tmp_path):
    """DESIGN.md: the embedded default generates and keeps its own secrets under
    SAFEWORK_DATA_DIR, so a restart keeps sessions and can still decrypt ID numbers."""
    assert run().returncode == 0
    keys = sorted(p.read_text() for p in (tmp_path / "secrets").iterdir())
    assert run().returncode == 0
    assert sorted(p.read_text() for p in (tmp_path / "secrets").iterdir()) == keys
    assert len(keys) == 2


def test_deploy_check_has_no_warnings_in_production(run):
    """`safework check --deploy` with every production variable set: no warnings."""
    safework = Path(sys.executable).parent / "safework"
    result = run([str(safework), "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


HEADERS = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
secure = client.get("/api/v1/gate/ping", secure=True, HTTP_HOST="safework.example.com")
plain = client.get("/api/v1/gate/ping", HTTP_HOST="safework.example.com")
print(json.dumps({
    "headers": dict(secure.headers),
    "plain": [plain.status_code, plain.headers.get("Location")],
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
                settings.SESSION_COOKIE_HTTPONLY],
}))
"""


def test_production_answers_carry_the_security_headers(run):
    """Issue 6: in production mode a real answer carries HSTS, nosniff, frame denial and
    the referrer policy; plain HTTP is redirected to HTTPS; cookies are Secure."""
    result = run([sys.executable, "-c", HEADERS], **production())
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert answer["plain"] == [301, "https://safework.example.com/api/v1/gate/ping"]
    assert answer["cookies"] == [True, True, True]
