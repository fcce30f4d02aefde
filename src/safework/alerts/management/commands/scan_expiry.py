"""``safework scan-expiry [--date YYYY-MM-DD]``: the daily scan for any date."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from safework.alerts.services import scan_expiry
from safework.core.actors import Actor
from safework.core.clock import today


class Command(BaseCommand):
    help = "Issue the expiry and review warnings due on a date (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        on = _parse(options["date"]) if options["date"] else today()
        report = scan_expiry(on=on, actor=Actor.system("scan-expiry"))
        self.stdout.write(
            f"{report.scan_date}: {report.warnings} warnings, {report.notifications} messages, "
            f"{report.inbox} in-app, {report.transitions} status transitions"
            + (f", not sent: {report.skipped}" if report.skipped else "")
        )


def _parse(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {raw!r}") from None
