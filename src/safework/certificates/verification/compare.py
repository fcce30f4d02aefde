"""Comparing a certificate with what the source holds for its holder."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ledger.items import ItemMatcher, ItemMatchError
from ..models import Certificate, CertificateVerification
from ..numbers import full_number, number_hash
from ..templatetags.certificate_tags import cert_number
from .base import Lookup, SourceRecord

Result = CertificateVerification.Result
# Our field -> the source record's field.
COMPARED = {
    "name": "name",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "next_review_due": "review_due",
    "first_issued_on": "first_issued_on",
}


@dataclass(frozen=True)
class Comparison:
    result: str
    differences: dict = field(default_factory=dict)


def _ours(cert: Certificate, name: str):
    return cert.person.name if name == "name" else getattr(cert, name)


def _same_item(record: SourceRecord, cert: Certificate, matcher: ItemMatcher) -> bool:
    try:
        return matcher.match(record.item, record.category) == cert.type
    except ItemMatchError:
        return False


def find_record(cert: Certificate, lookup: Lookup, matcher: ItemMatcher) -> SourceRecord | None:
    """The source's record of this certificate: the same number, else the same item."""
    ours = number_hash(full_number(cert))
    for record in lookup.records:
        if record.number and number_hash(record.number.strip().upper()) == ours:
            return record
    same_item = [r for r in lookup.records if _same_item(r, cert, matcher)]
    return same_item[0] if len(same_item) == 1 else None


def compare(cert: Certificate, lookup: Lookup, matcher: ItemMatcher) -> Comparison:
    record = find_record(cert, lookup, matcher)
    if record is None:
        return Comparison(Result.NOT_FOUND)
    differences = {}
    for ours, theirs in COMPARED.items():
        source_value = getattr(record, theirs)
        if source_value in (None, ""):
            continue  # the source does not say
        if _ours(cert, ours) != source_value:
            differences[ours] = {"ours": _ours(cert, ours), "source": source_value}
    if record.number and number_hash(record.number.strip().upper()) != number_hash(
        full_number(cert)
    ):
        differences["number"] = {"ours": cert.number, "source": cert_number(record.number)}
    if record.item and not _same_item(record, cert, matcher):
        differences["type"] = {"ours": cert.type.name, "source": record.item}
    return Comparison(Result.MISMATCH if differences else Result.MATCH, differences)
