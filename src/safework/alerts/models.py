"""Warning rules per owner organization, the warnings issued, the day's status transitions,
channel settings per organization, the Notification outbox and the in-app inbox."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.models import Organization, TimeStamped

from .choices import Channel, State, WarningKind


class AlertPolicy(TimeStamped):
    """An owner organization's warning rules (issue 4, Rules), as JSON read through
    ``rules.AlertRules``; certificates of owners without a policy get the defaults."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("owner organization"),
        on_delete=models.CASCADE,
        related_name="alert_policy",
    )
    rules = models.JSONField(_("rules"), default=dict)

    class Meta:
        verbose_name = _("warning rules")
        verbose_name_plural = _("warning rules")

    def __str__(self):
        return str(self.organization)


class CertificateWarning(models.Model):
    """One warning issued by the daily scan. The unique key (certificate, kind, level,
    due date) is what makes the scan idempotent; a new due date (renewal, review) starts
    a new series."""

    # No index of its own: the unique key below starts with it.
    certificate = models.ForeignKey(
        "certificates.Certificate",
        on_delete=models.CASCADE,
        related_name="warnings",
        db_index=False,
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=WarningKind.choices)
    level = models.SmallIntegerField(_("level (days before; -1 = lapsed)"))
    due_date = models.DateField(_("due date"))
    scan_date = models.DateField(_("scan date"), db_index=True)
    days_left = models.SmallIntegerField(_("days left"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-scan_date", "-id"]
        # The unique key is also the index of the scan's "already sent at this level or a
        # more urgent one" lookup (certificate, kind, due date, then a range of levels).
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "due_date", "level"], name="warning_once_per_date"
            )
        ]
        verbose_name = _("certificate warning")
        verbose_name_plural = _("certificate warnings")

    def __str__(self):
        return f"{self.kind}@{self.level} #{self.certificate_id} {self.due_date}"


class StatusTransition(models.Model):
    """A certificate's status changed overnight because a date passed (what lapsed at
    midnight): for the gate and the dashboard. Manual changes are in the audit trail."""

    on = models.DateField(_("date"), db_index=True)
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.CASCADE, related_name="transitions"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(_("from"), max_length=16)
    to_status = models.CharField(_("to"), max_length=16, db_index=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "on", "to_status"], name="transition_once_per_day"
            )
        ]
        verbose_name = _("status transition")
        verbose_name_plural = _("status transitions")

    def __str__(self):
        return f"{self.on} #{self.certificate_id} {self.from_status}->{self.to_status}"


class ScanRun(models.Model):
    scan_date = models.DateField(_("scan date"), unique=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    notifications = models.PositiveIntegerField(_("messages"), default=0)
    transitions = models.PositiveIntegerField(_("status transitions"), default=0)
    skipped = models.JSONField(_("not sent"), default=dict, blank=True)

    class Meta:
        ordering = ["-scan_date"]
        verbose_name = _("daily scan")
        verbose_name_plural = _("daily scans")

    def __str__(self):
        return str(self.scan_date)


class ScanLock(models.Model):
    """A single row locked by every scan, so that two scans (the 08:00 task and a manual
    ``scan-expiry``) never interleave."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)

    def __str__(self):
        return "scan lock"


class ChannelConfig(TimeStamped):
    """A channel's settings for one organization (or, without one, the platform default),
    stored encrypted: they hold credentials (DESIGN.md: channel credentials live in the
    database, never in the environment)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_channels",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    settings_encrypted = models.TextField(editable=False)
    last_test_at = models.DateTimeField(_("last test"), null=True, blank=True)
    last_test_result = models.CharField(_("last test result"), max_length=300, blank=True)

    class Meta:
        ordering = ["organization__name", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "channel"], name="channel_once_per_organization"
            ),
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(organization__isnull=True),
                name="channel_once_as_default",
            ),
        ]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return f"{self.get_channel_display()} · {self.organization or _('platform default')}"


class Notification(models.Model):
    """The outbox (DESIGN.md 3, Nothing lost): a row written in the same transaction as
    what caused it, delivered by the worker with retries.

    The daily scan writes up to a hundred thousand of these in one transaction, so a row
    carries only what is worth its price: its references to the organizations, person
    and warning are a log's back-references (db_constraint=False: no trigger per row at
    commit; deleting one still sets them to NULL through the ORM), the idempotency key is
    a fresh UUID with no index of its own (nothing looks a message up by it), and the
    dedupe key's unique constraint has no second, pattern-matching index."""

    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("sent with the settings of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    about_organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    warning = models.ForeignKey(
        CertificateWarning,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=16)
    recipient = models.CharField(_("recipient"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One message per dedupe key: per (warning, channel, recipient) for the
            # worker's SMS, per (scan date, run, channel, recipient) for a digest.
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            # The worker's claim: the oldest due rows in order, read off this index and
            # stopping after a batch, however many are waiting after the daily scan.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state__in=[State.PENDING, State.FAILED]),
                name="alerts_notification_due",
            ),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.channel} → {self.recipient} ({self.state})"


class InboxItem(models.Model):
    """A user's own notification in the app (the bell with the unread count)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_inbox"
    )
    warning = models.ForeignKey(
        CertificateWarning,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    # The daily digest's key (digest.py): one item per login, scan date and run.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "warning"], name="inbox_once_per_warning"),
            models.UniqueConstraint(fields=["dedupe_key"], name="inbox_once_per_key"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.title
