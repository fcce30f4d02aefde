"""The verifier interface and what a source answers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class VerificationQuery:
    """The national query's input: ID type, ID number, name."""

    id_number: str
    name: str
    id_type: str = "resident_id"


@dataclass(frozen=True)
class SourceRecord:
    """One certificate as the source shows it (the national query's output fields)."""

    name: str = ""
    sex: str = ""
    number: str = ""
    category: str = ""
    item: str = ""
    first_issued_on: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    review_due: date | None = None
    reviewed_on: date | None = None
    authority: str = ""


@dataclass(frozen=True)
class Lookup:
    """The source's answer: the person's certificates there (empty: not found)."""

    records: list[SourceRecord] = field(default_factory=list)


class SourceUnavailable(Exception):
    """The source did not answer usefully: down, slow, or an answer not understood."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class CertificateVerifier(ABC):
    name: str = ""

    @abstractmethod
    def lookup(self, query: VerificationQuery) -> Lookup:
        """The certificates the source holds for this person, or SourceUnavailable."""
