"""``safework access refresh`` (due work), ``safework access reconcile`` (recompute every
allowlist entry), ``safework access reset`` (new epoch: every controller resyncs fully)."""

from django.core.management.base import BaseCommand

from safework.access import allowlist


class Command(BaseCommand):
    help = "Maintain the gate allowlist that offline controllers sync."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("refresh", help="Recompute what is marked or due now.")
        sub.add_parser("reconcile", help="Recompute every person's entry.")
        sub.add_parser("reset", help="Start a new epoch: controllers get a full list.")

    def handle(self, *args, action, **opts):
        if action == "refresh":
            changed = allowlist.refresh_pending()
        elif action == "reconcile":
            changed = allowlist.reconcile()
        else:
            allowlist.reset()
            changed = 0
        self.stderr.write(f"allowlist: {changed} entries changed")
