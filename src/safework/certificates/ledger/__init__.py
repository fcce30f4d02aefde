"""Import of legacy Excel/CSV ledgers (台账) of special-operations workers and their
certificates (issue 3): header detection, column mapping, value parsing, item matching,
a dry-run plan, and an all-or-nothing commit. Pure modules except ``plan`` (reads the
register) and ``commit`` (writes it, in one transaction)."""
