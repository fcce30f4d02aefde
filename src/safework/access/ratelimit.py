"""A fixed-window rate limit kept in the database, shared by every web process and
independent of Redis (the public badge page must not need it)."""

from __future__ import annotations

import hashlib
import time

from django.db import connection, transaction

from .models import RateCounter

WINDOW = 60  # seconds


def _key(scope: str, client: str) -> str:
    return hashlib.sha256(f"{scope}:{client}".encode()).hexdigest()[:40]


def allow(scope: str, client: str | None, *, limit: int, now: float | None = None) -> bool:
    """Count this request; False once ``client`` made more than ``limit`` in the window."""
    slot = int((now if now is not None else time.time()) // WINDOW)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, slot, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (key, slot) DO UPDATE SET count = {table}.count + 1 "
            "RETURNING count",
            [_key(scope, client or "unknown"), slot],
        )
        (count,) = cursor.fetchone()
        if count == 1:  # a new window: forget the finished ones
            RateCounter.objects.filter(slot__lt=slot - 1).delete()
    return count <= limit
