"""Field encryption for ID numbers: Fernet for the value, a keyed HMAC-SHA256 blind index
for exact lookup and uniqueness (PIPL: stored encrypted, looked up by a keyed hash)."""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


@lru_cache(maxsize=4)
def _index_key(primary: str) -> bytes:
    # A separate sub-key so the index never reveals anything about the encryption key.
    return hmac.new(primary.encode(), b"safework blind index v1", hashlib.sha256).digest()


def encrypt(value: str) -> str:
    return _fernet(tuple(settings.FIELD_KEYS)).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(tuple(settings.FIELD_KEYS)).decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    # The index key comes from the *last* listed key: rotation prepends a new key, so
    # existing indexes stay valid while new ciphertexts use the new key.
    return hmac.new(_index_key(settings.FIELD_KEYS[-1]), value.encode(), hashlib.sha256).hexdigest()
