"""Read queries for alerts; every list a user sees goes through ``notifications_visible``
or ``channels_visible`` (STYLE.md 4)."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from safework.core.access import people_visible, scope_organization_ids
from safework.core.actors import Actor
from safework.core.choices import Role

from .choices import Channel, WarningKind
from .models import (
    CertificateWarning,
    ChannelConfig,
    InboxItem,
    Notification,
    StatusTransition,
)
from .rules import AlertRules


def channel_config_for(channel: str, organization_id: int | None) -> ChannelConfig | None:
    """The organization's enabled settings for ``channel``, else the platform default."""
    configs = ChannelConfig.objects.filter(channel=channel, enabled=True)
    if organization_id is not None:
        found = configs.filter(organization_id=organization_id).first()
        if found is not None:
            return found
    return configs.filter(organization__isnull=True).first()


def notifications_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    """Safety managers see every message; a contractor admin those about or sent for their
    organization (and its subcontractors); an area head those about people on their sites
    and the digests sent to their own address (a digest is about many people: it names
    no one)."""
    if actor.sees_everything:
        return qs
    if actor.role == Role.CONTRACTOR_ADMIN:
        orgs = scope_organization_ids(actor)
        return qs.filter(Q(about_organization_id__in=orgs) | Q(organization_id__in=orgs))
    if actor.role == Role.AREA_HEAD:
        from safework.people.models import Person

        mine = Q(person__in=people_visible(Person.objects.all(), actor).values("id"))
        email = getattr(actor.user, "email", "")
        if email:
            mine |= Q(channel=Channel.EMAIL, person__isnull=True, recipient__iexact=email)
        return qs.filter(mine)
    return qs.none()


def notification_list(
    *, actor: Actor, state: str = "", channel: str = "", q: str = ""
) -> QuerySet[Notification]:
    qs = notifications_visible(Notification.objects.all(), actor)
    if state:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(
            Q(recipient__icontains=q) | Q(subject__icontains=q) | Q(person__name__icontains=q)
        )
    return qs.select_related("person", "about_organization", "organization").order_by(
        "-created_at", "-id"
    )


def notification_get(*, actor: Actor, pk: int) -> Notification:
    return notification_list(actor=actor).get(pk=pk)


def warning_list(*, actor: Actor, on: date | None = None) -> QuerySet[CertificateWarning]:
    """The warnings issued (the digests' link: one scan date), about people the actor may
    see, most urgent first (digest.urgency)."""
    from safework.people.models import Person

    qs = CertificateWarning.objects.filter(
        person__in=people_visible(Person.objects.all(), actor).values("id")
    )
    if on is not None:
        qs = qs.filter(scan_date=on)
    renewal = Case(
        When(kind=WarningKind.RENEWAL_OPEN, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.select_related("person__organization", "certificate__type").order_by(
        "-scan_date", "level", renewal, "days_left", "id"
    )


def channels_visible(actor: Actor) -> QuerySet[ChannelConfig]:
    qs = ChannelConfig.objects.select_related("organization")
    if actor.sees_everything:
        return qs
    if actor.role == Role.CONTRACTOR_ADMIN:
        return qs.filter(organization_id__in=scope_organization_ids(actor))
    return qs.none()


def inbox_list(*, user) -> QuerySet[InboxItem]:
    return InboxItem.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


def transitions_on(*, on: date, statuses: list[str] | None = None) -> QuerySet[StatusTransition]:
    """What changed status overnight on ``on`` (for the gate and the dashboard): e.g.
    ``transitions_on(on=today(), statuses=["expired", "review_overdue"])``."""
    qs = StatusTransition.objects.filter(on=on).select_related("certificate", "person")
    return qs.filter(to_status__in=statuses) if statuses else qs


def rules_for(organization_id: int | None) -> AlertRules:
    from .models import AlertPolicy

    policy = AlertPolicy.objects.filter(organization_id=organization_id).first()
    return AlertRules.model_validate(policy.rules) if policy else AlertRules()
