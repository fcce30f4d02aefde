"""The warning rules as data (issue 4, Rules), read from the JSON stored on an owner
organization's AlertPolicy through pydantic, and the small pure functions the scan uses.

A certificate is warned about twice over: before ``valid_until`` (expiry) and before
``next_review_due`` (review, 第二十一条/第二十二条). Each threshold is a *level*; the level
of a date on day D is the smallest threshold that the days left have reached, and LAPSE
(-1) once the date has passed. Only the most urgent level due is ever sent, so a scan after
missed days catches up with one warning, not a burst of stale ones.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .choices import LAPSE, Audience

DEFAULT_DAYS = (30, 15, 7)
# Issue 4: "at 7 days and on lapse also the department/area head".
DEFAULT_FROM_DAYS = {
    Audience.WORKER.value: 30,
    Audience.ORG_CONTACT.value: 30,
    Audience.SAFETY_MANAGER.value: 30,
    Audience.AREA_HEAD.value: 7,
}
MAX_DAYS = 366


def _clean_days(value) -> list[int]:
    days = sorted({int(v) for v in value or []}, reverse=True)
    if any(d < 0 or d > MAX_DAYS for d in days):
        raise ValueError(_("Thresholds must lie between 0 and %(max)d days.") % {"max": MAX_DAYS})
    return days


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expiry_days: list[int] = Field(default_factory=lambda: list(DEFAULT_DAYS))
    review_days: list[int] = Field(default_factory=lambda: list(DEFAULT_DAYS))

    _days = field_validator("expiry_days", "review_days", mode="before")(_clean_days)


class AlertRules(Thresholds):
    """One owner organization's rules. ``recipients_from_days`` maps an audience to the
    threshold from which it is told (it is then told at every more urgent level and at
    lapse); an audience left out is never told."""

    notify_on_lapse: bool = True
    recipients_from_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_FROM_DAYS))
    renewal_reminder_days: int = Field(default=30, ge=1, le=MAX_DAYS)
    type_overrides: dict[str, Thresholds] = Field(default_factory=dict)

    @field_validator("recipients_from_days")
    @classmethod
    def _known_audiences(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(Audience.values)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise ValueError(_("Unknown recipients: %(names)s.") % {"names": names})
        return value

    def thresholds_for(self, type_code: str) -> Thresholds:
        return self.type_overrides.get(type_code) or self


def level_on(*, due: date, on: date, days: list[int]) -> int | None:
    """The level of ``due`` on day ``on``: LAPSE once passed, else the smallest threshold
    the days left have reached, else None (nothing to say yet)."""
    left = (due - on).days
    if left < 0:
        return LAPSE
    reached = [d for d in days if left <= d]
    return min(reached) if reached else None


def level_range(level: int, days: list[int]) -> tuple[int, int]:
    """Days left (inclusive bounds) for which ``level`` is the level: the SQL form of
    ``level_on``. For [30, 15, 7]: 7 -> (0, 7), 15 -> (8, 15), 30 -> (16, 30)."""
    smaller = [d for d in days if d < level]
    return (max(smaller) + 1 if smaller else 0), level


def audiences_at(rules: AlertRules, level: int) -> list[Audience]:
    """Who is told at ``level`` (issue 4: recipients per level, configurable)."""
    return [
        Audience(a)
        for a, from_days in rules.recipients_from_days.items()
        if level == LAPSE or level <= from_days
    ]
