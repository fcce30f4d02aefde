"""How long a permit may run, GB 30871-2022. Where the standard is silent the enterprise
decides: ``settings.PERMITS_VALIDITY`` (hours per kind) overrides the defaults below."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from ..choices import Kind, Level

# The standard sets these; they are not configurable.
_FIXED = {
    # 5.1.5: "特级、一级动火作业的安全作业票有效期不应超过8h；二级动火作业的安全作业票有效期
    # 不应超过72h".
    (Kind.HOT_WORK, Level.HOT_SPECIAL): timedelta(hours=8),
    (Kind.HOT_WORK, Level.HOT_1): timedelta(hours=8),
    (Kind.HOT_WORK, Level.HOT_2): timedelta(hours=72),
    # 6.10: "受限空间安全作业票有效期不应超过24h".
    (Kind.CONFINED_SPACE, Level.NONE): timedelta(hours=24),
}
# 8.2.11 (RULES.md 3): a work-at-height permit runs at most 7 days.
HEIGHT_MAX = timedelta(days=7)
# 10.8: "临时用电作业时间一般不超过15d，特殊情况不应超过30d".
TEMP_POWER_MAX = timedelta(days=15)
TEMP_POWER_SPECIAL_MAX = timedelta(days=30)

# Silent in the standard: configurable, in hours.
DEFAULT_CONFIGURABLE_HOURS = {
    Kind.LIFTING: 24,
    Kind.BLIND_PLATE: 24,
    Kind.EXCAVATION: 72,
    Kind.ROAD_CLOSURE: 72,
}


def configurable_hours(kind: str) -> int:
    overrides = getattr(settings, "PERMITS_VALIDITY", {})
    return int(overrides.get(kind, DEFAULT_CONFIGURABLE_HOURS[kind]))


def max_validity(kind: str, level: str = "", *, special: bool = False) -> timedelta:
    if (kind, level or Level.NONE) in _FIXED:
        return _FIXED[(kind, level or Level.NONE)]
    if kind == Kind.HEIGHT:
        return HEIGHT_MAX
    if kind == Kind.TEMP_POWER:
        return TEMP_POWER_SPECIAL_MAX if special else TEMP_POWER_MAX
    return timedelta(hours=configurable_hours(kind))


def validity_errors(
    *,
    kind: str,
    level: str,
    start: datetime,
    end: datetime,
    special: bool = False,
    served_end: datetime | None = None,
) -> list[str]:
    """Problems with a planned period, as codes: ``end_before_start``, ``too_long``,
    ``past_served_permit`` (10.8: temporary power serving hot work or a confined space
    runs for the same period as that permit)."""
    if end <= start:
        return ["end_before_start"]
    errors = []
    if end - start > max_validity(kind, level, special=special):
        errors.append("too_long")
    if served_end is not None and end > served_end:
        errors.append("past_served_permit")
    return errors


def is_past_validity(end: datetime, now: datetime) -> bool:
    """4.16: a permit past its validity stops; there are no extensions."""
    return now >= end
