"""Badge signing keys. ``SAFEWORK_BADGE_KEYS`` lists ``kid[:secret]`` entries separated by
commas, the first signing new badges and every one verifying (rotation: put the new key
first, keep the old ones until their badges are reissued). An entry without a secret is
derived from SECRET_KEY with HKDF, so rotating needs no new secret at all
(``k2,k1``). Unset, it is ``k1``: one derived key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT = "k1"
KID = re.compile(r"^[a-z0-9]{1,8}$")
MIN_SECRET = 32


@dataclass(frozen=True)
class KeyRing:
    signing: str
    keys: dict[str, bytes]


def derive(secret_key: str, kid: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"safework badge", info=f"key {kid}".encode()
    ).derive(secret_key.encode())


def parse(raw: str, secret_key: str) -> KeyRing:
    """Strict: a bad entry is a start-up error naming it, never a silently weaker key."""
    entries = [e.strip() for e in (raw or DEFAULT).split(",") if e.strip()]
    keys: dict[str, bytes] = {}
    for entry in entries:
        kid, _sep, secret = entry.partition(":")
        if not KID.match(kid) or kid in keys:
            raise ImproperlyConfigured(
                f"SAFEWORK_BADGE_KEYS: {kid!r} must be a new key id of 1-8 lower-case "
                "letters or digits"
            )
        if secret and len(secret) < MIN_SECRET:
            raise ImproperlyConfigured(
                f"SAFEWORK_BADGE_KEYS: the secret of {kid!r} needs at least {MIN_SECRET} "
                "characters (or leave it out to derive the key from SAFEWORK_SECRET_KEY)"
            )
        keys[kid] = secret.encode() if secret else derive(secret_key, kid)
    if not keys:
        raise ImproperlyConfigured("SAFEWORK_BADGE_KEYS lists no key")
    return KeyRing(signing=next(iter(keys)), keys=keys)


@lru_cache(maxsize=4)
def _ring(raw: str, secret_key: str) -> KeyRing:
    return parse(raw, secret_key)


def ring() -> KeyRing:
    return _ring(getattr(settings, "BADGE_KEYS", ""), settings.SECRET_KEY)
