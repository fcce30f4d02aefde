"""The benchmark's generated ledger at a tiny scale (no timing): it imports without an
error, and importing it again changes nothing, as benchmarks/bench_import.py asserts at
50,000 rows."""

import pytest
from benchmarks import bench_import

from safework.certificates.ledger.services import ledger_import_file
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind
from safework.core.models import Organization

pytestmark = pytest.mark.django_db
ROWS = 60


def test_the_generated_ledger_imports_and_reimports_unchanged():
    Organization.objects.create(name=bench_import.ORGANIZATION, kind=OrganizationKind.CONTRACTOR)
    data = bench_import.ledger_bytes(ROWS)
    actor = Actor.system("bench")
    first = ledger_import_file(actor=actor, data=data, file_name="b.xlsx", dry_run=False)
    assert first.errors == [] and first.counts["certificates_created"] == ROWS
    again = ledger_import_file(actor=actor, data=data, file_name="b.xlsx", dry_run=False)
    assert again.counts["unchanged"] == ROWS
