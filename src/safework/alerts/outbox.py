"""The outbox (DESIGN.md 3: nothing lost). ``enqueue`` is the one way to send anything:

    with transaction.atomic():
        permit.save()
        enqueue(channel="webhook", recipient="gate-1", body="...", organization=org,
                dedupe_key=f"permit:{permit.pk}:push")

The row commits or rolls back with the caller's change; a repeated ``dedupe_key`` returns
the row already there. After commit the worker is woken to deliver it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Left
from django.utils import timezone

from .choices import State
from .errors import TransactionRequired
from .models import Notification
from .sql import RandomUUID, insert_select


def enqueue(
    *,
    channel: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict | None = None,
    dedupe_key: str | None = None,
    organization=None,
    person=None,
    about_organization=None,
    warning=None,
) -> Notification:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("outbox.enqueue must be called inside the caller's transaction")
    if dedupe_key and (existing := Notification.objects.filter(dedupe_key=dedupe_key).first()):
        return existing
    row = Notification(
        channel=channel,
        recipient=recipient[:255],
        subject=subject[:200],
        body=body,
        payload=payload or {},
        dedupe_key=dedupe_key or None,
        organization=organization,
        person=person,
        about_organization=about_organization or getattr(person, "organization", None),
        warning=warning,
        state=State.PENDING,
        next_attempt_at=timezone.now(),
    )
    try:
        # A savepoint: a concurrent enqueue of the same key must not break the caller's
        # transaction, only return the row that won.
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if dedupe_key and (existing := Notification.objects.filter(dedupe_key=dedupe_key).first()):
            return existing
        raise
    wake_worker_on_commit()
    return row


def enqueue_many(rows: list[Notification]) -> int:
    """The scan's bulk path: same rows as ``enqueue``, one INSERT per batch; a dedupe key
    already present is skipped. Must run inside the caller's transaction too."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("outbox.enqueue_many must be called inside a transaction")
    now = timezone.now()
    unique = {row.dedupe_key: row for row in rows}  # one message per key, even in a batch
    for row in unique.values():
        row.state, row.next_attempt_at = State.PENDING, now
    Notification.objects.bulk_create(unique.values(), batch_size=1000, ignore_conflicts=True)
    if unique:
        wake_worker_on_commit()
    return len(unique)


def enqueue_select(rows: QuerySet, **columns) -> int:
    """The daily scan's set-based path: one outbox row per row of ``rows``, copied by the
    database (sql.insert_select). ``columns`` give channel, recipient, subject, body,
    payload, organization_id, person_id, about_organization_id, warning_id and dedupe_key
    as expressions on ``rows``; the rest is set as ``enqueue`` sets it. A dedupe key
    already present is skipped. The caller wakes the worker once it is done."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("outbox.enqueue_select must be called inside a transaction")
    now = timezone.now()
    columns |= {
        "recipient": Left(columns["recipient"], 255),
        "dedupe_key": Left(columns["dedupe_key"], 200),
        "key": RandomUUID(),
        "state": Value(State.PENDING.value),
        "attempts": Value(0),
        "next_attempt_at": Value(now),
        "created_at": Value(now),
        "updated_at": Value(now),
        **{name: Value("") for name in ("lease_token", "last_error", "provider_message_id")},
    }
    return insert_select(Notification, rows, columns, ignore_conflicts=True)


def wake_worker_on_commit() -> None:
    """Deliver soon after commit instead of at the next minute's poll. Never sends for a
    rolled-back change: on_commit hooks of a rolled-back transaction are dropped."""
    from django.conf import settings

    if settings.ALERTS_DELIVER_ON_COMMIT:
        transaction.on_commit(_wake, robust=True)


def _wake() -> None:
    from .tasks import deliver_outbox_task

    deliver_outbox_task()
