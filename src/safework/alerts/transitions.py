"""The status transitions of a day (issue 4: what lapsed at midnight, for the access and
dashboard features). Status moves by itself only when a date passes, so the candidates of
day D are the few certificates with a date at D - 1 (expired, review overdue) or at
D + horizon (now expiring); their status on D - 1 and on D is compared in SQL."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q

from safework.certificates.models import Certificate
from safework.certificates.status import horizon_days, status_annotation

from .models import StatusTransition


def transitions_of(day: date) -> list[StatusTransition]:
    before, edge = day - timedelta(days=1), day + timedelta(days=horizon_days())
    candidates = Certificate.objects.filter(
        Q(valid_until=before)
        | Q(next_review_due=before)
        | Q(valid_until=edge)
        | Q(next_review_due=edge),
        superseded=False,
    ).exclude(Exists(StatusTransition.objects.filter(certificate_id=OuterRef("pk"), on=day)))
    rows = (
        candidates.annotate(old=status_annotation(before), new=status_annotation(day))
        .exclude(old=F("new"))
        .values_list("pk", "person_id", "old", "new")
    )
    return [
        StatusTransition(
            on=day, certificate_id=pk, person_id=person, from_status=old, to_status=new
        )
        for pk, person, old, new in rows
    ]


def record_transitions(*, days: list[date]) -> int:
    rows = [t for day in days for t in transitions_of(day)]
    StatusTransition.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)
