"""The one HTTP helper every transport posts through (STYLE.md 5): timeouts always, no
proxy from the environment, bounded response size, and errors turned into TransportError
saying whether a retry may help. The only thing tests point at local servers; under
SAFEWORK_ENV=test it refuses any host but the loopback, so nothing leaves the machine."""

from __future__ import annotations

import ipaddress
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings

from .errors import TransportError

MAX_BODY = 1024 * 1024
USER_AGENT = "safework-alerts/1"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> dict:
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TransportError(f"HTTP {self.status}: not JSON: {self.text()[:200]}") from None
        if not isinstance(data, dict):
            raise TransportError(f"HTTP {self.status}: unexpected JSON: {self.text()[:200]}")
        return data

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    """Send one request; any HTTP status comes back as a Response (the transport decides
    what it means), a network failure or timeout raises a retryable TransportError."""
    _check_target(url)
    timeout = timeout or settings.ALERTS_HTTP_TIMEOUT
    req = urllib.request.Request(url, data=body, method=method)
    for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items():
        req.add_header(name, value)
    deadline = time.monotonic() + timeout
    try:
        with _opener.open(req, timeout=timeout) as resp:
            return Response(resp.status, _read(resp, deadline), dict(resp.headers.items()))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, _read(exc, deadline), dict(exc.headers.items()))
    except TimeoutError:
        raise TransportError(f"no answer within {timeout:g} s") from None
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TransportError(f"connection failed: {reason}") from None


def post_json(url: str, data: dict, *, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return request("POST", url, body=body, headers=headers)


def _read(resp, deadline: float) -> bytes:
    """The body, at most MAX_BODY bytes, and not past the deadline: a server that drips
    bytes must not hold a worker longer than the timeout."""
    chunks, size = [], 0
    while size < MAX_BODY:
        if time.monotonic() > deadline:
            raise TransportError("the answer did not arrive within the timeout")
        chunk = resp.read(min(65536, MAX_BODY - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _check_target(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {url[:100]}", permanent=True)
    if settings.TESTING and not _is_loopback(parts.hostname):
        raise TransportError(f"test mode: refusing to send to {parts.hostname}", permanent=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
