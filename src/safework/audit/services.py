"""Appending to the tamper-evident audit trail. Every write service calls ``audit_record``
inside its own transaction, so an entry exists exactly when the change was committed."""

from __future__ import annotations

import functools
import ipaddress
import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from safework.core.actors import Actor
from safework.core.sql import fetch

from .chain import body_of, canonical_around, canonical_before_seq, entry_hash
from .models import AuditEntry, AuditHead


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


def _json_float(value: float):
    """A float as PostgreSQL's jsonb will hand it back, so the stored entry re-hashes the
    same: jsonb keeps numbers as exact decimals and writes a whole one without exponent
    (``1e+16`` comes back as ``10000000000000000``, ``-0.0`` as ``0.0``); NaN and infinity
    are no JSON at all."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return 0.0
    exact = Decimal(repr(value))
    if "e" in repr(value) and exact == exact.to_integral_value():
        return int(exact)
    return value


def diff(before: dict, after: dict) -> dict:
    """Field-level before/after of the fields that changed."""
    return {
        k: {"before": _jsonable(before.get(k)), "after": _jsonable(after.get(k))}
        for k in sorted(set(before) | set(after))
        if _jsonable(before.get(k)) != _jsonable(after.get(k))
    }


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    fields = _entry_fields(actor, action, object_type, object_id, object_repr, changes)
    # No savepoint: services call this inside their own transaction, and a failed append
    # must roll that whole change back anyway (an unaudited change is not allowed).
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            entry = _append_in_one_statement(fields)
            if entry is None:  # the head row is gone (only after a test flush)
                AuditHead.objects.get_or_create(pk=1)
                entry = _append_in_one_statement(fields)
            return entry
        head = locked_head()
        at = timezone.now().astimezone(UTC)
        body = body_of(seq=head.seq + 1, at=at, **fields)
        digest = entry_hash(prev_hash=head.hash, body=body)
        entry = AuditEntry.objects.create(
            seq=body["seq"], at=at, prev_hash=head.hash, hash=digest, **fields
        )
        AuditHead.objects.filter(pk=1).update(seq=body["seq"], hash=digest)
    return entry


def _entry_fields(actor: Actor, action, object_type, object_id, object_repr, changes) -> dict:
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return {
        "actor": actor.label[:150],
        "actor_user_id": user.pk if user else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:200],
        "changes": json.loads(json.dumps(_jsonable(changes or {}), ensure_ascii=False)),
        "ip": _stored_ip(actor.ip),
        "request_id": actor.request_id,
    }


# PostgreSQL: lock the head, insert the entry and move the head in one round trip. The
# hash is finished by the database: SHA-256 over the previous hash, the canonical body up
# to its sequence number (computed here, chain.canonical_before_seq) and the number itself,
# which is the same bytes as chain.entry_hash over the whole body; `audit verify`
# recomputes every entry in Python.
_APPEND_SQL = """
WITH head AS (
    SELECT seq, hash FROM audit_audithead WHERE id = 1 FOR UPDATE
), entry AS (
    INSERT INTO audit_auditentry (
        seq, at, actor, actor_user_id, action, object_type, object_id, object_repr,
        changes, ip, request_id, prev_hash, hash
    )
    SELECT head.seq + 1, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::inet, %s, head.hash,
        encode(sha256(
            convert_to(head.hash, 'UTF8') || %s::bytea
            || convert_to((head.seq + 1)::text || '}', 'UTF8')
        ), 'hex')
    FROM head
    RETURNING id, seq, prev_hash, hash
)
UPDATE audit_audithead SET seq = entry.seq, hash = entry.hash
FROM entry WHERE audit_audithead.id = 1
RETURNING entry.id, entry.seq, entry.prev_hash, entry.hash
"""


def _append_in_one_statement(fields: dict) -> AuditEntry | None:
    at = timezone.now().astimezone(UTC)
    prefix = canonical_before_seq(body_of(seq=0, at=at, **fields))
    params = [
        at,
        fields["actor"],
        fields["actor_user_id"],
        fields["action"],
        fields["object_type"],
        fields["object_id"],
        fields["object_repr"],
        json.dumps(fields["changes"], ensure_ascii=False),
        fields["ip"],
        fields["request_id"],
        prefix,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return _stored_entry(row, at, fields)


def _stored_entry(row: tuple, at, fields: dict) -> AuditEntry:
    """The entry the database has just written, from the (id, seq, prev_hash, hash) it
    returned and the fields it was given, without reading it back."""
    pk, seq, prev_hash, digest = row
    entry = AuditEntry(pk=pk, seq=seq, at=at, prev_hash=prev_hash, hash=digest, **fields)
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


# PostgreSQL: insert a row and append the entry of its creation in one statement (the
# entry's object id is the new row's id, joined into the hash input between the two
# parts chain.canonical_around cut). A missing head leaves head.seq NULL, so the entry's
# NOT NULL columns fail the whole statement and the row is not written unaudited.
_CREATE_SQL = """
WITH {settings}made AS (
    INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id
), head AS (
    SELECT seq, hash FROM audit_audithead{settings_from} WHERE id = 1
    FOR UPDATE OF audit_audithead
), entry AS (
    INSERT INTO audit_auditentry (
        seq, at, actor, actor_user_id, action, object_type, object_id, object_repr,
        changes, ip, request_id, prev_hash, hash
    )
    SELECT head.seq + 1, %s::timestamptz, %s::varchar, %s::bigint, %s::varchar, %s::varchar,
        made.id::text, %s::varchar, %s::jsonb, %s::inet, %s::varchar, head.hash,
        encode(sha256(
            convert_to(head.hash, 'UTF8') || %s::bytea || convert_to(made.id::text, 'UTF8')
            || %s::bytea || convert_to((head.seq + 1)::text || '}}', 'UTF8')
        ), 'hex')
    FROM made LEFT JOIN head ON true
    RETURNING id, seq, prev_hash, hash, object_id
)
UPDATE audit_audithead SET seq = entry.seq, hash = entry.hash
FROM entry WHERE audit_audithead.id = 1
RETURNING entry.object_id, entry.id, entry.seq, entry.prev_hash, entry.hash
"""
# Asked for by ``fast_commit`` outside a transaction: the statement's own commit does
# not wait for its WAL flush (synchronous_commit is read when the commit is written).
_ASYNC_COMMIT = "settings AS (SELECT set_config('synchronous_commit', 'off', true)), "


def audit_create(
    obj: models.Model,
    *,
    actor: Actor,
    action: str = "create",
    changes: dict | None = None,
    fast_commit: bool = False,
) -> AuditEntry | None:
    """PostgreSQL: insert the unsaved ``obj`` (every concrete field as ``save()`` would
    write it, defaults and auto_now included) and append the audit entry of its creation
    in one statement: one round trip, and outside a transaction no BEGIN and COMMIT
    either (the statement is its own transaction), for the hottest write there is, the
    gate check. ``fast_commit`` (only outside a transaction): that commit does not wait
    for its WAL flush. Sets ``obj.pk`` and returns the entry; None where this cannot be
    done in one statement (SQLite; a body holding the placeholder): the caller then saves
    ``obj`` and calls ``audit_record``. No signals are sent for the insert."""
    if connection.vendor != "postgresql":
        return None
    meta = obj._meta
    object_type = meta.label_lower
    fields = _entry_fields(actor, action, object_type, "", str(obj)[:200], changes)
    at = timezone.now().astimezone(UTC)
    parts = canonical_around(body_of(seq=0, at=at, **fields), "object_id")
    if parts is None:
        return None
    asynchronous = fast_commit and not connection.in_atomic_block
    columns, sql = _create_sql(type(obj), asynchronous)
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in columns]
    params += [
        at,
        fields["actor"],
        fields["actor_user_id"],
        fields["action"],
        object_type,
        fields["object_repr"],
        json.dumps(fields["changes"], ensure_ascii=False),
        fields["ip"],
        fields["request_id"],
        *parts,
    ]
    try:
        row = _run_create(sql, params)
    except IntegrityError:
        if AuditHead.objects.filter(pk=1).exists():
            raise
        AuditHead.objects.get_or_create(pk=1)  # gone only after a test flush
        row = _run_create(sql, params)
    object_id, *stored = row
    obj.pk = int(object_id)
    obj._state.adding, obj._state.db = False, connection.alias
    return _stored_entry(stored, at, {**fields, "object_id": object_id})


@functools.cache
def _create_sql(model: type[models.Model], asynchronous: bool) -> tuple[list, str]:
    """The columns ``audit_create`` writes for ``model`` and its statement, built once
    per model (every gate check runs it)."""
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = _CREATE_SQL.format(
        settings=_ASYNC_COMMIT if asynchronous else "",
        settings_from=", settings" if asynchronous else "",
        table=quote(model._meta.db_table),
        columns=", ".join(quote(f.column) for f in columns),
        values=", ".join(["%s"] * len(columns)),
    )
    return columns, sql


def _run_create(sql: str, params: list) -> tuple:
    """Prepared (core/sql.py). Inside a transaction under a savepoint, so that a failure
    (the head row missing) can be retried; outside one the failed statement has rolled
    itself back."""
    if connection.in_atomic_block:
        with transaction.atomic():
            return fetch(sql, params, one=True)
    return fetch(sql, params, one=True)


@functools.lru_cache(maxsize=1024)  # a few addresses (gate controllers) ask again and again
def _stored_ip(raw: str | None) -> str | None:
    """The IP exactly as the database will hand it back (GenericIPAddressField stores ""
    as NULL and IPv6 in its compressed lower-case form), so the hash can be recomputed
    from the stored row; something that is no IP at all (PostgreSQL's ``inet`` would
    refuse it and fail the change being audited) is recorded as unknown."""
    try:
        ipaddress.ip_address(raw or "")
    except ValueError:
        return None
    return clean_ipv6_address(raw) if ":" in raw else raw


def locked_head() -> AuditHead:
    try:
        return AuditHead.objects.select_for_update().get(pk=1)
    except AuditHead.DoesNotExist:  # created by a migration; gone only after a test flush
        AuditHead.objects.get_or_create(pk=1)
        return AuditHead.objects.select_for_update().get(pk=1)
