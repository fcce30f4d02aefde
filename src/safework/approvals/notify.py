"""Telling people about an approval: an in-app notification (the bell) and, for logins
with an address, an email through the outbox, in the caller's transaction (DESIGN.md 3:
nothing is sent for a rolled-back decision, nothing lost for a committed one)."""

from __future__ import annotations

from collections.abc import Iterable

from safework.alerts.choices import Channel
from safework.alerts.models import InboxItem
from safework.alerts.outbox import enqueue


def notify_users(users: Iterable, *, title: str, body: str, link: str, key: str) -> int:
    """One inbox item per user and an email to those with an address; ``key`` makes the
    emails idempotent (a retried call sends nothing twice)."""
    seen, count = set(), 0
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        InboxItem.objects.create(user=user, title=title[:200], body=body, link=link[:200])
        if user.email:
            enqueue(
                channel=Channel.EMAIL,
                recipient=user.email,
                subject=title,
                body=f"{body}\n\n{link}" if link else body,
                dedupe_key=f"{key}:{user.pk}"[:200],
            )
        count += 1
    return count
