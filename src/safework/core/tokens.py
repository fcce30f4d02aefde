"""API tokens for machine clients: create, verify, revoke.

The token itself is shown once, at creation; only its SHA-256 is stored (``key_hash``), with
a short prefix so people can tell tokens apart in lists and revoke one by its prefix."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff

from .actors import Actor
from .choices import TokenScope
from .errors import ValidationFailed
from .models import ApiToken, Organization
from .sql import fetch

MARK = "sw_"
PREFIX_LENGTH = 8
# last_used_at is for people deciding which tokens are stale, so minute precision is
# plenty; writing it on every request would turn each read into a write.
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _validate(name: str, scope: str) -> str:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name, e.g. the client that will use it.")
    elif len(name) > 100:
        errors["name"] = _("The token name is too long (at most 100 characters).")
    if scope not in TokenScope.values:
        errors["scope"] = _("The scope must be read, write or gate.")
    if errors:
        raise ValidationFailed(errors)
    return name


@transaction.atomic
def _new_raw() -> str:
    """A secret whose display prefix never starts with "-": ``safework token revoke -x…``
    would read the prefix as an option (about one token in 64 had such a prefix)."""
    while True:
        raw = MARK + secrets.token_urlsafe(32)
        if raw[len(MARK)] != "-":
            return raw


def token_create(
    *, actor: Actor, name: str, scope: str, organization: Organization | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret value, which is not stored and cannot be shown again."""
    name = _validate(name, scope)
    raw = _new_raw()
    token = ApiToken.objects.create(
        name=name,
        scope=scope,
        prefix=raw[len(MARK) : len(MARK) + PREFIX_LENGTH],
        key_hash=hash_key(raw),
        organization=organization,
        created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="token_create",
        obj=token,
        changes=diff(
            {},
            {
                "name": name,
                "scope": scope,
                "prefix": token.prefix,
                "organization": token.organization_id,
            },
        ),
    )
    return token, raw


_TOKEN_COLUMNS = [f.attname for f in ApiToken._meta.concrete_fields]
_VERIFY_SQL = (
    f"SELECT {', '.join(_TOKEN_COLUMNS)} FROM {ApiToken._meta.db_table} "
    "WHERE key_hash = %s AND revoked_at IS NULL"
)


def token_verify(raw: str) -> ApiToken | None:
    """The live token with this secret value, or None for an unknown or revoked one."""
    if not raw:
        return None
    # Every API request asks this: plain SQL costs a third of the CPU of compiling the
    # equivalent ORM query (which is more than the trivial endpoint itself), and on
    # PostgreSQL it is prepared once per connection (core/sql.py).
    if connection.vendor == "postgresql":
        row = fetch(_VERIFY_SQL, [hash_key(raw)], one=True)
        token = None if row is None else ApiToken.from_db(connection.alias, _TOKEN_COLUMNS, row)
    else:
        token = next(iter(ApiToken.objects.raw(_VERIFY_SQL, [hash_key(raw)])), None)
    if token is not None:
        _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="token_revoke",
        obj=token,
        changes=diff({"revoked_at": None}, {"revoked_at": token.revoked_at}),
    )
    return token


def token_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("organization").order_by("-created_at", "-id")


def token_find(ref: str) -> ApiToken:
    """A token by its display prefix or its id; raises ApiToken.DoesNotExist."""
    ref = (ref or "").strip()
    by_prefix = list(ApiToken.objects.filter(prefix=ref)[:2])
    if len(by_prefix) == 1:
        return by_prefix[0]
    if len(by_prefix) > 1:
        raise ValidationFailed({"token": _("Several tokens have this prefix; use the id.")})
    if ref.isdigit():
        return ApiToken.objects.get(pk=int(ref))
    raise ApiToken.DoesNotExist(ref)
