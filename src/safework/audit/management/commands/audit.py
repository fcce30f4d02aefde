"""``safework audit verify [--anchor FILE]`` and ``safework audit anchor [--date D]``."""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safework.audit.anchors import anchor_check, anchor_create
from safework.audit.verify import verify_chain
from safework.core.clock import today


class Command(BaseCommand):
    help = "Verify the audit hash chain, or write today's signed anchor."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="Re-compute the chain; exit 1 at the first broken entry.")
        v.add_argument("--anchor", help="Also check an anchor file an auditor holds.")
        a = sub.add_parser("anchor", help="Write the signed anchor of the chain's head.")
        a.add_argument("--date", type=date.fromisoformat, default=None)

    def handle(self, *args, action, **opts):
        if action == "anchor":
            anchor = anchor_create(on=opts["date"] or today())
            self.stdout.write(
                f"anchor {anchor.anchor_date}: {anchor.seq} entries, head {anchor.hash}"
            )
            return
        self._verify(opts.get("anchor"))

    def _verify(self, anchor_path):
        result = verify_chain()
        if not result.ok:
            self.stderr.write(f"audit chain BROKEN at entry {result.broken_seq}: {result.problem}")
            sys.exit(1)
        self.stdout.write(f"audit chain intact: {result.count} entries, head {result.head_hash}")
        if anchor_path:
            try:
                doc = json.loads(Path(anchor_path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read anchor {anchor_path}: {exc}") from None
            ok, message = anchor_check(doc)
            (self.stdout if ok else self.stderr).write(f"anchor: {message}")
            if not ok:
                sys.exit(1)
