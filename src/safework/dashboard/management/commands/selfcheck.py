"""``safework selfcheck [--month YYYY-MM] [--site CODE]``: evaluate the monthly self-check
(default: last month, every site) and print each item's result."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.errors import ValidationFailed
from safework.core.models import Site
from safework.dashboard.services import selfcheck_run


class Command(BaseCommand):
    help = "Evaluate the monthly self-check from the data (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--site", help="a site's code (default: every site)")

    def handle(self, *args, **options):
        month = _month(options["month"])
        site = None
        if options["site"]:
            site = Site.objects.filter(code=options["site"]).first()
            if site is None:
                raise CommandError(f"--site: no site has the code {options['site']!r}")
        try:
            run = selfcheck_run(actor=Actor.system("selfcheck"), month=month, site=site)
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from None
        for item in run.items.all():
            mark = "PASS" if item.passed else "FAIL"
            self.stdout.write(f"{item.number} {mark} {item.summary}")
        self.stdout.write(
            f"run {run.pk}: {'passed' if run.passed else 'not passed'} {run.result_hash}"
        )


def _month(raw: str | None) -> date:
    if not raw:
        return (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise CommandError(f"--month must be YYYY-MM, not {raw!r}") from None
