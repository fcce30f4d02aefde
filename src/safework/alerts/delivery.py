"""Delivering the outbox (healthchecks style: the database is the work queue).

A worker *claims* a batch of due rows by giving them a lease (``leased_until``, a fresh
``lease_token``) and counting the attempt, in one short transaction: ``SELECT ... FOR
UPDATE SKIP LOCKED`` on PostgreSQL, the IMMEDIATE write lock on SQLite, and the UPDATE
re-checks the same conditions so a row can never be claimed twice. It then sends each
row outside any transaction and records the result only while it still holds the lease.
A worker killed mid-delivery leaves its rows leased; when the lease expires they are
due again. Failures wait 2^n x the base delay; after the last attempt the row is dead
and waits on the outbox page for a retry by hand."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .choices import State
from .errors import TransportError
from .models import Notification
from .transports import transport_for

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, state: str) -> None:
        attr = {State.SENT: "sent", State.FAILED: "failed", State.DEAD: "dead"}[state]
        setattr(self, attr, getattr(self, attr) + 1)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.dead


def backoff(attempts: int) -> timedelta:
    """Delay after the n-th failed attempt: base x 2^(n-1), capped."""
    seconds = settings.ALERTS_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.ALERTS_BACKOFF_MAX_SECONDS))


def due_q(now: datetime) -> Q:
    unleased = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    return Q(state__in=[State.PENDING, State.FAILED], next_attempt_at__lte=now) & unleased


def claim(
    *, now: datetime | None = None, limit: int = 20, only: int | None = None
) -> list[Notification]:
    """Lease up to ``limit`` due rows (or just row ``only``) to this worker; returns them
    with their token."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = Notification.objects.filter(due_q(now)).order_by("next_attempt_at", "id")
        if only is not None:
            candidates = candidates.filter(pk=only)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        Notification.objects.filter(due_q(now), id__in=ids).update(
            leased_until=now + timedelta(seconds=settings.ALERTS_LEASE_SECONDS),
            lease_token=token,
            attempts=F("attempts") + 1,
        )
    return list(Notification.objects.filter(id__in=ids, lease_token=token).order_by("id"))


def deliver(
    notification: Notification, *, now: datetime | None = None, transports: dict | None = None
) -> str:
    """Send one claimed row and record the outcome; returns the new state. ``transports``
    (channel -> transport) is shared by the rows of a batch, so each reads its channel's
    settings once."""
    transports = {} if transports is None else transports
    try:
        if notification.channel not in transports:
            transports[notification.channel] = transport_for(notification.channel)
        message_id = transports[notification.channel].send(notification)
    except TransportError as exc:
        return _record_failure(notification, exc.message, exc.permanent, now)
    except Exception as exc:  # a bug in a transport must not stop the worker
        log.exception(
            "transport %s crashed on notification %s", notification.channel, notification.pk
        )
        return _record_failure(notification, f"{type(exc).__name__}: {exc}", False, now)
    _finish(
        notification,
        state=State.SENT,
        sent_at=now or timezone.now(),
        provider_message_id=(message_id or "")[:200],
        last_error="",
    )
    return State.SENT


def _record_failure(notification, message: str, permanent: bool, now) -> str:
    now = now or timezone.now()
    out_of_attempts = notification.attempts >= settings.ALERTS_MAX_ATTEMPTS
    state = State.DEAD if permanent or out_of_attempts else State.FAILED
    _finish(
        notification,
        state=state,
        last_error=message[:2000],
        next_attempt_at=now + backoff(notification.attempts),
    )
    return state


def _finish(notification: Notification, **values) -> None:
    """Write the outcome only while this worker still holds the lease: if it expired and
    another worker took the row over, that worker's result is the one that counts."""
    Notification.objects.filter(pk=notification.pk, lease_token=notification.lease_token).update(
        leased_until=None, updated_at=timezone.now(), **values
    )


def bury_abandoned(*, now: datetime | None = None) -> int:
    """Rows whose last attempt was lost with its worker (lease expired, no attempts left)
    are dead: a message that kills every worker must not loop forever."""
    now = now or timezone.now()
    return Notification.objects.filter(
        state__in=[State.PENDING, State.FAILED],
        leased_until__lt=now,
        attempts__gte=settings.ALERTS_MAX_ATTEMPTS,
    ).update(
        state=State.DEAD,
        leased_until=None,
        last_error="the worker was lost during the last attempt",
    )


def deliver_due(
    *, now: datetime | None = None, batch: int = 20, max_batches: int = 50
) -> DeliveryReport:
    """What the worker runs: claim and send batches until nothing is due (or the budget
    of batches is spent, so one call stays short)."""
    report = DeliveryReport()
    bury_abandoned(now=now)
    for _ in range(max_batches):
        claimed = claim(now=now, limit=batch)
        if not claimed:
            break
        transports = {}
        for notification in claimed:
            report.add(deliver(notification, now=now, transports=transports))
    return report


def deliver_now(notification: Notification) -> Notification:
    """Deliver one message at once (the test button), through the same claim: a worker
    that got there first simply wins."""
    for claimed in claim(only=notification.pk, limit=1):
        deliver(claimed)
    notification.refresh_from_db()
    return notification
