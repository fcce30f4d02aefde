"""The admission rules as small pure functions over loaded rows (STYLE.md 1).

A checklist item on day D (issue 7, Admission checklist) is decided by the newest
*accepted* document answering it; a newer upload waits for review without taking its
place, so renewing an insurance early never leaves a gap. Without a valid accepted one
the item is pending, rejected, expired or missing, after the newest upload.

A worker's standing (what qualification reads) is: admitted when every open site
admission is approved and every required document is there and accepted; that holds
until the earliest valid-until among them ("an expired insurance or document makes the
worker not admitted, exactly like an expired certificate"); and the briefing counts
until the earliest lapse of the passes of the courses they must take."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from safework.certificates.qualification import Qualification

from .choices import SATISFIED, AdmissionState, DocumentKind, DocumentState, ItemStatus

NOT_ADMITTED = "not_admitted"
BRIEFING_NOT_PASSED = "briefing_not_passed"
# Qualification reasons about the certificate itself (what the operation-certificate item
# of a checklist shows).
CERTIFICATE_REASONS = {
    "no_certificate": ItemStatus.MISSING,
    "certificate_expired": ItemStatus.EXPIRED,
    "review_overdue": ItemStatus.EXPIRED,
    "certificate_renewing": ItemStatus.PENDING,
    "certificate_suspended": ItemStatus.REJECTED,
    "certificate_revoked": ItemStatus.REJECTED,
}


@dataclass(frozen=True)
class ItemCheck:
    item: object  # ChecklistItem
    status: str
    document: object | None = None  # the document that counts (or the newest upload)
    latest: object | None = None  # the newest upload, when it is not the one that counts
    valid_until: date | None = None

    @property
    def satisfied(self) -> bool:
        return self.status in SATISFIED

    @property
    def rejection_reason(self) -> str:
        doc = self.latest or self.document
        return doc.rejection_reason if doc is not None and doc.state == "rejected" else ""


def _lapsed(item, doc, on: date) -> bool:
    if not item.expires:
        return False
    return doc.valid_until is None or doc.valid_until < on


def item_check(item, docs: list, on: date, *, warn_days: int) -> ItemCheck:
    """``docs``: the worker's documents answering ``item``, newest first."""
    latest = docs[0] if docs else None
    counted = next((d for d in docs if d.state == DocumentState.ACCEPTED), None)
    if counted is not None and not _lapsed(item, counted, on):
        until = counted.valid_until if item.expires else None
        soon = until is not None and (until - on).days <= warn_days
        status = ItemStatus.EXPIRING if soon else ItemStatus.OK
        newer = latest if latest is not counted else None
        return ItemCheck(item, status, counted, newer, until)
    if latest is None:
        return ItemCheck(item, ItemStatus.MISSING)
    status = {
        DocumentState.PENDING: ItemStatus.PENDING,
        DocumentState.REJECTED: ItemStatus.REJECTED,
    }.get(latest.state, ItemStatus.EXPIRED)
    return ItemCheck(item, status, latest, None, latest.valid_until)


def certificate_check(item, qualifications: list[Qualification], on: date) -> ItemCheck:
    """The operation-certificate item is the register's certificates (one rule, one
    place): complete when every special operation of the person is covered."""
    if not qualifications:
        return ItemCheck(item, ItemStatus.MISSING)
    worst = ItemStatus.OK
    order = list(ItemStatus.values)
    for q in qualifications:
        status = next(
            (CERTIFICATE_REASONS[r] for r in q.reasons if r in CERTIFICATE_REASONS), None
        ) or (ItemStatus.EXPIRING if q.status == "expiring" else ItemStatus.OK)
        worst = max(worst, status, key=order.index)
    until = min((q.valid_until for q in qualifications if q.valid_until), default=None)
    return ItemCheck(item, worst, None, None, until)


def documents_by_key(documents: Iterable) -> dict[tuple[str, str], list]:
    """Documents grouped by what they answer, newest first."""
    grouped: dict[tuple[str, str], list] = {}
    ordered = sorted(documents, key=lambda d: (d.uploaded_at, d.pk), reverse=True)
    for doc in ordered:
        name = doc.name if doc.kind == DocumentKind.CUSTOM else ""
        grouped.setdefault((doc.kind, name), []).append(doc)
    return grouped


# --- the standing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    admitted: bool = False
    documents_until: date | None = None
    briefing_required: bool = False
    briefing_until: date | None = None


def documents_standing(items: Iterable, docs: dict) -> tuple[bool, date | None]:
    """(every required document accepted, the earliest valid-until among them); the
    operation certificate is left to qualification."""
    complete, until = True, []
    for item in items:
        if item.kind == DocumentKind.OPERATION_CERTIFICATE:
            continue
        counted = next(
            (d for d in docs.get(item.key, []) if d.state == DocumentState.ACCEPTED), None
        )
        if counted is None or (item.expires and counted.valid_until is None):
            complete = False
        elif item.expires:
            until.append(counted.valid_until)
    return complete, min(until, default=None)


def compute_standing(
    *, admissions: list, items: Iterable, docs: dict, passes: dict[int, date | None]
) -> Standing:
    """``admissions``: the open ones; ``items``: the required items of their sites;
    ``passes``: per required course, the last day its latest pass counts (None: none)."""
    approved = bool(admissions) and all(a.state == AdmissionState.ADMITTED for a in admissions)
    complete, until = documents_standing(items, docs)
    lapses = list(passes.values())
    briefing_until = None if None in lapses else min(lapses, default=None)
    return Standing(approved and complete, until, bool(passes), briefing_until)


def reasons_on(standing: Standing, on: date) -> list[str]:
    reasons = []
    if not standing.admitted or (
        standing.documents_until is not None and on > standing.documents_until
    ):
        reasons.append(NOT_ADMITTED)
    if standing.briefing_required and (
        standing.briefing_until is None or on > standing.briefing_until
    ):
        reasons.append(BRIEFING_NOT_PASSED)
    return reasons


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of a shorter month): 复训 interval."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
