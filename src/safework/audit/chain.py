"""The hash chain's canonical form: pure functions shared by append and verify."""

import hashlib
import json
from datetime import datetime


def canonical(entry: dict) -> bytes:
    return json.dumps(
        entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def entry_hash(*, prev_hash: str, body: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(body)).hexdigest()


def canonical_before_seq(body: dict) -> bytes:
    """The canonical form of ``body`` up to its sequence number. ``seq`` sorts last of the
    keys, so ``canonical(body) == canonical_before_seq(body) + b"%d}" % body["seq"]``: the
    database can finish the hash once it has locked the head and knows the number."""
    text = canonical({**body, "seq": 0})
    assert text.endswith(b'"seq":0}'), "seq must be the last key of the canonical form"
    return text[: -len(b"0}")]


# Stands for a value the database makes in the same statement as the entry (the id of
# the row being inserted), so that the canonical form can be cut around it.
_FILLED_BY_DB = "\x00safework:filled-by-the-database\x00"


def canonical_around(body: dict, field: str) -> tuple[bytes, bytes] | None:
    """``canonical_before_seq(body)`` cut where the string value of ``field`` goes: the
    database joins the two parts around the value it makes (digits, which JSON writes as
    they are), then finishes the hash as for ``canonical_before_seq``. None if the cut is
    not unambiguous (the body itself holds the placeholder)."""
    text = canonical_before_seq({**body, field: _FILLED_BY_DB})
    marker = json.dumps(_FILLED_BY_DB).encode()[1:-1]
    if text.count(marker) != 1:
        return None
    before, after = text.split(marker)
    return before, after


def body_of(
    *,
    seq: int,
    at: datetime,
    actor: str,
    actor_user_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: dict,
    ip: str | None,
    request_id: str,
) -> dict:
    return {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "actor_user_id": actor_user_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "ip": ip,
        "request_id": request_id,
    }
