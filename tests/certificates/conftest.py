from datetime import date

import pytest
from django.utils import timezone

TODAY = date(2026, 6, 1)


@pytest.fixture
def today(monkeypatch):
    """Pin "today" (STYLE.md 6: one helper, core.clock.today, reads timezone.localdate)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
