"""Permit levels, GB 30871-2022. Pure functions: no database, no clock of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings

from ..choices import Level
from . import holidays

HOT_ORDER = (Level.HOT_2, Level.HOT_1, Level.HOT_SPECIAL)
HEIGHT_ORDER = (Level.HEIGHT_I, Level.HEIGHT_II, Level.HEIGHT_III, Level.HEIGHT_IV)


@dataclass(frozen=True)
class HotWorkPlace:
    """Where the hot work is done (GB 30871-2022 5.1.1)."""

    fire_explosion_zone: bool = False  # 火灾爆炸危险场所
    running_unit: bool = False  # 生产运行状态的生产装置 / 带可燃介质的管道、容器
    tank_farm_dike: bool = False  # 存有易燃易爆介质的重大危险源罐区防火堤内
    pipe_rack: bool = False  # 工艺管廊
    shut_down_and_isolated: bool = False  # 停车、倒空、置换、清洗、检测分析、隔离合格


def hot_work_base_level(place: HotWorkPlace) -> str:
    """GB 30871-2022 5.1.1: "在生产运行状态下的易燃易爆生产装置、输送管道、储罐、容器等部位
    上及其他特殊危险场所进行的动火作业" and "存有易燃易爆介质的重大危险源罐区防火堤内的动火
    作业" are 特级; "在火灾爆炸危险场所进行的除特级动火作业以外的动火作业，管廊上的动火作业"
    are 一级; the rest 二级. "遇生产装置或系统全部停车，装置经清洗、置换、分析合格并采取安全
    隔离措施后，可根据其火灾、爆炸危险性大小，经危险化学品企业生产负责人或安全管理负责人批准，
    动火作业可按二级动火作业管理" (approval of that is the chain's business)."""
    if place.shut_down_and_isolated:
        return Level.HOT_2
    if place.tank_farm_dike or (place.running_unit and place.fire_explosion_zone):
        return Level.HOT_SPECIAL
    if place.fire_explosion_zone or place.pipe_rack:
        return Level.HOT_1
    return Level.HOT_2


def is_rest_day(day) -> bool:
    """Chinese public holidays and weekends, minus make-up working days (调休上班)."""
    return holidays.is_rest_day(day)


def night_window() -> tuple[time, time]:
    """The standard does not define night; the enterprise sets it (default 20:00-06:00)."""
    start, end = getattr(settings, "PERMITS_NIGHT", ("20:00", "06:00"))
    return time.fromisoformat(start), time.fromisoformat(end)


def is_night(moment: datetime) -> bool:
    start, end = night_window()
    local = _local(moment).time()
    return local >= start or local < end


def _local(moment: datetime) -> datetime:
    from django.utils import timezone

    return timezone.localtime(moment)


def upgrade_reasons(*, start: datetime, end: datetime | None = None, wind_force: int = 0):
    """GB 30871-2022 5.1.1 note: "遇节假日、公休日、夜间或其他特殊情况，动火作业应升级管理";
    5.2.15: "五级风以上（含五级）天气，原则上禁止露天动火作业。因生产确需动火，动火作业应升级
    管理". Returns the reasons found (codes), empty when none applies."""
    reasons = []
    local_start = _local(start)
    local_end = _local(end) if end else local_start
    if is_rest_day(local_start.date()) or is_rest_day(local_end.date()):
        reasons.append("rest_day")
    # Start or end at night; a multi-day 二级 permit (72 h) spans nights by nature, and the
    # standard raises the work done at night, which the start and end times say.
    if is_night(local_start) or is_night(local_end):
        reasons.append("night")
    if wind_force >= 5:
        reasons.append("wind")
    return reasons


def raise_one(level: str, order: tuple) -> str:
    index = order.index(level)
    return order[min(index + 1, len(order) - 1)]


def hot_work_level(
    place: HotWorkPlace, *, start: datetime, end: datetime | None = None, wind_force: int = 0
) -> tuple[str, list[str]]:
    """The base level from the place, one level up when 5.1.1 / 5.2.15 says so (特级 stays
    特级: there is no higher level)."""
    base = hot_work_base_level(place)
    reasons = upgrade_reasons(start=start, end=end, wind_force=wind_force)
    return (raise_one(base, HOT_ORDER) if reasons else base), reasons


# GB 30871-2022 8.1.2 (from GB/T 3608): the objective hazards that raise a height level.
HEIGHT_HAZARDS = {
    "wind": "阵风风力五级（风速8.0m/s）以上",
    "cold": "平均气温等于或低于5℃的作业环境",
    "cold_water": "接触冷水温度等于或低于12℃的作业",
    "slippery": "作业场地有冰、雪、霜、油、水等易滑物",
    "dark": "作业场所光线不足或能见度差",
    "live_power": "作业活动范围与危险电压带电体距离小于规定",
    "unstable_footing": "摆动，立足处不是平面或只有很小的平面，致使作业者无立足点",
    "toxic_or_low_oxygen": "存在有毒气体或空气中含氧量低于19.5%（体积分数）的作业环境",
    "disaster": "可能会引起各种灾害事故的作业环境和抢救突然发生的各种灾害事故",
}


class NotWorkAtHeight(ValueError):
    pass


def height_level(height_m: float, hazards: frozenset | set | tuple = ()) -> str:
    """GB 30871-2022 8.1.1: "作业高度h在2m≤h≤5m时，称为一级高处作业；5m<h≤15m 二级；
    15m<h≤30m 三级；h>30m 四级"; 8.1.2: with any objective hazard "一级→二级，二级→三级，
    三级→四级，四级仍为四级"."""
    unknown = set(hazards) - set(HEIGHT_HAZARDS)
    if unknown:
        raise ValueError(f"unknown hazards: {sorted(unknown)}")
    if height_m < 2:
        raise NotWorkAtHeight(height_m)  # 3.x: 高处作业 is work at or above 2 m
    if height_m <= 5:
        base = Level.HEIGHT_I
    elif height_m <= 15:
        base = Level.HEIGHT_II
    elif height_m <= 30:
        base = Level.HEIGHT_III
    else:
        base = Level.HEIGHT_IV
    return raise_one(base, HEIGHT_ORDER) if hazards else base


PERMIT_FREE_LIFT_T = 10


def lifting_level(mass_t: float) -> str:
    """GB 30871-2022 9.1: "m>100t 一级；40t≤m≤100t 二级；m<40t 三级"."""
    if mass_t > 100:
        return Level.LIFT_1
    if mass_t >= 40:
        return Level.LIFT_2
    return Level.LIFT_3


def lifting_plan_required(level: str) -> bool:
    """GB 30871-2022 9.2.1: 一级、二级吊装作业 need a lifting plan (吊装作业方案) approved."""
    return level in (Level.LIFT_1, Level.LIFT_2)


def lifting_permit_required(mass_t: float) -> bool:
    """Below 10 t the standard allows no permit, only a risk analysis (RULES.md 3)."""
    return mass_t >= PERMIT_FREE_LIFT_T


def _flag(details: dict, name: str) -> bool:
    return bool(details.get(name))


def level_for(kind: str, details: dict, *, start: datetime, end: datetime) -> tuple[str, list]:
    """The level of a permit from its annex-A details; ``("", [])`` for kinds without."""
    from ..choices import Kind

    if kind == Kind.HOT_WORK:
        place = HotWorkPlace(**{f: _flag(details, f) for f in HotWorkPlace.__dataclass_fields__})
        wind = int(details.get("wind_force") or 0)
        return hot_work_level(place, start=start, end=end, wind_force=wind)
    if kind == Kind.HEIGHT:
        hazards = frozenset(details.get("hazards") or ())
        return height_level(float(details["height_m"]), hazards), sorted(hazards)
    if kind == Kind.LIFTING:
        return lifting_level(float(details["mass_t"])), []
    return Level.NONE, []
