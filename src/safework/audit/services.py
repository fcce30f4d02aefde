"""Appending to the tamper-evident audit trail. Every write service calls ``audit_record``
inside its own transaction, so an entry exists exactly when the change was committed."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, date, datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from safework.core.actors import Actor

from .chain import body_of, entry_hash
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
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


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
    changes = json.loads(json.dumps(_jsonable(changes or {}), ensure_ascii=False))
    ip = _stored_ip(actor.ip)
    # No savepoint: services call this inside their own transaction, and a failed append
    # must roll that whole change back anyway (an unaudited change is not allowed).
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        at = timezone.now().astimezone(UTC)
        user = actor.user if actor.user is not None and actor.user.is_authenticated else None
        body = body_of(
            seq=head.seq + 1,
            at=at,
            actor=actor.label[:150],
            actor_user_id=user.pk if user else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            changes=changes,
            ip=ip,
            request_id=actor.request_id,
        )
        digest = entry_hash(prev_hash=head.hash, body=body)
        entry = AuditEntry.objects.create(
            seq=body["seq"],
            at=at,
            actor_user=user,
            actor=body["actor"],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=body["object_repr"],
            changes=changes,
            ip=ip,
            request_id=actor.request_id,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditHead.objects.filter(pk=1).update(seq=body["seq"], hash=digest)
    return entry


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


def _locked_head() -> AuditHead:
    try:
        return AuditHead.objects.select_for_update().get(pk=1)
    except AuditHead.DoesNotExist:  # created by a migration; gone only after a test flush
        AuditHead.objects.get_or_create(pk=1)
        return AuditHead.objects.select_for_update().get(pk=1)
