"""Telling a contractor: its admins' inbox (the bell) and email through the outbox, and
an SMS to a worker through the owner's SMS account; always in the caller's transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from safework.alerts.choices import SMS_CHANNELS
from safework.alerts.models import ChannelConfig
from safework.alerts.outbox import enqueue
from safework.approvals.notify import notify_users
from safework.core.choices import Role


def contractor_admins(organization) -> list:
    if organization is None:
        return []
    return list(
        get_user_model().objects.filter(
            is_active=True,
            profile__role=Role.CONTRACTOR_ADMIN,
            profile__organization_id=organization.pk,
        )
    )


def site_staff(role: str, site_ids: list[int]) -> list:
    """Active logins of ``role`` for one of ``site_ids``, or for every site (no site set:
    a plant-wide safety manager)."""
    users = get_user_model().objects.filter(is_active=True, profile__role=role)
    for_sites = Q(profile__sites__in=site_ids) | Q(profile__sites__isnull=True)
    return list(users.filter(for_sites).distinct().order_by("pk"))


def tell_contractor(organization, *, title: str, body: str, link: str, key: str) -> int:
    return notify_users(contractor_admins(organization), title=title, body=body, link=link, key=key)


def sms_channel(owner_id: int | None) -> tuple[str, int | None] | None:
    """The SMS account to use: the site owner's, else the platform default."""
    configs = ChannelConfig.objects.filter(enabled=True, channel__in=SMS_CHANNELS)
    for org_id in (owner_id, None):
        for channel in SMS_CHANNELS:
            if configs.filter(channel=channel, organization_id=org_id).exists():
                return channel, org_id
    return None


def sms_person(person, *, owner_id, text: str, params: dict, key: str) -> bool:
    """An SMS to the person's phone through the outbox; False when no SMS account is
    configured (the caller decides what that means)."""
    found = sms_channel(owner_id)
    if found is None or not person.phone:
        return False
    channel, config_org = found
    from safework.core.models import Organization

    enqueue(
        channel=channel,
        recipient=person.phone,
        subject=text[:200],
        body=text,
        payload={"sms_params": params},
        dedupe_key=key[:200],
        organization=Organization.objects.filter(pk=config_org).first() if config_org else None,
        person=person,
    )
    return True
