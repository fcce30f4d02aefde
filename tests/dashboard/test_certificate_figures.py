"""The certificate figures as the dashboard computes them (index ranges: the expiring ones
split in two, the 换证中 ones counted per day marked and binned in Python) against the
status function, certificate by certificate, on dates around every boundary: today, the
7/15/30-day windows, the warning horizon (also shorter and longer than the windows), the
review windows of both catalogues and the age bands."""

from collections import Counter
from datetime import timedelta

import pytest

from safework.certificates.choices import ManualState, Status
from safework.certificates.models import Certificate, CertificateType
from safework.certificates.numbers import number_hash
from safework.certificates.status import qualifying_q, status_of
from safework.dashboard import selectors as sel
from safework.dashboard.filters import DashboardFilter
from tests.factories import PersonFactory

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db

UNTIL = (-400, -1, 0, 1, 6, 7, 8, 9, 10, 11, 14, 15, 16, 29, 30, 31, 44, 45, 46, 59, 60, 61, 400)
REVIEW = (None, -30, -1, 0, 1, 7, 8, 10, 11, 15, 16, 29, 30, 31, 45, 46, 59, 60, 61, 400)
MARKED = (None, 5, 0, -1, -30, -31, -60, -61, -90, -91, -400)  # days from today


@pytest.fixture
def register(db):
    """Every (valid_until, next_review_due) pair, unmarked, on two items with different
    review windows; 换证中 at every band edge; suspended, revoked and superseded ones."""
    mem, samr = (
        CertificateType.objects.get(code="MEM-2.1"),
        CertificateType.objects.get(code="SAMR-N1"),
    )
    assert mem.review_window_days != samr.review_window_days
    people = [PersonFactory(name=f"持证人{i}") for i in range(4)]
    rows, n = [], 0

    def add(until, review=None, state=ManualState.NONE, marked=None, superseded=False, t=mem):
        nonlocal n
        n += 1
        number = f"T-{n:05d}"
        rows.append(
            Certificate(
                person=people[n % len(people)], type=t, number=number,
                number_hash=number_hash(number), issued_by="测试局",
                first_issued_on=TODAY - timedelta(days=800),
                valid_from=TODAY - timedelta(days=800), valid_until=TODAY + timedelta(days=until),
                next_review_due=None if review is None else TODAY + timedelta(days=review),
                manual_state=state, superseded=superseded,
                manual_state_on=None if marked is None else TODAY + timedelta(days=marked),
            )
        )  # fmt: skip

    for ctype in (mem, samr):
        for until in UNTIL:
            for review in REVIEW:
                add(until, review, t=ctype)
    for marked in MARKED:
        add(100, state=ManualState.RENEWING, marked=marked)
    add(-5, state=ManualState.RENEWING, marked=-10)  # renewing wins over expired
    for state in (ManualState.SUSPENDED, ManualState.REVOKED):
        add(5, 3, state=state, marked=-3)
    for until in (-1, 5, 400):
        add(until, 5, superseded=True)
    Certificate.objects.bulk_create(rows)
    return rows


def _flt(actor):
    return DashboardFilter.of(actor, on=TODAY, now=NOW)


def _statuses():
    current = Certificate.objects.filter(superseded=False)
    return {c.pk: status_of(c, TODAY) for c in current}, current


@pytest.mark.parametrize("warning_days", [30, 10, 45])
def test_counts_by_status_and_expiry_windows_match_the_status_function(
    register, manager, settings, warning_days
):
    settings.EXPIRY_WARNING_DAYS = warning_days
    f = _flt(manager)
    statuses, current = _statuses()
    expected = Counter(statuses.values())
    assert sel.certificate_counts(f) == {
        s: expected.get(s, 0) for s in Status.values if s != Status.SUPERSEDED
    }
    assert expected[Status.EXPIRING] > 0 and expected[Status.VALID] > 0

    def within(c, days):
        end = TODAY + timedelta(days=days)
        dates = [c.valid_until, c.next_review_due]
        return any(d is not None and TODAY <= d <= end for d in dates)

    expiring = [c for c in current if statuses[c.pk] == Status.EXPIRING]
    windows = sel.expiring_counts(f)
    assert windows == {d: sum(within(c, d) for c in expiring) for d in sel.EXPIRY_WINDOWS}
    for days, n in windows.items():
        assert n == sel.expiring_within(f, days).count()
    # both index ranges hold some: validity within the horizon, and only the review
    by_validity, by_review = sel._expiring_parts(f)
    assert by_validity.count() > 0 and by_review.count() > 0


def test_review_due_matches_each_items_window(register, manager):
    f = _flt(manager)
    statuses, current = _statuses()
    expected = {
        c.pk
        for c in current.select_related("type")
        if statuses[c.pk] in (Status.VALID, Status.EXPIRING)
        and c.next_review_due is not None
        and TODAY <= c.next_review_due <= TODAY + timedelta(days=c.type.review_window_days)
    }
    assert {c.pk for c in sel.review_due(f)} == expected
    assert sel.review_due(f).count() == len(expected) > 0
    # every one of them qualifies
    assert not sel.review_due(f).exclude(qualifying_q(TODAY)).exists()


def test_renewing_bands_and_oldest_match_the_lists(register, manager):
    f = _flt(manager)
    ages = sel.renewing_ages(f)
    assert ages["bands"] == [sel.renewing(f, band).count() for band in range(4)]
    marked = [
        (TODAY - c.manual_state_on).days
        for c in Certificate.objects.filter(superseded=False, manual_state=ManualState.RENEWING)
        if c.manual_state_on
    ]
    assert ages["bands"] == [
        sum(0 <= a <= 30 for a in marked),
        sum(31 <= a <= 60 for a in marked),
        sum(61 <= a <= 90 for a in marked),
        sum(a >= 91 for a in marked),
    ]
    assert ages["oldest_days"] == max(marked) == 400


def test_renewing_without_any(manager):
    assert sel.renewing_ages(_flt(manager)) == {"bands": [0, 0, 0, 0], "oldest_days": None}
