"""Certificate status (DESIGN.md "Status"): one pure function and one SQL form that must
agree, because the gate asks the function and the dashboard and lists ask the database.

    revoked / suspended / renewing if so marked; else expired if D > valid_until;
    else review_overdue if next_review_due < D; else expiring if valid_until or
    next_review_due is within the largest warning threshold (default 30 days); else valid.
"""

from datetime import date, timedelta
from itertools import count

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from safework.certificates.choices import QUALIFYING_STATUSES, ManualState, Status
from safework.certificates.models import Certificate, CertificateType
from safework.certificates.status import (
    certificate_status,
    qualifying_q,
    status_annotation,
    status_q,
)
from safework.people.models import Person
from tests.factories import PersonFactory

D = date(2025, 6, 10)


def status(valid_until, next_review_due=None, on=D, manual_state=ManualState.NONE, **kw):
    return certificate_status(
        manual_state=manual_state,
        valid_until=valid_until,
        next_review_due=next_review_due,
        on=on,
        **kw,
    )


# --- the pure function, boundary by boundary ---------------------------------------------


def test_valid_until_itself_is_still_in_force():
    """DESIGN.md: expired only if D > valid_until: the last day of validity still counts."""
    assert status(D) == Status.EXPIRING
    assert status(D - timedelta(days=1)) == Status.EXPIRED


def test_review_due_day_itself_is_not_overdue():
    """DESIGN.md: review_overdue if next_review_due < D; 第二十六条 未按期复审的，证书失效
    applies from the day after the due date."""
    far = D + timedelta(days=1000)
    assert status(far, next_review_due=D) == Status.EXPIRING
    assert status(far, next_review_due=D - timedelta(days=1)) == Status.REVIEW_OVERDUE


def test_expiry_wins_over_review_overdue():
    """Order of the rule: expired is decided before review_overdue."""
    past = D - timedelta(days=5)
    assert status(past, next_review_due=past) == Status.EXPIRED


def test_warning_horizon_is_thirty_days_inclusive():
    """DESIGN.md: expiring if valid_until or next_review_due is within 30 days (default)."""
    far = D + timedelta(days=1000)
    assert status(D + timedelta(days=30)) == Status.EXPIRING
    assert status(D + timedelta(days=31)) == Status.VALID
    assert status(far, next_review_due=D + timedelta(days=30)) == Status.EXPIRING
    assert status(far, next_review_due=D + timedelta(days=31)) == Status.VALID


def test_warning_horizon_follows_the_setting(settings):
    """SAFEWORK_EXPIRY_WARNING_DAYS: the largest warning threshold is configurable."""
    settings.EXPIRY_WARNING_DAYS = 60
    assert status(D + timedelta(days=45)) == Status.EXPIRING


def test_leap_day_boundaries():
    """A certificate valid until 29 February 2024 is in force that day, expired on
    1 March; 30 days before 29 February 2028 is 30 January."""
    assert status(date(2024, 2, 29), on=date(2024, 2, 29)) == Status.EXPIRING
    assert status(date(2024, 2, 29), on=date(2024, 3, 1)) == Status.EXPIRED
    assert status(date(2028, 2, 29), on=date(2028, 1, 30)) == Status.EXPIRING
    assert status(date(2028, 2, 29), on=date(2028, 1, 29)) == Status.VALID


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (ManualState.RENEWING, Status.RENEWING),
        (ManualState.SUSPENDED, Status.SUSPENDED),
        (ManualState.REVOKED, Status.REVOKED),
    ],
)
def test_manual_states_win_over_dates(state, expected):
    """DESIGN.md: revoked / suspended / renewing if so marked, whatever the dates say."""
    assert status(D + timedelta(days=1000), manual_state=state) == expected
    assert status(D - timedelta(days=1000), manual_state=state) == expected


def test_only_valid_and_expiring_qualify():
    """DESIGN.md: only valid and expiring qualify a person to work."""
    assert {Status.VALID, Status.EXPIRING} == QUALIFYING_STATUSES


def test_superseded_certificate_is_history():
    """第二十四条: a renewed certificate is replaced by a new one; the old one no longer counts."""
    assert status(D + timedelta(days=1000), superseded=True) == Status.SUPERSEDED


# --- the property: SQL and Python agree -------------------------------------------------

# Days around which off-by-one and leap-year mistakes show: leap days, the days around
# them, the end of a year, and "on" values whose 30-day horizon lands on a leap day.
ANCHORS = [
    date(2024, 2, 28),
    date(2024, 2, 29),
    date(2024, 3, 1),
    date(2028, 2, 29),
    date(2028, 1, 30),
    date(2024, 1, 30),
    date(2023, 2, 28),
    date(2025, 12, 31),
]


def boundary_offsets(horizon: int) -> list[int]:
    """Days from "on" where the rule changes: yesterday/today/tomorrow (expired, review
    overdue) and the horizon's edges (expiring/valid), plus a year either way."""
    return sorted({-366, -365, -1, 0, 1, horizon - 1, horizon, horizon + 1, 365, 366})


def offsets(horizon: int):
    return st.one_of(st.sampled_from(boundary_offsets(horizon)), st.integers(-2500, 2500))


on_dates = st.one_of(st.sampled_from(ANCHORS), st.dates(date(2019, 1, 1), date(2033, 12, 31)))
# Most certificates carry no manual mark: that is where the date rules are exercised.
manual_states = st.sampled_from([ManualState.NONE] * 5 + list(ManualState.values))


@st.composite
def certificate_specs(draw, on: date, horizon: int) -> dict:
    until = on + timedelta(days=draw(offsets(horizon)))
    due = draw(st.one_of(st.none(), offsets(horizon).map(lambda d: on + timedelta(days=d))))
    if draw(st.integers(0, 4)) == 0:
        until = draw(st.sampled_from(ANCHORS))  # a leap day itself as an end date
    return {
        "valid_until": until,
        "valid_from": until - timedelta(days=6 * 365),
        "next_review_due": due,
        "manual_state": draw(manual_states),
        "superseded": draw(st.sampled_from([False, False, False, True])),
    }


@st.composite
def scenarios(draw):
    warning_days = draw(st.sampled_from([None, None, 0, 7, 60]))
    horizon = 30 if warning_days is None else warning_days
    on = draw(on_dates)
    specs = draw(st.lists(certificate_specs(on, horizon), min_size=1, max_size=25))
    owners = draw(st.lists(st.integers(0, 2), min_size=len(specs), max_size=len(specs)))
    return on, list(zip(owners, specs, strict=True)), warning_days


@pytest.fixture
def world(db):
    return {
        "people": [PersonFactory() for _ in range(3)],
        "type": CertificateType.objects.get(code="MEM-2.1"),
        "numbers": count(),
    }


def _insert(world, rows) -> list[Certificate]:
    numbers = [f"P-{next(world['numbers'])}" for _ in rows]
    return Certificate.objects.bulk_create(
        Certificate(
            person=world["people"][owner],
            type=world["type"],
            number=number,
            number_hash=number,  # any unique value: these tests are about dates
            issued_by="测试局",
            first_issued_on=spec["valid_from"],
            **spec,
        )
        for (owner, spec), number in zip(rows, numbers, strict=True)
    )


def _expected(certs, on, warning_days) -> dict[int, Status]:
    return {
        c.pk: certificate_status(
            manual_state=c.manual_state,
            valid_until=c.valid_until,
            next_review_due=c.next_review_due,
            superseded=c.superseded,
            on=on,
            warning_days=warning_days,
        )
        for c in certs
    }


def _ids(q) -> set[int]:
    return set(Certificate.objects.filter(q).values_list("pk", flat=True))


def _check_agreement(world, on, rows, warning_days) -> None:
    expected = _expected(_insert(world, rows), on, warning_days)
    annotated = dict(
        Certificate.objects.annotate(s=status_annotation(on, warning_days)).values_list("pk", "s")
    )
    assert annotated == {pk: str(s) for pk, s in expected.items()}
    for s in Status:
        assert _ids(status_q(s, on, warning_days=warning_days)) == {
            pk for pk, e in expected.items() if e == s
        }, s
    if warning_days is None:
        assert _ids(qualifying_q(on)) == {
            pk for pk, e in expected.items() if e in QUALIFYING_STATUSES
        }


@hsettings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios())
def test_sql_status_agrees_with_the_function(world, scenario):
    """DESIGN.md: one pure function + one SQL annotation, tested to agree, on random
    certificates (every manual state, superseded or not, review date or none) and dates,
    boundary days and leap days included. Each example is rolled back."""
    on, rows, warning_days = scenario
    with transaction.atomic():
        _check_agreement(world, on, rows, warning_days)
        transaction.set_rollback(True)


def test_sql_status_agrees_on_every_boundary_combination(world):
    """The same agreement on a full grid: every anchor day (leap days and their
    neighbours) x every boundary offset of valid_until and next_review_due (None too) x
    every manual state, superseded or not, so no boundary depends on luck."""
    for on in ANCHORS:
        grid = boundary_offsets(30)
        rows = [
            (
                0,
                {
                    "valid_until": on + timedelta(days=u),
                    "valid_from": on + timedelta(days=u - 2190),
                    "next_review_due": None if r is None else on + timedelta(days=r),
                    "manual_state": state,
                    "superseded": superseded,
                },
            )
            for u in grid
            for r in [None, *grid]
            for state in ManualState.values
            for superseded in (False, True)
        ]
        with transaction.atomic():
            _check_agreement(world, on, rows, None)
            transaction.set_rollback(True)


def _people_with(q) -> set[int]:
    return set(Person.objects.filter(q).values_list("pk", flat=True))


@hsettings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios())
def test_status_q_through_a_relation_selects_people_holding_such_a_certificate(world, scenario):
    """status_q(prefix="certificates__") reaches certificates from a person: it must
    select the people who hold at least one certificate with that status, the same as
    the function says, even when their other certificates differ."""
    on, rows, _ = scenario
    with transaction.atomic():
        certs = _insert(world, rows)
        expected = _expected(certs, on, None)
        for s in Status:
            holders = {c.person_id for c in certs if expected[c.pk] == s}
            assert _people_with(status_q(s, on, prefix="certificates__")) == holders, s
        transaction.set_rollback(True)
