"""The status transitions of a day (issue 4: what lapsed at midnight, for the access and
dashboard features). Status moves by itself only when a date passes, so the candidates of
day D are the few certificates with a date at D - 1 (expired, review overdue) or at
D + horizon (now expiring); their status on D - 1 and on D is compared in SQL."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from safework.certificates.models import Certificate
from safework.certificates.status import horizon_days, status_annotation

from .models import StatusTransition
from .sql import insert_select


def transitions_of(day: date) -> QuerySet[Certificate]:
    """The certificates whose status changed on ``day``, with ``old`` and ``new``."""
    before, edge = day - timedelta(days=1), day + timedelta(days=horizon_days())
    candidates = Certificate.objects.filter(
        Q(valid_until=before)
        | Q(next_review_due=before)
        | Q(valid_until=edge)
        | Q(next_review_due=edge),
        superseded=False,
    ).exclude(Exists(StatusTransition.objects.filter(certificate_id=OuterRef("pk"), on=day)))
    return candidates.annotate(old=status_annotation(before), new=status_annotation(day)).exclude(
        old=F("new")
    )


def record_transitions(*, days: list[date]) -> int:
    now = timezone.now()
    return sum(
        insert_select(StatusTransition, transitions_of(day), {
            "on": Value(day), "certificate_id": F("pk"), "person_id": F("person_id"),
            "from_status": F("old"), "to_status": F("new"), "created_at": Value(now),
        }, ignore_conflicts=True)
        for day in days
    )  # fmt: skip
