"""Write services for alerts: the daily scan, retrying dead messages, channel settings and
their test message, warning rules, and reading one's notifications. Each is atomic and
writes its audit entry in the same transaction (STYLE.md 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from safework.audit.services import audit_record, diff
from safework.core.access import require_owner_admin, require_write
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind
from safework.core.errors import NotAllowed, ValidationFailed, pydantic_message
from safework.core.models import Organization
from safework.people.models import Person

from . import config, outbox
from .choices import State
from .digest import Digests
from .fanout import Directory, Sent, fan_out
from .models import (
    AlertPolicy,
    ChannelConfig,
    InboxItem,
    Notification,
    ScanLock,
    ScanRun,
)
from .rules import AlertRules
from .scan import analyze_warnings, issue_warnings
from .selectors import notifications_visible
from .sql import planned_for
from .transitions import record_transitions

# -- the daily scan -----------------------------------------------------------------------------


@dataclass
class ScanReport:
    scan_date: date
    warnings: int = 0
    notifications: int = 0
    inbox: int = 0
    transitions: int = 0
    skipped: dict = field(default_factory=dict)


@transaction.atomic
def scan_expiry(*, on: date, actor: Actor) -> ScanReport:
    """Issue 4, The daily scan: record the day's status transitions, issue the warnings
    due on ``on`` and put their messages into the outbox, all in one transaction: the
    worker's SMS per warning, a digest per other recipient and channel (digest.py).
    Running it again on the same day finds nothing new."""
    ScanLock.objects.get_or_create(pk=1)
    ScanLock.objects.select_for_update().get(pk=1)  # one scan at a time
    report = ScanReport(scan_date=on)
    report.transitions = record_transitions(days=_transition_days(on))
    run = ScanRun.objects.filter(scan_date=on).values_list("runs", flat=True).first() or 0
    batches, directory = issue_warnings(on), Directory.load()
    sent = Sent(digests=Digests(on, run + 1))
    with planned_for(sum(batch.size for batch in batches), Person) as few:
        if not few:
            analyze_warnings()
        for batch in batches:
            fan_out(batch, directory, sent)
        digests, inbox = sent.digests.write()
    sent.notifications += digests
    sent.inbox += inbox
    report.warnings = sum(batch.size for batch in batches)
    report.notifications, report.inbox = sent.notifications, sent.inbox
    report.skipped = dict(sent.skipped)
    if report.notifications:
        outbox.wake_worker_on_commit()
    run = _record_run(report)
    audit_record(actor=actor, action="alerts.scan", obj=run, changes=_counts(report))
    return report


def _transition_days(on: date) -> list[date]:
    """The days since the last scan (after missed days, up to the catch-up limit)."""
    from django.conf import settings

    last = ScanRun.objects.filter(scan_date__lt=on).order_by("-scan_date").first()
    oldest = on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS)
    first = max(oldest, last.scan_date + timedelta(days=1)) if last is not None else on
    return [first + timedelta(days=i) for i in range((on - first).days + 1)]


def _record_run(report: ScanReport) -> ScanRun:
    now = timezone.now()
    run, _created = ScanRun.objects.get_or_create(
        scan_date=report.scan_date, defaults={"started_at": now}
    )
    run.runs += 1
    run.finished_at = now
    run.warnings += report.warnings
    run.notifications += report.notifications
    run.transitions += report.transitions
    run.skipped = {k: run.skipped.get(k, 0) + v for k, v in report.skipped.items()} | {
        k: v for k, v in run.skipped.items() if k not in report.skipped
    }
    run.save()
    return run


def _counts(report: ScanReport) -> dict:
    return {
        k: {"before": None, "after": v}
        for k, v in {
            "scan_date": report.scan_date,
            "warnings": report.warnings,
            "notifications": report.notifications,
            "transitions": report.transitions,
            "skipped": report.skipped,
        }.items()
    }


# -- the outbox -------------------------------------------------------------------------------


def _retryable(actor: Actor, notification: Notification) -> Notification:
    require_write(actor)
    if not notifications_visible(Notification.objects.filter(pk=notification.pk), actor).exists():
        raise NotAllowed(_("You cannot retry this message."))
    if notification.state not in (State.DEAD, State.FAILED):
        raise ValidationFailed({"state": _("Only failed or dead messages can be retried.")})
    return notification


@transaction.atomic
def notification_retry(*, actor: Actor, notification: Notification) -> Notification:
    """A message retried by hand starts over: all attempts again, due now."""
    notification = _retryable(
        actor, Notification.objects.select_for_update().get(pk=notification.pk)
    )
    before = {"state": notification.state, "attempts": notification.attempts}
    notification.state, notification.attempts = State.PENDING, 0
    notification.next_attempt_at, notification.leased_until = timezone.now(), None
    notification.save(
        update_fields=["state", "attempts", "next_attempt_at", "leased_until", "updated_at"]
    )
    audit_record(
        actor=actor, action="alerts.retry", obj=notification,
        changes=diff(before, {"state": notification.state, "attempts": 0}),
    )  # fmt: skip
    outbox.wake_worker_on_commit()
    return notification


@transaction.atomic
def notification_retry_dead(*, actor: Actor, ids: list[int]) -> int:
    """The 'retry all' button of the outbox page: every dead message the actor may see."""
    require_write(actor)
    qs = notifications_visible(Notification.objects.filter(pk__in=ids, state=State.DEAD), actor)
    pks = list(qs.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=pks).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), leased_until=None,
        updated_at=timezone.now(),
    )  # fmt: skip
    audit_record(
        actor=actor, action="alerts.retry_dead", object_type="alerts.notification",
        object_repr=_("%(count)d dead messages") % {"count": len(pks)},
        changes={"ids": {"before": None, "after": pks}},
    )  # fmt: skip
    outbox.wake_worker_on_commit()
    return len(pks)


# -- channels ---------------------------------------------------------------------------------


def _may_configure(actor: Actor, organization: Organization | None) -> None:
    """Safety managers configure any organization's channels and the platform default; a
    contractor admin only their own organization's (e.g. their WeCom group robot)."""
    require_write(actor)
    if actor.sees_everything:
        require_owner_admin(actor)
        return
    if organization is None or organization.pk != actor.organization_id:
        raise NotAllowed(_("You can only configure your own organization's channels."))


def _settings_or_errors(channel: str, values: dict) -> str:
    try:
        return config.encrypt(channel, values)
    except ValidationError as exc:
        raise ValidationFailed(
            {str(e["loc"][0]) if e["loc"] else "channel": pydantic_message(e) for e in exc.errors()}
        ) from None


@transaction.atomic
def channel_save(
    *,
    actor: Actor,
    channel: str,
    organization: Organization | None,
    values: dict,
    enabled: bool = True,
    instance: ChannelConfig | None = None,
) -> ChannelConfig:
    """Create or change a channel's settings. A secret left empty keeps the stored one."""
    _may_configure(actor, organization)
    if instance is not None:
        old = config.read(instance).model_dump()
        values = {
            k: (v if v or k not in config.SECRET_FIELDS else old.get(k, ""))
            for k, v in values.items()
        }
    elif ChannelConfig.objects.filter(organization=organization, channel=channel).exists():
        raise ValidationFailed(
            {"channel": _("This channel is already configured for this organization.")}
        )
    row = instance or ChannelConfig(organization=organization, channel=channel)
    row.settings_encrypted = _settings_or_errors(channel, values)
    row.enabled = enabled
    row.save()
    shown = {k: ("***" if k in config.SECRET_FIELDS else v) for k, v in values.items()}
    audit_record(
        actor=actor, action="alerts.channel_save", obj=row,
        changes={"enabled": {"before": None, "after": enabled}, "settings": {"before": None, "after": shown}},
    )  # fmt: skip
    return row


@transaction.atomic
def channel_test(*, actor: Actor, channel_config: ChannelConfig, recipient: str) -> Notification:
    """The page's 'send a test message' button: a test message into the outbox (delivered
    at once by the view, like any other message)."""
    _may_configure(actor, channel_config.organization)
    if channel_config.channel in config.GROUP_CHANNEL_VALUES:
        recipient = recipient or "group"
    if not recipient.strip():
        raise ValidationFailed({"recipient": _("Enter where the test message should go.")})
    text = _("This is a test message from safework. If you can read it, the channel works.")
    row = outbox.enqueue(
        channel=channel_config.channel,
        recipient=recipient.strip(),
        subject=_("safework test message"),
        body=text,
        payload={"markdown": text, "html": f"<p>{text}</p>", "sms_params": _sample_sms()},
        organization=channel_config.organization,
    )
    audit_record(
        actor=actor,
        action="alerts.channel_test",
        obj=channel_config,
        changes={"recipient": {"before": None, "after": recipient}},
    )
    return row


def _sample_sms() -> dict:
    return {"name": "张三", "item": "熔化焊接与热切割作业", "date": "2026-01-01", "days": "7",
            "action": _("renew in time")}  # fmt: skip


@transaction.atomic
def channel_record_test(*, channel_config: ChannelConfig, notification: Notification) -> None:
    channel_config.last_test_at = timezone.now()
    ok = notification.state == State.SENT
    channel_config.last_test_result = (_("Sent") if ok else notification.last_error)[:300]
    channel_config.save(update_fields=["last_test_at", "last_test_result", "updated_at"])


# -- rules ------------------------------------------------------------------------------------


@transaction.atomic
def policy_save(*, actor: Actor, organization: Organization, rules: dict) -> AlertPolicy:
    require_owner_admin(actor)
    if organization.kind != OrganizationKind.OWNER:
        raise ValidationFailed(
            {"organization": _("Warning rules belong to an owner organization.")}
        )
    try:
        parsed = AlertRules.model_validate(rules)
    except ValidationError as exc:
        messages = "; ".join(pydantic_message(e) for e in exc.errors())
        raise ValidationFailed({"rules": messages}) from None
    policy, _created = AlertPolicy.objects.get_or_create(organization=organization)
    before = policy.rules
    policy.rules = parsed.model_dump(mode="json")
    policy.save()
    audit_record(
        actor=actor,
        action="alerts.policy_save",
        obj=policy,
        changes=diff({"rules": before}, {"rules": policy.rules}),
    )
    return policy


# -- inbox ------------------------------------------------------------------------------------


def inbox_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Reading one's own notifications changes nothing anyone else sees: not audited."""
    qs = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
