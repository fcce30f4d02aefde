"""The gate keeps answering when Redis is down: a real server process whose queue is
RedisHuey on a closed port answers gate checks, serves the allowlist and takes a badge
revocation (whose push waits in the database outbox)."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from safework.access.models import GateEvent
from safework.alerts.models import Notification
from tests.api.conftest import new_token
from tests.children import child_env

pytestmark = [
    pytest.mark.timeout_sensitive,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _closed_port() -> int:
    port = _free_port()  # nothing listens there once the probe socket is closed
    return port


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = child_env(
        tmp_path,
        SAFEWORK_TEST_REAL_QUEUE="1",  # RedisHuey for real, not the immediate test queue
        SAFEWORK_REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "safework.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "60",
    ]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/login/")
        yield base
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        print(out)  # shown by pytest when the test fails


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _call(base, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + "/api/v1" + path, data=data, method="POST" if data else "GET"
    )
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read()), time.monotonic() - started


def test_gate_checks_and_the_allowlist_work_without_redis(
    server, welder, gate, authorized, system_actor
):
    from safework.access.services import push_endpoint_create

    push_endpoint_create(actor=system_actor, name="门禁", url="http://127.0.0.1:9/push")
    gate_token, write_token = new_token("gate"), new_token("write")
    status, answer, took = _call(
        server, "/gate/check", gate_token, {"credential": str(welder.pk), "gate": "n-1"}
    )
    assert status == 200 and answer["decision"] == "allow" and took < 5
    status, listed, _ = _call(server, "/gate/allowlist", gate_token)
    assert status == 200 and [e["person_id"] for e in listed["entries"]] == [welder.pk]
    status, badge, _ = _call(server, f"/persons/{welder.pk}/badge", write_token)
    assert status == 200 and badge["token"]
    status, revoked, _ = _call(
        server, f"/persons/{welder.pk}/badge/revoke", write_token, {"reason": "丢失"}
    )
    assert status == 200 and revoked["revoked"] is True
    status, answer, _ = _call(
        server, "/gate/check", gate_token, {"credential": str(welder.pk), "gate": "n-1"}
    )
    assert status == 200
    assert GateEvent.objects.count() == 2
    # The push waits in the outbox for the worker; nothing was lost with Redis down.
    pushes = Notification.objects.filter(channel="gate_push")
    assert [(n.state, bool(n.payload["entry"]["badge_hash"])) for n in pushes.order_by("id")] == [
        ("pending", True),  # the badge issued
        ("pending", False),  # and revoked
    ]
