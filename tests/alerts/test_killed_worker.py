"""A worker process killed (SIGKILL) in the middle of a delivery: the provider has the
request, the worker never records the answer. Once the lease expires the next worker sends
the message again with the same idempotency key, and it is sent once in the outbox."""

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import transaction

from safework.alerts import outbox, services
from safework.alerts.choices import Channel, State
from safework.alerts.delivery import deliver_due
from safework.alerts.models import Notification
from tests.children import child_env

from .servers import SECRETS

pytestmark = [pytest.mark.timeout_sensitive, pytest.mark.django_db(transaction=True)]


def _worker(tmp_path) -> subprocess.Popen:
    env = child_env(tmp_path, SAFEWORK_ALERTS_LEASE_SECONDS="60")
    deliver = "from safework.alerts.delivery import deliver_due; deliver_due()"
    return subprocess.Popen(
        [sys.executable, "-m", "safework", "shell", "-c", deliver],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_worker_killed_mid_delivery_leaves_the_message_to_be_sent_again(plant, server, tmp_path):
    services.channel_save(
        actor=plant.system, channel=Channel.WEBHOOK, organization=plant.owner,
        values={"webhook_url": server.url("/webhook"), "secret": SECRETS["webhook"]},
    )  # fmt: skip
    with transaction.atomic():
        row = outbox.enqueue(
            channel=Channel.WEBHOOK,
            recipient="gate-1",
            body="门禁权限变更",
            organization=plant.owner,
        )
    server.mode, server.delay = "slow", 20  # the provider takes the request and sits on it
    worker = _worker(tmp_path)
    try:
        deadline = time.monotonic() + 90
        while not server.requests and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        assert server.requests, (
            worker.communicate(timeout=5)[0] if worker.poll() is not None else ""
        )
        worker.send_signal(signal.SIGKILL)  # mid-delivery: sent, answer never recorded
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    row.refresh_from_db()
    assert row.state == State.PENDING and row.attempts == 1 and row.leased_until is not None

    server.mode = "ok"
    assert deliver_due().sent == 0  # still leased by the dead worker: nobody takes it yet
    report = deliver_due(now=row.leased_until + timedelta(seconds=1))
    row.refresh_from_db()
    assert report.sent == 1 and (row.state, row.attempts) == (State.SENT, 2)
    keys = [r["headers"]["Idempotency-Key"] for r in server.requests]
    assert keys == [str(row.key), str(row.key)]  # the provider can tell it is the same message
    assert Notification.objects.filter(state=State.SENT).count() == 1
