"""Dashboard data that must be kept because it cannot be recomputed later: the daily
compliance snapshot (history), the monthly self-check runs with their items and evidence,
each site's emergency plan, and the periodic PDF reports with who receives them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safework.core.models import Organization, Site, TimeStamped

from .choices import CheckItem, ReportPeriod, RunState


class ComplianceSnapshot(models.Model):
    """Per day, organization and site (site empty: the organization's people whatever
    their site) the special-operations workers and how many of them were compliant, in
    the register and among those on site when the snapshot was taken. Sums of rows give
    any filter's rate, so the history follows the same filters as the live figures."""

    on = models.DateField(_("date"), db_index=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    workers = models.PositiveIntegerField(_("special-operations workers"))
    compliant = models.PositiveIntegerField(_("compliant workers"))
    on_site = models.PositiveIntegerField(_("on site"))
    on_site_compliant = models.PositiveIntegerField(_("compliant on site"))
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        ordering = ["on", "organization_id", "site_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["on", "organization", "site"],
                condition=Q(site__isnull=False),
                name="snapshot_once_per_site",
            ),
            models.UniqueConstraint(
                fields=["on", "organization"],
                condition=Q(site__isnull=True),
                name="snapshot_once_all_sites",
            ),
        ]
        verbose_name = _("compliance snapshot")
        verbose_name_plural = _("compliance snapshots")

    def __str__(self):
        return f"{self.on} org {self.organization_id} site {self.site_id}"


class SelfCheckRun(models.Model):
    """One evaluation of the monthly self-check (特种作业管理自查清单) for a month, for
    every site (``site`` empty) or one site. Items are kept as evaluated; a signed run
    never changes, and its result hash is in the audit chain."""

    month = models.DateField(_("month"), help_text=_("The first day of the month checked."))
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    state = models.CharField(
        _("state"), max_length=12, choices=RunState.choices, default=RunState.EVALUATED
    )
    passed = models.BooleanField(_("passed"))
    evaluated_at = models.DateTimeField(_("evaluated at"))
    evaluated_by = models.CharField(_("evaluated by"), max_length=150)
    result_hash = models.CharField(_("result hash (SHA-256)"), max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    signed_by_label = models.CharField(_("signed off by"), max_length=150, blank=True)
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    sign_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-month", "-evaluated_at", "-id"]
        indexes = [models.Index(fields=["month", "site"])]
        verbose_name = _("monthly self-check")
        verbose_name_plural = _("monthly self-checks")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.site_id or '*'} #{self.pk}"


class SelfCheckItem(models.Model):
    run = models.ForeignKey(SelfCheckRun, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("item"), choices=CheckItem.choices)
    passed = models.BooleanField(_("passed"))
    summary = models.CharField(_("summary"), max_length=500)
    checked = models.PositiveIntegerField(_("checked"), default=0)
    # [{"label", "detail", "link"}]: what did not pass (or, for passing items, nothing).
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    evidence_total = models.PositiveIntegerField(_("findings"), default=0)

    class Meta:
        ordering = ["run_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="selfcheck_item_once")
        ]

    def __str__(self):
        return f"{self.run_id}.{self.number}"


class EmergencyPlan(TimeStamped):
    """A site's emergency plan (应急预案) as far as the self-check needs it: whether it
    covers special-operations incidents, when it was last reviewed, when it is due."""

    site = models.OneToOneField(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="emergency_plan"
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=50, blank=True)
    covers_special_operations = models.BooleanField(
        _("covers special-operations incidents"), default=False
    )
    scope_note = models.TextField(_("what it covers"), blank=True)
    reviewed_on = models.DateField(_("last reviewed on"))
    next_review_due = models.DateField(_("next review due"))
    contact_email = models.EmailField(_("reminder email"))

    class Meta:
        ordering = ["site__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_due__gt=models.F("reviewed_on")),
                name="emergency_plan_review_after_last",
            )
        ]
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")

    def __str__(self):
        return self.title


class ReportSubscription(TimeStamped):
    """Who receives a site's monthly or quarterly PDF report by email."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("period"), max_length=10, choices=ReportPeriod.choices)
    email = models.EmailField(_("email"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site__name", "period", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "period", "email"], name="report_subscription_once"
            )
        ]
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")

    def __str__(self):
        return f"{self.site_id} {self.period} {self.email}"


class PeriodReport(models.Model):
    """A generated monthly or quarterly report of a site, kept as sent."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=10, choices=ReportPeriod.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-start", "site_id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "period", "start"], name="period_report_once")
        ]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")

    def __str__(self):
        return f"{self.site_id} {self.period} {self.start}"
