"""The client address recorded by the audit trail and used by lockouts and rate limits:
REMOTE_ADDR, or behind a trusted reverse proxy the right-most X-Forwarded-For hop that is
not a trusted proxy; a client cannot choose its address by sending the header itself."""

import ipaddress

import pytest
from django.test import RequestFactory

from safework.core.middleware import client_ip
from safework.settings import _trusted_proxies

PROXIES = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))


def _ip(settings, remote, forwarded=None, proxies=PROXIES):
    settings.TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not from a proxy: the header is ignored
        ("127.0.0.1", None, "127.0.0.1"),  # a proxy that sent no header
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # forged left part ignored
        ("127.0.0.1", "198.51.100.7, 10.1.1.1", "198.51.100.7"),  # two proxies in a row
        ("127.0.0.1", "10.2.2.2, 10.1.1.1", "10.2.2.2"),  # all proxies: the farthest one
        ("127.0.0.1", "198.51.100.7, bogus", "127.0.0.1"),  # malformed hop ends the walk
        ("127.0.0.1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(settings, remote, forwarded, expected):
    assert _ip(settings, remote, forwarded) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    assert _ip(settings, "127.0.0.1", "198.51.100.7", proxies=()) == "127.0.0.1"


def test_the_setting_names_a_wrong_entry():
    from django.core.exceptions import ImproperlyConfigured

    assert _trusted_proxies(" 127.0.0.1 , 10.0.0.0/8,") == PROXIES
    with pytest.raises(ImproperlyConfigured, match="SAFEWORK_TRUSTED_PROXIES: 'nginx'"):
        _trusted_proxies("127.0.0.1,nginx")


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy(client, settings):
    from safework.audit.models import AuditEntry

    settings.TRUSTED_PROXIES = PROXIES
    client.post(
        "/login/",
        {"username": "nobody", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
    )
    assert AuditEntry.objects.get(action="login_failed").ip == "198.51.100.7"
