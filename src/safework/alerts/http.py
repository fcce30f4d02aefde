"""The one HTTP helper every transport posts through (STYLE.md 5): timeouts always, no
proxy from the environment, bounded response size, and errors turned into TransportError
saying whether a retry may help. The only thing tests point at local servers; under
SAFEWORK_ENV=test it refuses any host but the loopback, so nothing leaves the machine.

Connections are kept alive, one per thread and host (a delivery worker posting batch
after batch to the same robot or webhook pays the TCP and TLS handshake once). A kept
connection the server has closed meanwhile is noticed before it is reused, as urllib3
does; a request is never sent twice here, a failure goes back to the outbox's retry."""

from __future__ import annotations

import ipaddress
import json
import select
import threading
import time
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection
from urllib.parse import SplitResult, urlsplit

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


_local = threading.local()


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
    parts = _check_target(url)
    timeout = timeout or settings.ALERTS_HTTP_TIMEOUT
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + timeout
    conn = _connection(parts, timeout)
    try:
        conn.request(
            method, target, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        resp = conn.getresponse()
        result = Response(resp.status, _read(resp, deadline), dict(resp.headers.items()))
    except TimeoutError:
        _discard(parts)
        raise TransportError(f"no answer within {timeout:g} s") from None
    except (HTTPException, OSError) as exc:
        _discard(parts)
        raise TransportError(f"connection failed: {exc}") from None
    except BaseException:
        _discard(parts)
        raise
    if resp.will_close or not resp.isclosed():  # closing, or a body left unread past MAX_BODY
        _discard(parts)
    return result


def _connection(parts: SplitResult, timeout: float) -> HTTPConnection:
    """This thread's kept connection to the host of ``parts``, or a new one."""
    pool = _local.__dict__.setdefault("pool", {})
    key = (parts.scheme, parts.hostname, parts.port)
    conn = pool.get(key)
    if conn is not None and conn.sock is not None and _dropped(conn.sock):
        _discard(parts)
        conn = None
    if conn is None:
        cls = HTTPSConnection if parts.scheme == "https" else HTTPConnection
        conn = pool[key] = cls(parts.hostname, parts.port, timeout=timeout)
    conn.timeout = timeout
    if conn.sock is not None:
        conn.sock.settimeout(timeout)
    return conn


def _dropped(sock) -> bool:
    """An idle kept-alive socket that is readable has been closed by the server (or holds
    bytes nobody asked for): either way it must not carry the next request."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _discard(parts: SplitResult) -> None:
    conn = _local.__dict__.get("pool", {}).pop((parts.scheme, parts.hostname, parts.port), None)
    if conn is not None:
        conn.close()


def post_json(url: str, data: dict, *, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return request("POST", url, body=body, headers=headers)


def _read(resp: HTTPResponse, deadline: float) -> bytes:
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


def _check_target(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise TransportError(f"not an http(s) URL: {url[:100]}", permanent=True) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {url[:100]}", permanent=True)
    if settings.TESTING and not _is_loopback(parts.hostname):
        raise TransportError(f"test mode: refusing to send to {parts.hostname}", permanent=True)
    return parts


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
