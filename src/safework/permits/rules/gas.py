"""Gas analysis, GB 30871-2022: pass/fail of a reading (5.3.2, 5.2.7, 6.4) and the timing
rules (5.3.1, 6.3-6.5). Pure: values and times in, codes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ..choices import Kind, Level

SAMPLE_MAX_AGE = timedelta(minutes=30)
CONFINED_READING_INTERVAL = timedelta(hours=2)


@dataclass(frozen=True)
class Reading:
    lel_percent: Decimal | None = None  # the gas's lower explosive limit, % (v/v)
    result_percent: Decimal | None = None  # flammable gas concentration, % (v/v)
    oxygen_percent: Decimal | None = None
    toxic_ppm: Decimal | None = None
    toxic_limit_ppm: Decimal | None = None  # GBZ 2.1 limit for the toxic gas measured
    oxygen_enriched: bool = False  # 富氧环境 equipment


def flammable_limit(lel_percent: Decimal) -> Decimal:
    """5.3.2: "被测的可燃气体或可燃液体蒸气的爆炸下限大于或等于4%时，其被测浓度应不大于
    0.5%（体积分数）；当被测的可燃气体或可燃液体蒸气的爆炸下限小于4%时，其被测浓度应不大于
    0.2%（体积分数）"."""
    return Decimal("0.5") if Decimal(lel_percent) >= 4 else Decimal("0.2")


def _flammable(reading: Reading) -> list[str]:
    if reading.result_percent is None:
        return []
    if reading.lel_percent is None:
        return ["lel_missing"]
    if Decimal(reading.result_percent) > flammable_limit(reading.lel_percent):
        return ["flammable_too_high"]
    return []


def _oxygen(kind: str, reading: Reading) -> list[str]:
    o2 = reading.oxygen_percent
    if o2 is None:
        return ["oxygen_missing"] if kind == Kind.CONFINED_SPACE else []
    o2 = Decimal(o2)
    # 5.2.7 / 6.4: oxygen-enriched equipment, O₂ ≤ 23.5 %.
    if o2 > Decimal("23.5") or (o2 > 21 and not reading.oxygen_enriched and _confined(kind)):
        return ["oxygen_too_high"]
    # 6.4: "氧气含量为19.5%～21%（体积分数）".
    if _confined(kind) and o2 < Decimal("19.5"):
        return ["oxygen_too_low"]
    return []


def _confined(kind: str) -> bool:
    return kind == Kind.CONFINED_SPACE


def _toxic(reading: Reading) -> list[str]:
    # 6.4: "有毒物质允许浓度应符合 GBZ 2.1 的规定".
    if reading.toxic_ppm is None or reading.toxic_limit_ppm is None:
        return []
    return ["toxic_too_high"] if Decimal(reading.toxic_ppm) > reading.toxic_limit_ppm else []


def evaluate(kind: str, reading: Reading) -> list[str]:
    """Failure codes; an empty list is a pass. A reading that measures nothing fails."""
    measured = (reading.result_percent, reading.oxygen_percent, reading.toxic_ppm)
    if all(v is None for v in measured):
        return ["nothing_measured"]
    return _flammable(reading) + _oxygen(kind, reading) + _toxic(reading)


def sample_fresh(sampled_at: datetime, now: datetime) -> bool:
    """5.3.1 / 6.3: "动火分析与动火作业间隔一般不超过30min" and "分析时间不得早于作业开始
    前30min": the sample must be taken at most 30 min before the start (and not after now)."""
    return timedelta(0) <= now - sampled_at <= SAMPLE_MAX_AGE


def pause_limit(kind: str, level: str) -> timedelta:
    """5.3.1: "特级、一级动火作业中断时间超过30min，二级动火作业中断时间超过60min，应重新
    进行气体分析"; 6.5: confined space, re-test after more than 60 min of interruption."""
    if kind == Kind.HOT_WORK and level in (Level.HOT_SPECIAL, Level.HOT_1):
        return timedelta(minutes=30)
    return timedelta(minutes=60)


def resample_needed(kind: str, level: str, paused_for: timedelta) -> bool:
    return paused_for > pause_limit(kind, level)


def confined_reading_due(last_reading_at: datetime) -> datetime:
    """6.5 (RULES.md 3): continuous monitoring, recorded at least every 2 h."""
    return last_reading_at + CONFINED_READING_INTERVAL


def gas_test_required(kind: str, *, fire_explosion_zone: bool = False) -> bool:
    """Hot work (5.3), confined space (6.3-6.4); temporary power in a fire/explosion zone
    (10.1: "在火灾爆炸危险场所进行临时用电作业...进行可燃气体检测分析")."""
    if kind in (Kind.HOT_WORK, Kind.CONFINED_SPACE):
        return True
    return kind == Kind.TEMP_POWER and fire_explosion_zone


def reading_stale(kind: str, level: str, status: str, last_at: datetime | None,
                  now: datetime, *, paused_at: datetime | None = None,
                  new_day: bool = False) -> bool:  # fmt: skip
    """Whether the last reading no longer covers the work (for a permit that needs gas):
    before the start a sample ≤ 30 min old (5.3.1, 6.3); running confined space, a reading
    every 2 h (6.5); running hot work, one every day (5.3.1 "每日动火前"); suspended, a
    new sample after the pause when it ran past 30/60 min or into a new day (5.3.1, 6.5)."""
    from django.utils import timezone

    from ..choices import Status

    if last_at is None:
        return True
    if status == Status.IN_PROGRESS and kind == Kind.CONFINED_SPACE:
        return now > confined_reading_due(last_at)
    if status == Status.IN_PROGRESS:
        return timezone.localdate(last_at) != timezone.localdate(now)
    if status == Status.SUSPENDED and paused_at is not None:
        if not (new_day or resample_needed(kind, level, now - paused_at)):
            return False
        return last_at < paused_at or not sample_fresh(last_at, now)
    return not sample_fresh(last_at, now)
