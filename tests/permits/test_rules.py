"""Validity and gas rules of GB 30871-2022, quoted next to each test."""

from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from safework.permits.choices import Kind, Level
from safework.permits.rules import gas, geo, validity

T0 = datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(("kind", "level", "hours"), [
    (Kind.HOT_WORK, Level.HOT_SPECIAL, 8), (Kind.HOT_WORK, Level.HOT_1, 8),
    (Kind.HOT_WORK, Level.HOT_2, 72), (Kind.CONFINED_SPACE, "", 24),
    (Kind.HEIGHT, Level.HEIGHT_IV, 7 * 24), (Kind.TEMP_POWER, "", 15 * 24),
])  # fmt: skip
def test_validity_limits(kind, level, hours):
    """5.1.5 "特级、一级...不应超过8h；二级...不应超过72h"; 6.10 "受限空间...不应超过24h";
    8.2.11 ≤ 7 days; 10.8 "临时用电作业时间一般不超过15d"."""
    assert validity.max_validity(kind, level) == timedelta(hours=hours)
    ok = validity.validity_errors(kind=kind, level=level, start=T0, end=T0 + timedelta(hours=hours))
    too_long = validity.validity_errors(
        kind=kind, level=level, start=T0, end=T0 + timedelta(hours=hours, minutes=1)
    )
    assert (ok, too_long) == ([], ["too_long"])


def test_temporary_power_special_30_days_and_same_period_as_served_permit():
    """10.8: "特殊情况不应超过30d；用于动火、受限空间作业的临时用电时间应和相应作业时间
    一致"."""
    assert validity.max_validity(Kind.TEMP_POWER, special=True) == timedelta(days=30)
    errors = validity.validity_errors(kind=Kind.TEMP_POWER, level="", start=T0,
                                      end=T0 + timedelta(hours=9), served_end=T0 + timedelta(hours=8))  # fmt: skip
    assert errors == ["past_served_permit"]


def test_silent_kinds_are_configurable(settings):
    settings.PERMITS_VALIDITY = {Kind.LIFTING: 12}
    assert validity.max_validity(Kind.LIFTING, Level.LIFT_3) == timedelta(hours=12)
    assert validity.max_validity(Kind.ROAD_CLOSURE) == timedelta(hours=72)


def test_no_extension_past_validity():
    """4.16: past validity the work stops; a new permit is needed."""
    assert validity.is_past_validity(T0, T0) and not validity.is_past_validity(
        T0, T0 - timedelta(1)
    )


@pytest.mark.parametrize(("lel", "result", "passes"), [
    (5, "0.5", True), (5, "0.51", False), (4, "0.5", True), (3.9, "0.2", True), (3.9, "0.21", False),
])  # fmt: skip
def test_flammable_limits(lel, result, passes):
    """5.3.2: LEL ≥ 4 % → "不大于0.5%（体积分数）"; LEL < 4 % → "不大于0.2%（体积分数）"."""
    reading = gas.Reading(lel_percent=D(str(lel)), result_percent=D(result))
    assert (gas.evaluate(Kind.HOT_WORK, reading) == []) is passes


@pytest.mark.parametrize(("o2", "enriched", "codes"), [
    ("19.5", False, []), ("21", False, []), ("19.4", False, ["oxygen_too_low"]),
    ("21.5", False, ["oxygen_too_high"]), ("23.5", True, []), ("23.6", True, ["oxygen_too_high"]),
])  # fmt: skip
def test_confined_space_oxygen(o2, enriched, codes):
    """6.4: "氧气含量为19.5%～21%（体积分数），在富氧环境下不应大于23.5%（体积分数）"."""
    reading = gas.Reading(oxygen_percent=D(o2), oxygen_enriched=enriched)
    assert gas.evaluate(Kind.CONFINED_SPACE, reading) == codes


def test_toxic_gas_against_its_limit_and_nothing_measured_fails():
    """6.4: "有毒物质允许浓度应符合 GBZ 2.1 的规定"."""
    bad = gas.Reading(oxygen_percent=D("20.9"), toxic_ppm=D("15"), toxic_limit_ppm=D("10"))
    assert gas.evaluate(Kind.CONFINED_SPACE, bad) == ["toxic_too_high"]
    assert gas.evaluate(Kind.HOT_WORK, gas.Reading()) == ["nothing_measured"]


def test_sample_at_most_30_minutes_before_start():
    """5.3.1: "动火分析与动火作业间隔一般不超过30min"."""
    assert gas.sample_fresh(T0, T0 + timedelta(minutes=30))
    assert not gas.sample_fresh(T0, T0 + timedelta(minutes=31))


@pytest.mark.parametrize(("kind", "level", "minutes", "needed"), [
    (Kind.HOT_WORK, Level.HOT_SPECIAL, 31, True), (Kind.HOT_WORK, Level.HOT_1, 30, False),
    (Kind.HOT_WORK, Level.HOT_2, 60, False), (Kind.HOT_WORK, Level.HOT_2, 61, True),
    (Kind.CONFINED_SPACE, "", 61, True), (Kind.CONFINED_SPACE, "", 45, False),
])  # fmt: skip
def test_resample_after_interruption(kind, level, minutes, needed):
    """5.3.1: "特级、一级动火作业中断时间超过30min，二级动火作业中断时间超过60min，应重新
    进行气体分析"; 6.5: confined space after more than 60 min."""
    assert gas.resample_needed(kind, level, timedelta(minutes=minutes)) is needed


def test_confined_space_reading_every_two_hours():
    assert gas.confined_reading_due(T0) == T0 + timedelta(hours=2)


def test_geofence_distance():
    d = geo.distance_m(31.230416, 121.473701, 31.231416, 121.473701)  # 0.001° north
    assert 110 < d < 112
