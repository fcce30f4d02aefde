"""`safework run` (what `make run` calls) starts gunicorn and the Huey consumer on a fresh
data directory, serves pages, and stops both cleanly on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout}s")


@pytest.mark.timeout_sensitive
def test_run_serves_and_stops_on_sigterm(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEWORK_")}
    env.update(SAFEWORK_DATA_DIR=str(tmp_path), SAFEWORK_ENV="development", SAFEWORK_DEBUG="0")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safework",
            "run",
            "--port",
            str(port),
            "--no-demo",
            "--web-workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/admin/login/", 180) == 200
        assert (tmp_path / "safework.sqlite3").exists()
        assert (tmp_path / "secrets" / "safework_secret_key").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, out
    assert "safework: stopped" in out
    assert "catalogue" in out
