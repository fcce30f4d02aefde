"""Rest days (GB 30871-2022 5.1.1 raises hot work on holidays and rest days): the
published calendar where chinese-calendar has it; for a year it has no data for yet, the
statutory holidays and weekends, and the enterprise's entries of the published notice."""

from datetime import date, datetime

import chinese_calendar
import pytest
from django.utils import timezone

from safework.permits.rules import holidays
from safework.permits.rules.levels import upgrade_reasons

UNCOVERED = 2027  # chinese-calendar 1.11 carries 2004-2026


def _covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def test_a_covered_year_follows_the_published_calendar():
    assert holidays.is_rest_day(date(2026, 2, 17))  # 春节
    for day in (date(2026, 1, 4), date(2026, 9, 20), date(2026, 10, 10)):
        assert holidays.is_rest_day(day) is not chinese_calendar.is_workday(day)


@pytest.mark.skipif(_covered(UNCOVERED), reason="the installed chinese-calendar covers 2027")
def test_a_year_without_data_has_its_statutory_holidays_and_weekends():
    rest = holidays.statutory_holidays(UNCOVERED)
    assert {date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 8)} <= rest
    assert {date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9)} <= rest
    assert {date(2027, 9, 15), date(2027, 10, 1), date(2027, 10, 3)} <= rest
    assert len(rest) == 13
    assert holidays.is_rest_day(date(2027, 1, 2))  # a Saturday
    assert holidays.is_rest_day(date(2027, 2, 8))  # 正月初三, a Monday
    assert not holidays.is_rest_day(date(2027, 1, 4))  # a Monday
    started = timezone.make_aware(datetime(2027, 2, 8, 10, 0))
    assert upgrade_reasons(start=started) == ["rest_day"]


def test_the_enterprises_entries_win(settings):
    settings.PERMITS_REST_DAYS = frozenset({date(2027, 1, 4)})
    settings.PERMITS_WORK_DAYS = frozenset({date(2027, 2, 20), date(2026, 2, 17)})
    assert holidays.is_rest_day(date(2027, 1, 4))
    assert not holidays.is_rest_day(date(2027, 2, 20))  # a make-up working Saturday
    assert not holidays.is_rest_day(date(2026, 2, 17))


def test_the_setting_reads_dates_and_ranges_and_names_a_wrong_one(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from safework.settings import _env_days

    monkeypatch.setenv("SAFEWORK_REST_DAYS", "2027-01-01, 2027-02-05..2027-02-07,")
    assert _env_days("SAFEWORK_REST_DAYS") == {
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7)
    }  # fmt: skip
    monkeypatch.setenv("SAFEWORK_REST_DAYS", "2027-01-01,2027.13.40")
    with pytest.raises(ImproperlyConfigured, match="SAFEWORK_REST_DAYS: '2027.13.40'"):
        _env_days("SAFEWORK_REST_DAYS")
    monkeypatch.setenv("SAFEWORK_REST_DAYS", "2027-02-07..2027-02-05")
    with pytest.raises(ImproperlyConfigured, match="range"):
        _env_days("SAFEWORK_REST_DAYS")
