"""Re-compute the audit hash chain and report the first broken entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from .chain import body_of, entry_hash
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
_FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_user_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "request_id",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""


def _row_problem(row: dict, expected_seq: int, prev: str) -> str:
    if row["seq"] != expected_seq:
        return (
            f"sequence jumps from {expected_seq - 1} to {row['seq']} (entries deleted or reordered)"
        )
    if row["prev_hash"] != prev:
        return "previous-hash link does not match the entry before it"
    body = body_of(
        **{k: row[k] for k in _FIELDS if k not in ("prev_hash", "hash", "at")},
        at=row["at"].astimezone(UTC),
    )
    if entry_hash(prev_hash=prev, body=body) != row["hash"]:
        return "content does not match its hash (entry edited)"
    return ""


def verify_chain(*, upto_seq: int | None = None, chunk_size: int = 5000) -> VerifyResult:
    qs = AuditEntry.objects.order_by("seq").values(*_FIELDS)
    if upto_seq is not None:
        qs = qs.filter(seq__lte=upto_seq)
    prev, expected = GENESIS, 1
    for row in qs.iterator(chunk_size=chunk_size):
        problem = _row_problem(row, expected, prev)
        if problem:
            return VerifyResult(False, expected - 1, prev, row["seq"], problem)
        prev, expected = row["hash"], expected + 1
    count = expected - 1
    if upto_seq is None:
        head = AuditHead.objects.filter(pk=1).first()
        if head is not None and (head.seq != count or head.hash != prev):
            return VerifyResult(
                False,
                count,
                prev,
                count + 1,
                f"the chain ends at entry {count} but its head says {head.seq} "
                "(latest entries deleted)",
            )
    elif count != upto_seq:
        return VerifyResult(False, count, prev, count + 1, f"entries after {count} are missing")
    return VerifyResult(True, count, prev)
