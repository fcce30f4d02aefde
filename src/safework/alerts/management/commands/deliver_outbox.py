"""``safework deliver-outbox [--loop]``: deliver the due messages now (what the Huey
worker does every minute), e.g. from cron on a machine without the consumer."""

import time

from django.core.management.base import BaseCommand

from safework.alerts.delivery import deliver_due


class Command(BaseCommand):
    help = "Deliver the outbox messages that are due."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep polling every 5 s")

    def handle(self, *args, **options):
        while True:
            report = deliver_due()
            if report.total or not options["loop"]:
                self.stdout.write(f"sent {report.sent}, failed {report.failed}, dead {report.dead}")
            if not options["loop"]:
                return
            time.sleep(5)
