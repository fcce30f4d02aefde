"""Level helpers, each test quoting the clause of GB 30871-2022 it encodes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from safework.permits.choices import Level
from safework.permits.rules import levels
from safework.permits.rules.levels import HotWorkPlace

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


TUESDAY_9 = at(2026, 3, 10, 9)


def test_hot_work_special_on_running_unit_in_fire_zone():
    """5.1.1: "在生产运行状态下的易燃易爆生产装置、输送管道、储罐、容器等部位上...进行的
    动火作业" is 特级."""
    place = HotWorkPlace(fire_explosion_zone=True, running_unit=True)
    assert levels.hot_work_base_level(place) == Level.HOT_SPECIAL


def test_hot_work_special_inside_tank_farm_dike():
    """5.1.1: "存有易燃易爆介质的重大危险源罐区防火堤内的动火作业" is 特级."""
    assert levels.hot_work_base_level(HotWorkPlace(tank_farm_dike=True)) == Level.HOT_SPECIAL


@pytest.mark.parametrize("place", [HotWorkPlace(fire_explosion_zone=True),
                                   HotWorkPlace(pipe_rack=True)])  # fmt: skip
def test_hot_work_class_1_in_fire_zone_or_on_pipe_rack(place):
    """5.1.1: "在火灾爆炸危险场所进行的除特级动火作业以外的动火作业，管廊上的动火作业按一级
    动火作业管理"."""
    assert levels.hot_work_base_level(place) == Level.HOT_1


def test_hot_work_class_2_elsewhere_and_after_full_shutdown():
    """5.1.1: "除特级动火作业和一级动火作业以外的动火作业" are 二级; a unit fully shut down,
    cleaned, purged, tested and isolated "可...按二级动火作业管理"."""
    assert levels.hot_work_base_level(HotWorkPlace()) == Level.HOT_2
    shut = HotWorkPlace(fire_explosion_zone=True, running_unit=True, shut_down_and_isolated=True)
    assert levels.hot_work_base_level(shut) == Level.HOT_2


def test_hot_work_one_level_up_on_a_weekend():
    """5.1.1: "遇节假日、公休日...动火作业应升级管理": Saturday 2026-03-14."""
    level, reasons = levels.hot_work_level(HotWorkPlace(), start=at(2026, 3, 14, 9))
    assert (level, reasons) == (Level.HOT_1, ["rest_day"])


def test_hot_work_one_level_up_on_a_public_holiday_not_on_a_make_up_day():
    """5.1.1 with the official calendar: National Day 2026-10-01 is a holiday; Saturday
    2026-02-14 is a make-up working day (调休上班) and is not raised."""
    assert levels.hot_work_level(HotWorkPlace(), start=at(2026, 10, 1, 9))[0] == Level.HOT_1
    assert levels.hot_work_level(HotWorkPlace(), start=at(2026, 2, 14, 9))[0] == Level.HOT_2


def test_hot_work_one_level_up_at_night():
    """5.1.1: "遇...夜间...动火作业应升级管理" (night: 20:00-06:00 unless configured)."""
    level, reasons = levels.hot_work_level(HotWorkPlace(pipe_rack=True), start=at(2026, 3, 10, 21))
    assert (level, reasons) == (Level.HOT_SPECIAL, ["night"])
    ends_late = levels.hot_work_level(HotWorkPlace(), start=TUESDAY_9, end=at(2026, 3, 10, 22))
    assert ends_late[0] == Level.HOT_1


def test_night_window_is_configurable(settings):
    settings.PERMITS_NIGHT = ("18:00", "07:00")
    assert levels.hot_work_level(HotWorkPlace(), start=at(2026, 3, 10, 18, 30))[0] == Level.HOT_1


def test_hot_work_one_level_up_with_wind_force_5():
    """5.2.15: "五级风以上（含五级）天气...因生产确需动火，动火作业应升级管理"."""
    assert levels.hot_work_level(HotWorkPlace(), start=TUESDAY_9, wind_force=5)[0] == Level.HOT_1
    assert levels.hot_work_level(HotWorkPlace(), start=TUESDAY_9, wind_force=4)[0] == Level.HOT_2


def test_special_hot_work_stays_special_when_raised():
    place = HotWorkPlace(tank_farm_dike=True)
    assert levels.hot_work_level(place, start=at(2026, 3, 14, 22))[0] == Level.HOT_SPECIAL


@pytest.mark.parametrize(("height", "level"), [
    (2, Level.HEIGHT_I), (5, Level.HEIGHT_I), (5.01, Level.HEIGHT_II), (15, Level.HEIGHT_II),
    (15.5, Level.HEIGHT_III), (30, Level.HEIGHT_III), (30.1, Level.HEIGHT_IV),
])  # fmt: skip
def test_height_levels(height, level):
    """8.1.1: "2m≤h≤5m 一级；5m<h≤15m 二级；15m<h≤30m 三级；h>30m 四级"."""
    assert levels.height_level(height) == level


@pytest.mark.parametrize(("height", "level"), [
    (3, Level.HEIGHT_II), (10, Level.HEIGHT_III), (20, Level.HEIGHT_IV), (40, Level.HEIGHT_IV),
])  # fmt: skip
@pytest.mark.parametrize("hazard", sorted(levels.HEIGHT_HAZARDS))
def test_height_raised_by_each_objective_hazard(height, level, hazard):
    """8.1.2: with any of the objective hazards "一级→二级，二级→三级，三级→四级，四级仍为
    四级"."""
    assert levels.height_level(height, {hazard}) == level


def test_height_below_2m_is_not_work_at_height():
    """3.x: 高处作业 is "在距坠落基准面2m及2m以上有可能坠落的高处进行的作业"."""
    with pytest.raises(levels.NotWorkAtHeight):
        levels.height_level(1.9)


@pytest.mark.parametrize(("mass", "level", "plan"), [
    (100.5, Level.LIFT_1, True), (100, Level.LIFT_2, True), (40, Level.LIFT_2, True),
    (39.9, Level.LIFT_3, False), (5, Level.LIFT_3, False),
])  # fmt: skip
def test_lifting_levels_and_plan(mass, level, plan):
    """9.1: "m>100t 一级；40t≤m≤100t 二级；m<40t 三级"; 一级、二级 need a lifting plan."""
    assert levels.lifting_level(mass) == level
    assert levels.lifting_plan_required(level) is plan


def test_lifting_below_10t_may_skip_the_permit():
    assert levels.lifting_permit_required(9.9) is False
    assert levels.lifting_permit_required(10) is True
