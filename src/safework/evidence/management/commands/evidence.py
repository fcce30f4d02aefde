"""``safework evidence verify PACK.zip``: exit 0 when the package is intact and its root
matches the audit chain, 1 naming the first bad file otherwise."""

import sys

from django.core.management.base import BaseCommand

from safework.evidence.verify import verify_pack


class Command(BaseCommand):
    help = "Check a permit's report package (归档报告包) against its manifest and the audit chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="Exit 0 when intact, 1 naming the first bad file.")
        v.add_argument("pack", help="The package's ZIP file.")

    def handle(self, *args, action, pack, **opts):
        verdict = verify_pack(pack)
        if not verdict.ok:
            self.stderr.write(f"report package BAD: {verdict.message}")
            sys.exit(1)
        self.stdout.write(f"report package {verdict.message}")
