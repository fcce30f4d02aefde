"""The HTTP adapter: a provider configured by base URL and credentials.

Contract (what a provider implements; tests play it with a local server)::

    POST {base_url}/query
    Authorization: Bearer <secret>          (or Basic user:secret when a user name is set)
    {"id_type": "resident_id", "id_number": "…", "name": "…"}

    200 {"certificates": [{"name", "sex", "number", "category", "item",
                           "first_issued_on", "valid_from", "valid_until",
                           "review_due", "reviewed_on", "authority"}, …]}
    404 or an empty list: not found

The ID number travels in the body, never in a URL (server logs keep URLs). Sent through
the one HTTP helper (timeouts, bounded body, loopback only under test)."""

from __future__ import annotations

import base64
import json
from datetime import date

from safework.alerts import http
from safework.alerts.errors import TransportError
from safework.core import crypto

from ..models import VerificationSource
from .base import CertificateVerifier, Lookup, SourceRecord, SourceUnavailable, VerificationQuery

_DATES = ("first_issued_on", "valid_from", "valid_until", "review_due", "reviewed_on")
_TEXTS = ("name", "sex", "number", "category", "item", "authority")


class HttpVerifier(CertificateVerifier):
    def __init__(self, source: VerificationSource) -> None:
        self.source = source
        self.name = source.name

    def _headers(self) -> dict[str, str]:
        secret = (
            crypto.decrypt(self.source.secret_encrypted) if self.source.secret_encrypted else ""
        )
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.source.username:
            token = base64.b64encode(f"{self.source.username}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        elif secret:
            headers["Authorization"] = f"Bearer {secret}"
        return headers

    def lookup(self, query: VerificationQuery) -> Lookup:
        body = {"id_type": query.id_type, "id_number": query.id_number, "name": query.name}
        url = self.source.base_url.rstrip("/") + "/query"
        try:
            resp = http.request(
                "POST",
                url,
                body=json.dumps(body, ensure_ascii=False).encode(),
                headers=self._headers(),
                timeout=self.source.timeout_seconds,
            )
        except TransportError as exc:
            raise SourceUnavailable(exc.message) from None
        if resp.status == 404:
            return Lookup([])
        if resp.status != 200:
            raise SourceUnavailable(f"HTTP {resp.status}: {resp.text()[:120]}")
        return parse_answer(resp.body)


def parse_answer(body: bytes) -> Lookup:
    """The provider's JSON, checked field by field: anything else is "not understood"."""
    try:
        data = json.loads(body.decode("utf-8"))
        items = data["certificates"]
        if not isinstance(items, list):
            raise TypeError("certificates is not a list")
        return Lookup([_record(item) for item in items])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SourceUnavailable(f"answer not understood: {exc}"[:200]) from None


def _record(item) -> SourceRecord:
    if not isinstance(item, dict):
        raise TypeError("a certificate is not an object")
    texts = {k: str(item.get(k) or "").strip() for k in _TEXTS}
    dates = {k: date.fromisoformat(item[k]) if item.get(k) else None for k in _DATES}
    return SourceRecord(**texts, **dates)
