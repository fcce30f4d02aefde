"""Helpers of the evidence services: audit entries and notices to the safety managers."""

from __future__ import annotations

from django.db import models

from safework.approvals.notify import notify_users
from safework.audit.services import audit_record
from safework.core.actors import Actor
from safework.permits.services.common import managers


def audit(actor: Actor, action: str, obj: models.Model, **changes) -> None:
    audit_record(
        actor=actor,
        action=f"evidence.{action}",
        obj=obj,
        changes={k: {"before": None, "after": v} for k, v in changes.items()},
    )


def tell_managers(*, title: str, body: str, link: str, key: str) -> int:
    """Inbox + email through the outbox, in the caller's transaction."""
    return notify_users(managers(), title=title, body=body, link=link, key=key)
