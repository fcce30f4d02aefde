"""The one place "today" comes from (STYLE.md 6): local date in Asia/Shanghai."""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
