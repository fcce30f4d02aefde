from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safework.alerts.models import CertificateWarning, ScanRun
from safework.cli import main

from .conftest import DAY0, certificate, worker

pytestmark = pytest.mark.django_db


def test_scan_expiry_with_a_date(plant, sms_channel):
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    out = StringIO()
    call_command("scan_expiry", "--date", DAY0.isoformat(), stdout=out)
    assert "1 warnings" in out.getvalue()
    assert CertificateWarning.objects.get().scan_date == DAY0
    assert ScanRun.objects.get().runs == 1


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError):
        call_command("scan_expiry", "--date", "2026-13-01")


def test_deliver_outbox_command(plant):
    out = StringIO()
    call_command("deliver_outbox", stdout=out)
    assert "sent 0" in out.getvalue()


def test_the_cli_spells_the_commands_with_a_dash(monkeypatch):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    main(["scan-expiry", "--date", "2026-06-01"])
    main(["deliver-outbox"])
    assert seen == [
        ["safework", "scan_expiry", "--date", "2026-06-01"],
        ["safework", "deliver_outbox"],
    ]


def test_the_daily_task_runs_at_eight_in_shanghai():
    from safework.alerts.tasks import scan_expiry_daily

    task = scan_expiry_daily.task_class()
    assert task.validate_datetime(datetime(2026, 6, 1, 0, 0))  # 00:00 UTC = 08:00 Shanghai
    assert not task.validate_datetime(datetime(2026, 6, 1, 8, 0))
