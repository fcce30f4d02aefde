"""The Huey queue on Redis for real (the PostgreSQL half of ``make test`` passes
SAFEWORK_TEST_REDIS_URL): a task enqueued by one process is run by a ``safework run_huey``
consumer in another, against the same database. The queue has a name of its own, so no
other consumer on the machine can take the task."""

import os
import subprocess
import sys
import time
import uuid

import pytest

from safework.audit.models import AuditAnchor
from safework.core.clock import today
from tests.children import child_env

REDIS_URL = os.environ.get("SAFEWORK_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.timeout_sensitive,
    pytest.mark.skipif(not REDIS_URL, reason="SAFEWORK_TEST_REDIS_URL is not set"),
    pytest.mark.django_db(transaction=True),
]


def test_a_task_enqueued_on_redis_is_run_by_the_consumer(tmp_path):
    env = child_env(
        tmp_path,
        SAFEWORK_TEST_REAL_QUEUE="1",
        SAFEWORK_REDIS_URL=REDIS_URL,
        SAFEWORK_HUEY_NAME=f"safework-test-{uuid.uuid4().hex[:12]}",
    )
    enqueue = "from safework.audit.tasks import daily_anchor; daily_anchor()"
    subprocess.run(
        [sys.executable, "-m", "safework", "shell", "-c", enqueue],
        env=env,
        check=True,
        timeout=120,
    )
    assert not AuditAnchor.objects.exists()  # queued, not run in the enqueuing process

    consumer = subprocess.Popen(
        [sys.executable, "-m", "safework", "run_huey", "--no-periodic", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not AuditAnchor.objects.exists():
            time.sleep(0.3)
    finally:
        consumer.terminate()
        out, _ = consumer.communicate(timeout=30)
        print(out)  # shown by pytest when the test fails
    anchor = AuditAnchor.objects.get()
    assert anchor.anchor_date == today()
