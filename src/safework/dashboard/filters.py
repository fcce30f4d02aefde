"""What every dashboard figure is computed for: the acting user (the permission gate),
an optional site and organization, and a date range (default: today). "Now" figures
(people on site) are always about the present; period figures (new entries, denials,
permits) cover the range; certificate figures are as on its last day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.utils import timezone

from safework.access.decisions import local_midnight
from safework.core.actors import Actor
from safework.core.clock import today

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DashboardFilter:
    actor: Actor
    date_from: date
    date_to: date
    site_id: int | None = None
    organization_id: int | None = None
    now: datetime | None = None  # tests pin the present

    @classmethod
    def of(cls, actor: Actor, **kwargs) -> DashboardFilter:
        day = kwargs.pop("on", None) or today()
        kwargs.setdefault("date_from", day)
        kwargs.setdefault("date_to", day)
        return cls(actor=actor, **kwargs)

    @property
    def on(self) -> date:
        """The day certificate statuses and qualification are judged on."""
        return self.date_to

    @property
    def start(self) -> datetime:
        return local_midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return local_midnight(self.date_to + timedelta(days=1))

    @property
    def present(self) -> datetime:
        return self.now or timezone.now()

    def but(self, **changes) -> DashboardFilter:
        return replace(self, **changes)

    def query(self, **extra) -> str:
        """The filter as a query string (for the links from a number to its list)."""
        params = {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "site": self.site_id or "",
            "organization": self.organization_id or "",
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})
