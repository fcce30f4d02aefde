"""What a controller presents at a gate, turned into a person: a badge token (or the
badge URL a scanner reads), an ID number (looked up by its blind index, never
decrypted), or a person id. Only people the caller may see are found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from safework.core import crypto
from safework.core.actors import Actor
from safework.core.idnumbers import normalize_id_number
from safework.people.models import Person

from . import tokens
from .choices import CredentialKind
from .keys import ring
from .selectors import person_for_gate

UNKNOWN = "unknown_credential"
REVOKED = "badge_revoked"
ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
PERSON_ID = re.compile(r"^[0-9]{1,15}$")


@dataclass(frozen=True)
class Resolved:
    person: Person | None
    kind: str
    reasons: tuple[str, ...] = ()


def classify(credential: str) -> str:
    text = (credential or "").strip()
    if tokens.looks_like_token(text):
        return CredentialKind.BADGE
    if ID_SHAPE.match(normalize_id_number(text)):
        return CredentialKind.ID_NUMBER
    if PERSON_ID.match(text):
        return CredentialKind.PERSON_ID
    return CredentialKind.AUTO


def resolve(*, actor: Actor, credential: str, kind: str = CredentialKind.AUTO) -> Resolved:
    if kind == CredentialKind.AUTO:
        kind = classify(credential)
    finder = {
        CredentialKind.BADGE: _by_badge,
        CredentialKind.ID_NUMBER: _by_id_number,
        CredentialKind.PERSON_ID: _by_person_id,
    }.get(kind)
    if finder is None:
        return Resolved(None, kind, (UNKNOWN,))
    return finder(actor, credential)


def _by_badge(actor: Actor, credential: str) -> Resolved:
    claim = tokens.verify(ring(), credential)
    person = person_for_gate(actor, pk=claim.person_id) if claim else None
    badge = getattr(person, "badge", None)
    if person is None or badge is None:
        return Resolved(None, CredentialKind.BADGE, (UNKNOWN,))
    current = (badge.key_id, badge.version) == (claim.key_id, claim.version)
    if badge.is_revoked or not current:
        return Resolved(person, CredentialKind.BADGE, (REVOKED,))
    return Resolved(person, CredentialKind.BADGE)


def _by_id_number(actor: Actor, credential: str) -> Resolved:
    number = normalize_id_number(credential)
    person = person_for_gate(actor, id_number_hash=crypto.blind_index(number))
    return Resolved(person, CredentialKind.ID_NUMBER, () if person else (UNKNOWN,))


def _by_person_id(actor: Actor, credential: str) -> Resolved:
    text = (credential or "").strip()
    person = person_for_gate(actor, pk=int(text)) if PERSON_ID.match(text) else None
    return Resolved(person, CredentialKind.PERSON_ID, () if person else (UNKNOWN,))
