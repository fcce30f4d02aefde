"""Statutory retirement age (RULES.md 1): men 60, women workers 50 / cadres 55, rising
gradually from 2025-01-01 to 63 / 55 / 58 (全国人大常委会关于实施渐进式延迟法定退休年龄的决定,
2024): men and women cadres +1 month every 4 months, women workers +1 month every 2 months,
counted from births in 1965-01, 1970-01 and 1975-01 respectively."""

from __future__ import annotations

from datetime import date

# (original age, first affected birth year, months per 1-month step, max delay in months)
_RULES = {
    "M": (60, 1965, 4, 36),
    "F_cadre": (55, 1970, 4, 36),
    "F": (50, 1975, 2, 60),  # women workers: special-operations staff are usually workers
}


def retirement_date(birth: date, sex: str, *, cadre: bool = False) -> date:
    key = "F_cadre" if sex == "F" and cadre else sex
    base, first_year, step, cap = _RULES[key]
    months_since = (birth.year - first_year) * 12 + birth.month - 1
    delay = 0 if months_since < 0 else min(cap, months_since // step + 1)
    total = birth.year * 12 + birth.month - 1 + base * 12 + delay
    year, month0 = divmod(total, 12)
    day = min(birth.day, _days_in_month(year, month0 + 1))
    return date(year, month0 + 1, day)


def _days_in_month(year: int, month: int) -> int:
    from calendar import monthrange

    return monthrange(year, month)[1]


def at_or_past_retirement(birth: date, sex: str, on: date, *, cadre: bool = False) -> bool:
    return on >= retirement_date(birth, sex, cadre=cadre)
