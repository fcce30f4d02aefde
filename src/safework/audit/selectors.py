"""Read queries on the audit trail; only safety managers (and superusers) read it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed

from .models import AuditAnchor, AuditEntry

PERSON = "people.person"
CERTIFICATE = "certificates.certificate"


def require_audit_reader(actor: Actor) -> None:
    if actor.role != Role.SAFETY_MANAGER or actor.token is not None:
        from django.utils.translation import gettext as _

        raise NotAllowed(_("Only safety managers can read the audit trail."))


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def audit_list(
    *,
    actor: Actor,
    person_id: int | None = None,
    certificate_id: int | None = None,
    actor_q: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    require_audit_reader(actor)
    qs = AuditEntry.objects.all()
    if person_id:
        from safework.certificates.models import Certificate

        cert_ids = [
            str(i)
            for i in Certificate.objects.filter(person_id=person_id).values_list("id", flat=True)
        ]
        qs = qs.filter(
            Q(object_type=PERSON, object_id=str(person_id))
            | Q(object_type=CERTIFICATE, object_id__in=cert_ids)
        )
    if certificate_id:
        qs = qs.filter(object_type=CERTIFICATE, object_id=str(certificate_id))
    if actor_q := actor_q.strip():
        qs = qs.filter(actor__icontains=actor_q)
    if action:
        qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return qs.order_by("-seq")


def object_history(*, actor: Actor, object_type: str, object_id: str) -> QuerySet[AuditEntry]:
    require_audit_reader(actor)
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("seq")


def action_names() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def anchor_list(*, actor: Actor) -> QuerySet[AuditAnchor]:
    require_audit_reader(actor)
    return AuditAnchor.objects.order_by("-anchor_date")
