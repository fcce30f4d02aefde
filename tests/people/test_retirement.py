"""Statutory retirement age, 全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024):
from 2025-01-01 men 60 -> 63 and women cadres 55 -> 58, +1 month every 4 months; women
workers 50 -> 55, +1 month every 2 months. The cases below are rows of the decision's
annex tables (出生时间 -> 改革后法定退休年龄)."""

from datetime import date

import pytest

from safework.people.retirement import at_or_past_retirement, retirement_date


def years_months(birth: date, retire: date) -> tuple[int, int]:
    months = (retire.year - birth.year) * 12 + retire.month - birth.month
    return divmod(months, 12)


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(1964, 12, 15), (60, 0)),  # reaches 60 in 2024-12: before the reform
        (date(1965, 1, 15), (60, 1)),  # 附件1: 1965年1月-4月 -> 60岁1个月
        (date(1965, 4, 15), (60, 1)),
        (date(1965, 5, 15), (60, 2)),  # 1965年5月-8月 -> 60岁2个月
        (date(1970, 1, 15), (61, 4)),
        (date(1976, 8, 15), (62, 11)),
        (date(1976, 9, 15), (63, 0)),  # 1976年9月-12月 -> 63岁 (the cap)
        (date(1990, 1, 15), (63, 0)),
    ],
)
def test_men(birth, age):
    """Men: 60, +1 month every 4 months from 2025-01, up to 63."""
    assert years_months(birth, retirement_date(birth, "M")) == age


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(1974, 12, 15), (50, 0)),
        (date(1975, 1, 15), (50, 1)),  # 附件3: 1975年1月-2月 -> 50岁1个月
        (date(1975, 3, 15), (50, 2)),  # 1975年3月-4月 -> 50岁2个月
        (date(1980, 1, 15), (52, 7)),
        (date(1984, 10, 15), (54, 11)),
        (date(1984, 11, 15), (55, 0)),  # 1984年11月-12月 -> 55岁 (the cap)
        (date(1995, 6, 15), (55, 0)),
    ],
)
def test_women_workers(birth, age):
    """Women workers (原法定退休年龄50周岁): +1 month every 2 months, up to 55."""
    assert years_months(birth, retirement_date(birth, "F")) == age


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(1969, 12, 15), (55, 0)),
        (date(1970, 1, 15), (55, 1)),  # 附件2: 1970年1月-4月 -> 55岁1个月
        (date(1981, 8, 15), (57, 11)),
        (date(1981, 9, 15), (58, 0)),  # 1981年9月-12月 -> 58岁 (the cap)
    ],
)
def test_women_cadres(birth, age):
    """Women cadres (原法定退休年龄55周岁): +1 month every 4 months, up to 58."""
    assert years_months(birth, retirement_date(birth, "F", cadre=True)) == age


def test_retirement_month_and_day():
    """The decision gives the retirement month: born 1965-01 -> 2025-02; the day of
    birth is kept, and clamped at the end of a shorter month."""
    assert retirement_date(date(1965, 1, 10), "M") == date(2025, 2, 10)
    assert retirement_date(date(1965, 1, 31), "M") == date(2025, 2, 28)


def test_warning_from_the_retirement_day_on():
    """RULES.md 1: at or past the statutory retirement age show a warning."""
    birth = date(1964, 12, 15)
    assert not at_or_past_retirement(birth, "M", date(2024, 12, 14))
    assert at_or_past_retirement(birth, "M", date(2024, 12, 15))
    assert not at_or_past_retirement(date(1975, 1, 15), "F", date(2025, 1, 15))
    assert at_or_past_retirement(date(1975, 1, 15), "F", date(2025, 2, 15))
    assert not at_or_past_retirement(date(1975, 1, 15), "F", date(2025, 2, 15), cadre=True)
