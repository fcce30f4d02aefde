"""Certificate numbers that carry the holder's ID number.

RULES.md 1: new-style MEM certificates (since 2019-09-01) are numbered with the holder's
ID number, sometimes with a ``T`` prefix (unconfirmed). Stored as they are, they would undo
the ID number's encryption (个人信息保护法), so such a number is stored masked, like the ID
number, with a keyed hash for uniqueness and exact lookup; the full number is the person's
decrypted ID number behind the same prefix. Other (legacy) numbers hold no personal
information and are stored as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safework.core import crypto
from safework.core.idnumbers import mask_id_number

ID_LIKE = re.compile(r"^(T?)([0-9]{17}[0-9X])$")


@dataclass(frozen=True)
class StoredNumber:
    number: str  # what is stored and shown
    number_hash: str
    is_id_number: bool


def number_hash(number: str) -> str:
    """Keyed hash of a normalised number; an ID-bearing number hashes without its prefix,
    so ``T320…`` and ``320…`` are the same certificate."""
    m = ID_LIKE.match(number)
    core = m.group(2) if m else number
    return crypto.blind_index(f"certificate-number:{core}")


def protect(number: str, holder_id_number: str) -> StoredNumber:
    m = ID_LIKE.match(number)
    if m and m.group(2) == holder_id_number:
        return StoredNumber(m.group(1) + mask_id_number(m.group(2)), number_hash(number), True)
    return StoredNumber(number, number_hash(number), False)


def expand_masked(number: str, person) -> str | None:
    """A masked number equal to the holder's masked ID number (as shown on the pages and
    in the API) stands for the holder's full ID number; anything else masked is None."""
    prefix = "T" if number.startswith("T") else ""
    if number[len(prefix) :] == person.id_number_masked:
        return prefix + person.full_id_number()
    return None


def full_number(certificate) -> str:
    """The full certificate number, decrypting the holder's ID when it carries it.
    Callers showing it must be allowed to see full ID numbers."""
    if not certificate.number_is_id_number:
        return certificate.number
    prefix = "T" if certificate.number.startswith("T") else ""
    return prefix + certificate.person.full_id_number()
