"""Permit numbers per site, kind and year: DH-2026-0001."""

from __future__ import annotations

from ..choices import PREFIX
from ..models import PermitCounter


def next_number(*, site, kind: str, year: int) -> str:
    """Inside the caller's transaction; the counter row is locked so two permits made at
    once get consecutive numbers."""
    PermitCounter.objects.get_or_create(site=site, kind=kind, year=year)
    counter = PermitCounter.objects.select_for_update().get(site=site, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIX[kind]}-{year}-{counter.last:04d}"
