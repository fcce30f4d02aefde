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
