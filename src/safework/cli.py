"""The ``safework`` console script: Django's management commands plus safework's own
(``run``, ``demo``, ``token``, ...)."""

import os
import sys

# DESIGN.md spells some commands with a dash; Django command names cannot have one.
ALIASES = {
    "scan-expiry": "scan_expiry",
    "deliver-outbox": "deliver_outbox",
    "import-ledger": "import_ledger",
    "dashboard-snapshot": "dashboard_snapshot",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safework.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        args = list(argv if argv is not None else sys.argv[1:])
        if args and args[0] in ALIASES:
            args[0] = ALIASES[args[0]]
        execute_from_command_line(["safework", *args])
    except ImproperlyConfigured as exc:
        print(f"safework: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
