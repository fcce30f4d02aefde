"""The badge token: ``b1.<key id>.<person id>.<version>.<mac>`` (ids in base 36, the MAC
an HMAC-SHA256 over the rest, 128 bits, base64url). Pure functions: whether the badge is
still the person's current one is the caller's question (``services.badge_verify``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from .keys import KeyRing

MARK = "b1"
SHAPE = re.compile(r"^b1\.([a-z0-9]{1,8})\.([0-9a-z]{1,13})\.([0-9a-z]{1,6})\.([A-Za-z0-9_-]{22})$")
# Badge URLs end with the token (/v/<token>); scanners hand us the whole URL.
IN_URL = re.compile(r"/v/(b1\.[^/?#\s]+)")


@dataclass(frozen=True)
class BadgeClaim:
    key_id: str
    person_id: int
    version: int


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _mac(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(ring: KeyRing, *, key_id: str, person_id: int, version: int) -> str:
    body = f"{MARK}.{key_id}.{_b36(person_id)}.{_b36(version)}"
    return f"{body}.{_mac(ring.keys[key_id], body)}"


def extract(credential: str) -> str:
    """The token in a scanned QR text: the token itself or the badge URL."""
    text = (credential or "").strip()
    found = IN_URL.search(text)
    return found.group(1) if found else text


def looks_like_token(credential: str) -> bool:
    return extract(credential).startswith(MARK + ".")


def verify(ring: KeyRing, token: str) -> BadgeClaim | None:
    """The claim of an authentic token; None for a forged, altered or unknown-key one."""
    match = SHAPE.match(extract(token))
    if match is None:
        return None
    key_id, person, version, mac = match.groups()
    key = ring.keys.get(key_id)
    if key is None:
        return None
    body = f"{MARK}.{key_id}.{person}.{version}"
    if not hmac.compare_digest(_mac(key, body), mac):
        return None
    return BadgeClaim(key_id, int(person, 36), int(version, 36))


def token_hash(token: str) -> str:
    """What the allowlist carries for a badge: a controller hashes what it scanned."""
    return hashlib.sha256(token.encode()).hexdigest()
