"""Rest days for GB 30871-2022 5.1.1 ("遇节假日、公休日……动火作业应升级管理").

The State Council publishes each year's holidays and make-up working days (调休) late in
the year before; ``chinese-calendar`` carries them for the years it has data for. For a
year it does not cover yet, the statutory holidays of 《全国年节及纪念日放假办法》 (2024
revision: 元旦 1 January; 春节 除夕 to 正月初三; 清明; 劳动节 1-2 May; 端午; 中秋;
国庆 1-3 October) and the weekends are rest days: a make-up working Saturday then counts
as a rest day, which raises the level (the safe side), never lowers it. An enterprise enters
the published notice with SAFEWORK_REST_DAYS / SAFEWORK_WORK_DAYS until the package is
upgraded; those lists win over both."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import chinese_calendar
from django.conf import settings
from lunardate import LunarDate


def is_rest_day(day: date) -> bool:
    if day in settings.PERMITS_WORK_DAYS:
        return False
    if day in settings.PERMITS_REST_DAYS:
        return True
    try:
        return not chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no data for
        return day.weekday() >= 5 or day in statutory_holidays(day.year)


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    def lunar(month: int, day: int) -> date:
        return LunarDate(year, month, day).to_solar_date()

    spring = lunar(1, 1)
    qingming = [d for d, name in _terms(year) if name == "清明"]
    return frozenset(
        {
            date(year, 1, 1),
            *(spring + timedelta(days=n) for n in range(-1, 3)),  # 除夕 to 初三
            *qingming,
            date(year, 5, 1),
            date(year, 5, 2),
            lunar(5, 5),
            lunar(8, 15),
            date(year, 10, 1),
            date(year, 10, 2),
            date(year, 10, 3),
        }
    )


def _terms(year: int):
    return chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
