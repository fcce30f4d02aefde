"""The Huey instance (settings.HUEY: SQLite by default, Redis when SAFEWORK_REDIS_URL is
set) and a crontab in local time. Apps define their tasks in their own ``tasks.py``."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY as huey  # noqa: F401


def local_crontab(**spec):
    """Like huey's crontab, but in settings.TIME_ZONE (Asia/Shanghai): the consumer runs in
    UTC, and "08:00" for a Chinese plant must not depend on the server's clock zone."""
    matches = crontab(**spec)
    zone = ZoneInfo(settings.TIME_ZONE)

    def validate(dt: datetime) -> bool:
        aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
        return matches(aware.astimezone(zone).replace(tzinfo=None))

    return validate
