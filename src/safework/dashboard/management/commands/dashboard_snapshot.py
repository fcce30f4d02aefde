"""``safework dashboard-snapshot [--date YYYY-MM-DD]``: take (again) the day's compliance
snapshot, e.g. after the worker was down at 10:00."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from safework.dashboard.snapshots import snapshot_take


class Command(BaseCommand):
    help = "Take the daily compliance snapshot (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from None
        self.stdout.write(f"{snapshot_take(on=on)} snapshot rows")
