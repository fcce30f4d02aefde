from datetime import date

import pytest
from pydantic import ValidationError

from safework.alerts.choices import LAPSE, Audience
from safework.alerts.rules import AlertRules, audiences_at, level_on, level_range

D = date(2026, 6, 1)
DAYS = [30, 15, 7]


@pytest.mark.parametrize(
    "left, level",
    [(31, None), (30, 30), (16, 30), (15, 15), (8, 15), (7, 7), (1, 7), (0, 7), (-1, LAPSE)],
)
def test_level_is_the_most_urgent_threshold_reached(left, level):
    from datetime import timedelta

    assert level_on(due=D + timedelta(days=left), on=D, days=DAYS) == level


def test_level_range_is_the_sql_form_of_level_on():
    assert [level_range(t, DAYS) for t in DAYS] == [(16, 30), (8, 15), (0, 7)]


def test_default_recipients_add_the_area_head_at_7_days_and_lapse():
    rules = AlertRules()
    assert Audience.AREA_HEAD not in audiences_at(rules, 15)
    assert Audience.AREA_HEAD in audiences_at(rules, 7)
    assert set(audiences_at(rules, LAPSE)) == set(Audience)


def test_thresholds_are_sorted_and_bounded():
    assert AlertRules(expiry_days=[7, 30, 15, 15]).expiry_days == [30, 15, 7]
    with pytest.raises(ValidationError):
        AlertRules(expiry_days=[400])
