"""The daily compliance snapshot (issue 10: "a daily snapshot kept by a scheduled job, so
history is real"): per organization, and per organization and site, how many employed
special-operations workers there were and how many were compliant, in the register and
on site when it ran. Taken again the same day, it replaces that day's rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from safework.audit.services import audit_record
from safework.core.actors import Actor
from safework.people.models import Person

from .compliance import compliant_q, has_special_operations_q
from .filters import DashboardFilter
from .models import ComplianceSnapshot
from .selectors import on_site_events, workers

FIELDS = ("workers", "compliant", "on_site", "on_site_compliant")


def _per_org(qs: QuerySet[Person]) -> dict:
    rows = qs.order_by().values_list("organization_id").annotate(n=Count("pk"))
    return {(org, None): n for org, n in rows}


def _per_site(qs: QuerySet[Person]) -> dict:
    through = Person.sites.through
    rows = (
        through.objects.filter(person_id__in=qs.values("id"))
        .values_list("person__organization_id", "site_id")
        .annotate(n=Count("id"))
    )
    return {(org, site): n for org, site, n in rows}


def _on_site(events: QuerySet) -> dict:
    rows = events.order_by().values_list("organization_id", "site_id").annotate(n=Count("id"))
    found: dict = defaultdict(int)
    for org, site, n in rows:
        if org is not None:
            found[(org, site)] += n
            found[(org, None)] += n
    return found


def snapshot_counts(f: DashboardFilter) -> dict[tuple, dict[str, int]]:
    ok = compliant_q(f.on)
    everyone = workers(f)
    events = on_site_events(f).filter(person__in=Person.objects.filter(has_special_operations_q()))
    parts = {
        "workers": {**_per_org(everyone), **_per_site(everyone)},
        "compliant": {**_per_org(everyone.filter(ok)), **_per_site(everyone.filter(ok))},
        "on_site": _on_site(events),
        "on_site_compliant": _on_site(events.filter(person__in=Person.objects.filter(ok))),
    }
    keys = set().union(*parts.values())
    return {key: {name: parts[name].get(key, 0) for name in FIELDS} for key in keys}


@transaction.atomic
def snapshot_take(*, on: date | None = None, now: datetime | None = None) -> int:
    """Take (or take again) the snapshot of ``on``; returns the number of rows."""
    actor = Actor.system("dashboard.snapshot")
    f = DashboardFilter.of(actor, on=on, now=now)
    counts = snapshot_counts(f)
    taken = now or timezone.now()
    ComplianceSnapshot.objects.filter(on=f.on).delete()
    ComplianceSnapshot.objects.bulk_create(
        [
            ComplianceSnapshot(on=f.on, organization_id=org, site_id=site, taken_at=taken, **c)
            for (org, site), c in counts.items()
        ],
        batch_size=1000,
    )
    totals = {name: sum(c[name] for (_o, s), c in counts.items() if s is None) for name in FIELDS}
    audit_record(
        actor=actor,
        action="dashboard.snapshot",
        object_type="dashboard.compliancesnapshot",
        object_id=f.on.isoformat(),
        object_repr=f"{f.on}",
        changes={"rows": len(counts), **totals},
    )
    return len(counts)
