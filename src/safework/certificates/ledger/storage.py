"""The uploaded ledger, kept for the commit and the error report. It holds full ID
numbers, so it is stored encrypted with the field keys (PIPL, DESIGN.md principle 6),
like the ID numbers in the database."""

from __future__ import annotations

import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in settings.FIELD_KEYS])


def store(data: bytes, kind: str) -> str:
    name = f"ledgers/{secrets.token_hex(16)}.{kind}.enc"
    return default_storage.save(name, ContentFile(_fernet().encrypt(data)))


def load(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return _fernet().decrypt(fh.read())
