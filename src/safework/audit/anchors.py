"""Signed anchors of the audit chain's head (issue 6: daily anchor).

The anchor is signed with Ed25519 so an auditor can check it with the public key alone;
the signing key is derived from SAFEWORK_SECRET_KEY (HKDF), so nothing else must be kept.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction

from .models import AuditAnchor
from .services import locked_head
from .verify import verify_chain


def _private_key() -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"safework audit anchor v1"
    ).derive(settings.SECRET_KEY.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64() -> str:
    raw = (
        _private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


def _statement(anchor_date: date, seq: int, head_hash: str) -> bytes:
    return json.dumps(
        {"date": anchor_date.isoformat(), "seq": seq, "hash": head_hash},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def anchor_dir() -> Path:
    path = Path(settings.DATA_DIR) / "audit-anchors"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def anchor_create(*, on: date) -> AuditAnchor:
    """Write (or return) the anchor of ``on``: the current head, signed, as a file and a row."""
    existing = AuditAnchor.objects.filter(anchor_date=on).first()
    if existing:
        return existing
    head = locked_head()
    signature = base64.b64encode(_private_key().sign(_statement(on, head.seq, head.hash))).decode()
    doc = {
        "date": on.isoformat(),
        "seq": head.seq,
        "hash": head.hash,
        "public_key": public_key_b64(),
        "signature": signature,
        "algorithm": "Ed25519",
    }
    name = f"audit-anchor-{on.isoformat()}.json"
    (anchor_dir() / name).write_text(json.dumps(doc, indent=2) + "\n")
    return AuditAnchor.objects.create(
        anchor_date=on,
        seq=head.seq,
        hash=head.hash,
        public_key=doc["public_key"],
        signature=signature,
        file_name=name,
    )


def anchor_signature_ok(doc: dict) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(doc["public_key"]))
        key.verify(
            base64.b64decode(doc["signature"]),
            _statement(date.fromisoformat(doc["date"]), int(doc["seq"]), doc["hash"]),
        )
    except (InvalidSignature, KeyError, ValueError):
        return False
    return True


def anchor_check(doc: dict) -> tuple[bool, str]:
    """Does today's chain still contain, unchanged, everything the anchor vouched for?"""
    if not anchor_signature_ok(doc):
        return False, "the anchor's signature is not valid"
    if doc["public_key"] != public_key_b64():
        return False, "the anchor was signed by another installation's key"
    result = verify_chain(upto_seq=int(doc["seq"]))
    if not result.ok:
        return False, f"entry {result.broken_seq}: {result.problem}"
    if result.head_hash != doc["hash"]:
        return False, f"entry {doc['seq']} no longer has the anchored hash"
    return True, f"entries 1..{doc['seq']} are unchanged since {doc['date']}"
