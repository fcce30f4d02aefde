"""Checking a report package against the audit chain: every file matches the manifest,
and the manifest's root is the one recorded when the package was sealed, in an entry of
an intact chain."""

from __future__ import annotations

from dataclasses import dataclass

from safework.audit.models import AuditEntry
from safework.audit.verify import verify_chain

from .manifest import MANIFEST, check_zip

SEALED = "evidence.pack_sealed"


@dataclass(frozen=True)
class PackVerdict:
    ok: bool
    message: str
    bad_file: str = ""
    root: str = ""


def verify_pack(path) -> PackVerdict:
    check = check_zip(path)
    if not check.ok:
        return PackVerdict(False, f"{check.bad_file}: {check.problem}", check.bad_file, check.root)
    entry = _sealing_entry(check.manifest.get("pack"))
    if entry is None:
        return PackVerdict(False, f"{MANIFEST}: no sealing entry of this package in the audit "
                           f"trail", MANIFEST, check.root)  # fmt: skip
    recorded = (entry.changes.get("root") or {}).get("after")
    if recorded != check.root:
        return PackVerdict(False, f"{MANIFEST}: root {check.root} differs from the root "
                           f"{recorded} recorded in audit entry #{entry.seq}", MANIFEST,
                           check.root)  # fmt: skip
    chain = verify_chain(upto_seq=entry.seq)
    if not chain.ok:
        return PackVerdict(False, f"audit chain broken at entry {chain.broken_seq}: "
                           f"{chain.problem}", MANIFEST, check.root)  # fmt: skip
    files = len(check.manifest.get("files", []))
    return PackVerdict(True, f"intact: {files} files, root {check.root} = audit entry "
                       f"#{entry.seq}", root=check.root)  # fmt: skip


def _sealing_entry(pack_id) -> AuditEntry | None:
    if not isinstance(pack_id, int):
        return None
    return (
        AuditEntry.objects.filter(
            action=SEALED, object_type="evidence.evidencepack", object_id=str(pack_id)
        )
        .order_by("-seq")
        .first()
    )
