"""``safework import-ledger FILE [--dry-run] [--organization NAME]``: import a legacy ledger
(.xlsx or .csv) as the system (a safety manager). Prints the counts and every row error;
exit status 1 when the file has errors (nothing was written), 0 otherwise."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from safework.core.actors import Actor
from safework.core.errors import ValidationFailed
from safework.core.models import Organization

from ...ledger import reader
from ...ledger.services import ledger_import_file
from ...models import LedgerImport


class Command(BaseCommand):
    help = "Import a legacy ledger (.xlsx or .csv) of workers and certificates."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Only check and count.")
        parser.add_argument(
            "--organization", default="", help="Organization (name or id) for rows without one."
        )

    def handle(self, *args, file, dry_run, organization, **options):
        data = _read(Path(file))
        org = _organization(organization) if organization else None
        try:
            record = ledger_import_file(
                actor=Actor.system("import-ledger"),
                data=data,
                file_name=Path(file).name,
                organization=org,
                dry_run=dry_run,
            )
        except ValidationFailed as exc:
            raise CommandError("; ".join(str(m) for m in exc.errors.values())) from None
        self._report(record)
        if record.errors:
            raise SystemExit(1)

    def _report(self, record: LedgerImport) -> None:
        c = record.counts
        self.stdout.write(
            _(
                "%(state)s: %(rows)d rows; new people %(pc)d, new certificates %(cc)d, "
                "updated people %(pu)d, updated certificates %(cu)d, unchanged rows "
                "%(unchanged)d, empty rows %(empty)d, errors %(errors)d (import #%(id)d)"
            )
            % {
                "state": record.get_state_display(),
                "rows": c["rows"],
                "pc": c["people_created"],
                "cc": c["certificates_created"],
                "pu": c["people_updated"],
                "cu": c["certificates_updated"],
                "unchanged": c["unchanged"],
                "empty": c["empty_rows"],
                "errors": c["errors"],
                "id": record.pk,
            }
        )
        for col in record.unmapped_columns:
            self.stdout.write(_("not imported: %(sheet)s · %(column)s") % col)
        for e in record.errors:
            self.stderr.write(f"{e['sheet']} {e['row']} {e['column']}: {e['message']}")


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    if path.stat().st_size > reader.MAX_BYTES:
        raise CommandError(reader.too_big_message())
    return path.read_bytes()


def _organization(value: str) -> Organization:
    org = Organization.objects.filter(name=value).first()
    if org is None and value.isdigit():
        org = Organization.objects.filter(pk=int(value)).first()
    if org is None:
        raise CommandError(_("Unknown organization: %(name)s") % {"name": value})
    return org
