"""What a controller presents at a gate, turned into a person: a badge token (or the
badge URL a scanner reads), an ID number (looked up by its blind index, never
decrypted), or a person id. Only people the caller may see are found, with their
authorisations for the area asked about."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial

from safework.core import crypto
from safework.core.actors import Actor
from safework.core.idnumbers import normalize_id_number
from safework.people.models import Person

from . import tokens
from .choices import CredentialKind
from .decisions import Grant
from .keys import ring
from .selectors import person_at_gate

UNKNOWN = "unknown_credential"
REVOKED = "badge_revoked"
ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
PERSON_ID = re.compile(r"^[0-9]{1,15}$")


@dataclass(frozen=True)
class Resolved:
    person: Person | None
    kind: str
    reasons: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()  # the person's authorisations for the area


def classify(credential: str) -> str:
    text = (credential or "").strip()
    if tokens.looks_like_token(text):
        return CredentialKind.BADGE
    if ID_SHAPE.match(normalize_id_number(text)):
        return CredentialKind.ID_NUMBER
    if PERSON_ID.match(text):
        return CredentialKind.PERSON_ID
    return CredentialKind.AUTO


def resolve(
    *, actor: Actor, credential: str, kind: str = CredentialKind.AUTO, area_id: int | None = None
) -> Resolved:
    if kind == CredentialKind.AUTO:
        kind = classify(credential)
    finder = {
        CredentialKind.BADGE: _by_badge,
        CredentialKind.ID_NUMBER: _by_id_number,
        CredentialKind.PERSON_ID: _by_person_id,
    }.get(kind)
    if finder is None:
        return Resolved(None, kind, (UNKNOWN,))
    return finder(partial(_find, actor, area_id), credential)


def _find(actor: Actor, area_id: int | None, kind: str, **lookup) -> Resolved:
    found = person_at_gate(actor, area_id=area_id, **lookup)
    if found is None:
        return Resolved(None, kind, (UNKNOWN,))
    return Resolved(found.person, kind, grants=tuple(found.grants))


def _by_badge(find, credential: str) -> Resolved:
    claim = tokens.verify(ring(), credential)
    found = find(CredentialKind.BADGE, pk=claim.person_id) if claim else None
    badge = getattr(found.person, "badge", None) if found else None
    if badge is None:
        return Resolved(None, CredentialKind.BADGE, (UNKNOWN,))
    current = (badge.key_id, badge.version) == (claim.key_id, claim.version)
    if badge.is_revoked or not current:
        return replace(found, reasons=(REVOKED,))
    return found


def _by_id_number(find, credential: str) -> Resolved:
    number = normalize_id_number(credential)
    return find(CredentialKind.ID_NUMBER, id_number_hash=crypto.blind_index(number))


def _by_person_id(find, credential: str) -> Resolved:
    text = (credential or "").strip()
    if not PERSON_ID.match(text):
        return Resolved(None, CredentialKind.PERSON_ID, (UNKNOWN,))
    return find(CredentialKind.PERSON_ID, pk=int(text))
