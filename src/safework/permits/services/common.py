"""Helpers shared by the permit services: clock, locking, state checks, audit, notices."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.approvals.notify import notify_users
from safework.audit.services import audit_record
from safework.core.access import require_write
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed

from ..models import Permit
from ..reasons import labels


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def local_day(moment: datetime):
    return timezone.localtime(moment).date()


def locked(permit: Permit) -> Permit:
    """The permit row locked for this change (two actions on one permit run in turn)."""
    return Permit.objects.select_for_update().get(pk=permit.pk)


def require_status(permit: Permit, *allowed: str) -> None:
    if permit.status not in allowed:
        raise ValidationFailed(
            {"status": _("Not possible while the permit is %(status)s.")
             % {"status": permit.get_status_display()}}
        )  # fmt: skip


def require_may_change(actor: Actor, permit: Permit) -> None:
    """Writers who can see the permit (the one permission gate)."""
    from ..selectors import permits_visible

    require_write(actor)
    if not actor.is_system and not permits_visible(Permit.objects.filter(pk=permit.pk), actor):
        raise NotAllowed(_("This permit is not yours to change."))


def refuse(field: str, codes: list[str]) -> None:
    if codes:
        raise ValidationFailed({field: labels(codes)})


def audit(actor: Actor, action: str, permit: Permit, **changes) -> None:
    audit_record(
        actor=actor,
        action=f"permit.{action}",
        obj=permit,
        changes={k: {"before": None, "after": v} for k, v in changes.items()},
    )


def managers():
    return get_user_model().objects.filter(is_active=True, profile__role=Role.SAFETY_MANAGER)


def notify(permit: Permit, event: str, *, body: str = "", users=None) -> None:
    """Inbox + email (through the outbox) to the applicant and the safety managers."""
    title = _("%(number)s %(kind)s: %(state)s") % {
        "number": permit.number,
        "kind": permit.get_kind_display(),
        "state": permit.get_status_display(),
    }
    recipients = [permit.created_by, *(users if users is not None else managers())]
    link = f"/permits/{permit.pk}/"
    notify_users(recipients, title=title, body=body or title, link=link,
                 key=f"permit:{permit.pk}:{event}")  # fmt: skip


def actor_name(actor: Actor) -> str:
    user = actor.user
    if user is not None and getattr(user, "is_authenticated", False):
        return (user.get_full_name() or user.get_username())[:150]
    return actor.label[:150]
