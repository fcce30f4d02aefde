"""Confined space: readings at least every 2 h while work runs (6.5); an overdue reading
alerts the guardian (SMS) and the safety managers (inbox and email) through the outbox."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from safework.alerts.choices import Channel
from safework.alerts.outbox import enqueue

from ..choices import Kind, Status, WorkerRole
from ..models import Permit
from ..rules import gas
from .common import notify, now_or


def overdue_permits(now: datetime):
    """Running confined-space permits whose last reading (or start) is over 2 h old."""
    cutoff = now - gas.CONFINED_READING_INTERVAL
    return (
        Permit.objects.filter(kind=Kind.CONFINED_SPACE, status=Status.IN_PROGRESS)
        .annotate(last_reading=Max("gas_tests__sampled_at"))
        .filter(last_reading__lt=cutoff)
    )


@transaction.atomic
def confined_readings_alert(*, now: datetime | None = None) -> int:
    now = now_or(now)
    count = 0
    for permit in overdue_permits(now):
        due = gas.confined_reading_due(permit.last_reading)
        key = f"permit:{permit.pk}:reading-due:{due.isoformat()}"
        body = _("%(number)s: the confined-space gas reading was due at %(due)s.") % {
            "number": permit.number, "due": due.strftime("%H:%M")}  # fmt: skip
        for row in permit.assignments.filter(role=WorkerRole.GUARDIAN).select_related("person"):
            if row.person.phone:
                enqueue(channel=Channel.SMS_ALIYUN, recipient=row.person.phone, body=body,
                        dedupe_key=f"{key}:sms:{row.person_id}", person=row.person,
                        organization=permit.site.owner)  # fmt: skip
        notify(permit, f"reading-due:{due.isoformat()}", body=body)
        count += 1
    return count
