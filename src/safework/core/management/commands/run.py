"""``safework run``: migrate, load the catalogue, seed demo data on an empty database,
then run gunicorn (web) and the Huey consumer (worker) until Ctrl-C / SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the catalogue, then start the web server and the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SAFEWORK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAFEWORK_PORT", 8000)))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("SAFEWORK_WEB_WORKERS", 2))
        )
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not create demo data on an empty database."
        )

    def handle(self, *args, host, port, web_workers, no_demo, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_catalogue", verbosity=1)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo and not settings.PRODUCTION:
            self._seed_demo()
        self.stdout.write(f"safework: http://{host}:{port}/  (Ctrl-C stops web and worker)")
        self.stdout.flush()
        sys.exit(self._supervise(self._start(host, port, web_workers)))

    def _seed_demo(self):
        from safework.people.models import Person

        if not Person.objects.exists():
            call_command("demo")

    def _start(self, host: str, port: int, web_workers: int) -> list[subprocess.Popen]:
        python = sys.executable
        web = [
            python,
            "-m",
            "gunicorn",
            "safework.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "20",
        ]
        worker = [python, "-m", "safework", "run_huey"]
        return [subprocess.Popen(web), subprocess.Popen(worker)]

    def _supervise(self, procs: list[subprocess.Popen]) -> int:
        stopping = {"flag": False}

        def stop(signum, frame):
            stopping["flag"] = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = 0
        while not stopping["flag"]:
            dead = [p for p in procs if p.poll() is not None]
            if dead:
                code = dead[0].returncode or 1
                self.stderr.write(f"safework: a process exited ({dead[0].args[2:4]}); stopping")
                break
            time.sleep(0.5)
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
        self.stdout.write("safework: stopped")
        return code
