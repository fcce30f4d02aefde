"""The admission rules as pure functions (issue 7, Admission checklist): what a checklist
item shows on a day, and when a worker's standing stops admitting them — "an expired
insurance or document makes the worker not admitted, exactly like an expired
certificate"."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from safework.contractors.admission import (
    Standing,
    add_months,
    compute_standing,
    documents_by_key,
    item_check,
    reasons_on,
)
from safework.contractors.choices import AdmissionState, DocumentKind, ItemStatus

ON = date(2026, 3, 10)
_pk = iter(range(1, 1000))


def item(kind=DocumentKind.INSURANCE, expires=True, name=""):
    return SimpleNamespace(kind=kind, expires=expires, name=name, key=(kind, name))


def doc(state="accepted", until=None, hours=0, kind=DocumentKind.INSURANCE, reason=""):
    return SimpleNamespace(
        pk=next(_pk), kind=kind, name="", state=state, valid_until=until, rejection_reason=reason,
        uploaded_at=datetime(2026, 1, 1) + timedelta(hours=hours),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("docs", "status"),
    [
        ([], ItemStatus.MISSING),
        ([doc("pending", ON + timedelta(days=90))], ItemStatus.PENDING),
        ([doc("rejected", ON + timedelta(days=90), reason="模糊")], ItemStatus.REJECTED),
        ([doc(until=ON - timedelta(days=1))], ItemStatus.EXPIRED),
        ([doc(until=ON)], ItemStatus.EXPIRING),  # the last valid day still counts
        ([doc(until=ON + timedelta(days=30))], ItemStatus.EXPIRING),
        ([doc(until=ON + timedelta(days=31))], ItemStatus.OK),
        ([doc(until=None)], ItemStatus.EXPIRED),  # an expiring item needs its date
    ],
)
def test_item_status(docs, status):
    assert item_check(item(), docs, ON, warn_days=30).status == status


def test_a_newer_upload_awaiting_review_does_not_displace_the_accepted_one():
    """Renewing the insurance early never leaves the worker without a valid document."""
    accepted = doc(until=ON + timedelta(days=10), hours=1)
    renewal = doc("pending", ON + timedelta(days=400), hours=2)
    check = item_check(item(), [renewal, accepted], ON, warn_days=30)
    assert (check.status, check.document, check.latest) == (ItemStatus.EXPIRING, accepted, renewal)


def test_a_rejected_renewal_of_a_lapsed_document_shows_its_reason():
    old = doc(until=ON - timedelta(days=3), hours=1)
    renewal = doc("rejected", ON + timedelta(days=400), hours=2, reason="不是本人保单")
    check = item_check(item(), [renewal, old], ON, warn_days=30)
    assert (check.status, check.rejection_reason) == (ItemStatus.REJECTED, "不是本人保单")


def test_documents_are_grouped_newest_first():
    a, b = doc(hours=1), doc(hours=5)
    assert documents_by_key([a, b]) == {(DocumentKind.INSURANCE, ""): [b, a]}


def _standing(admission_states, docs, passes=None):
    items = [item(), item(DocumentKind.ID_CARD, expires=False)]
    admissions = [SimpleNamespace(state=s) for s in admission_states]
    return compute_standing(
        admissions=admissions, items=items, docs=documents_by_key(docs), passes=passes or {}
    )


def test_admitted_until_the_earliest_valid_until_of_the_required_documents():
    docs = [doc(until=ON + timedelta(days=5)), doc(kind=DocumentKind.ID_CARD)]
    standing = _standing([AdmissionState.ADMITTED], docs)
    assert standing == Standing(True, ON + timedelta(days=5), False, None)
    assert reasons_on(standing, ON + timedelta(days=5)) == []
    # Midnight: the day after the insurance's last day the worker is not admitted.
    assert reasons_on(standing, ON + timedelta(days=6)) == ["not_admitted"]


@pytest.mark.parametrize(
    "states",
    [[], [AdmissionState.PENDING], [AdmissionState.ADMITTED, AdmissionState.REJECTED]],
)
def test_not_admitted_until_every_open_admission_is_approved(states):
    docs = [doc(until=ON + timedelta(days=90)), doc(kind=DocumentKind.ID_CARD)]
    assert reasons_on(_standing(states, docs), ON) == ["not_admitted"]


def test_a_missing_or_unreviewed_document_keeps_the_worker_out():
    docs = [doc(until=ON + timedelta(days=90)), doc("pending", kind=DocumentKind.ID_CARD)]
    assert reasons_on(_standing([AdmissionState.ADMITTED], docs), ON) == ["not_admitted"]


def test_briefing_required_until_passed_and_until_the_pass_lapses():
    docs = [doc(until=ON + timedelta(days=90)), doc(kind=DocumentKind.ID_CARD)]
    never = _standing([AdmissionState.ADMITTED], docs, passes={1: None})
    assert reasons_on(never, ON) == ["briefing_not_passed"]
    passed = _standing([AdmissionState.ADMITTED], docs, passes={1: ON, 2: ON + timedelta(days=9)})
    assert reasons_on(passed, ON) == []
    assert reasons_on(passed, ON + timedelta(days=1)) == ["briefing_not_passed"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 10), 12, date(2027, 3, 10)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_retraining_interval_in_months(day, months, expected):
    assert add_months(day, months) == expected
