"""Take the README's screenshots: a fresh data directory, `safework demo`, the web server,
then Debian's chromium (Playwright) visiting the main pages as the demo safety manager.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Needs a CJK font on the machine for the Chinese text (Debian: fonts-wqy-microhei)."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PASSWORD = "Demo-Anquan-2026!"
PAGES = [
    ("login", "/login/", None),
    ("home", "/", None),
    ("people", "/people/", None),
    ("people-unqualified", "/people/?status=unqualified", None),
    ("person", None, "person"),
    ("person-form-error", "/people/new/", "form_error"),
    ("certificates-expiring", "/certificates/?status=expiring", None),
    ("catalogue", "/certificates/catalogue/", None),
    ("audit", "/audit/", None),
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def _shoot(base: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        page.goto(base + "/login/")
        page.screenshot(path=str(out / "login.png"))
        page.fill("#id_username", "admin")
        page.fill("#id_password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda u: "/login/" not in u)
        for name, path, special in PAGES[1:]:
            if special == "person":
                page.goto(base + "/people/?status=expiring")
                page.click("table tbody tr a[href^='/people/']")
                page.wait_for_load_state("networkidle")
            elif special == "form_error":
                page.goto(base + path)
                page.fill("#id_name", "王强")
                page.fill("#id_id_number", "110101199003071234")
                page.select_option("#id_organization", index=1)
                page.check("input[name=special_operations][value='MEM-2.1']")
                page.click("#submit")
                page.wait_for_load_state("networkidle")
            else:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
            page.screenshot(
                path=str(out / f"{name}.png"), full_page=name in {"person", "person-form-error"}
            )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="safework-shots-")
    env = {
        **os.environ,
        "SAFEWORK_DATA_DIR": data,
        "SAFEWORK_ENV": "development",
        "SAFEWORK_DEBUG": "0",
    }
    env.pop("SAFEWORK_DATABASE_URL", None)
    run = [sys.executable, "-m", "safework"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*run, "demo", "--password", PASSWORD], env=env, check=True, stdout=subprocess.DEVNULL
    )
    port = _port()
    server = subprocess.Popen(
        [*run, "run", "--port", str(port), "--no-demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/login/")
        _shoot(f"http://127.0.0.1:{port}", out)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
