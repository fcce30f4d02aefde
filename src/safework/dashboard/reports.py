"""Monthly and quarterly PDF reports per site (issue 10), from the dashboard's own
selectors for the period, kept as ``PeriodReport`` and emailed through the outbox to
the site's recipients (the PDF travels in the outbox row, so a retry sends the same)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.alerts.outbox import enqueue
from safework.audit.services import audit_record
from safework.certificates.choices import Status
from safework.certificates.reasons import reason_label
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.models import Site
from safework.permits.choices import Kind

from . import charts, distribution, selectors
from .choices import ReportPeriod
from .filters import DashboardFilter
from .models import PeriodReport, ReportSubscription, SelfCheckRun
from .pdf import report_pdf


def previous_period(period: str, on: date) -> tuple[date, date]:
    """The last full month, or the last full quarter, before ``on``."""
    this_month = on.replace(day=1)
    if period == ReportPeriod.MONTHLY:
        last = this_month - timedelta(days=1)
        return last.replace(day=1), last
    quarter_start = this_month.replace(month=(this_month.month - 1) // 3 * 3 + 1)
    last = quarter_start - timedelta(days=1)
    return last.replace(day=1).replace(month=(last.month - 1) // 3 * 3 + 1), last


def report_data(*, site: Site, start: date, end: date) -> dict:
    actor = Actor.system("dashboard.report")
    f = DashboardFilter(actor=actor, date_from=start, date_to=end, site_id=site.pk)
    counts = selectors.certificate_counts(f)
    register = selectors.compliance_register(f)
    denial_total, denial_reasons = selectors.denials_by_reason(f)
    by_kind: dict[str, int] = {}
    for row in selectors.permit_counts(f)["period"]:
        label = str(Kind(row["kind"]).label)
        by_kind[label] = by_kind.get(label, 0) + row["n"]
    runs = SelfCheckRun.objects.filter(month__gte=start.replace(day=1), month__lte=end)
    return {
        "summary": [
            (_("Special-operations workers"), register.total),
            (_("Compliance in the register"), register.percent),
            (_("Certificates expiring within 30 days"), selectors.expiring_counts(f)[30]),
            (_("Being renewed (换证中)"), counts[Status.RENEWING]),
            (_("Permits planned in the period"), sum(by_kind.values())),
            (_("Gate denials in the period"), denial_total),
            (_("First entries in the period"), selectors.new_entry_count(f)),
        ],
        "status_pie": [
            (str(Status(s).label), n, _colour(charts.STATUS_COLOURS[s])) for s, n in counts.items()
        ],
        "history": distribution.compliance_history(f),
        "permits_by_kind": sorted(by_kind.items()),
        "denials": [(reason_label(r), n) for r, n in denial_reasons.items()],
        "selfchecks": list(runs.filter(site__in=[site.pk]) | runs.filter(site__isnull=True)),
    }


def _colour(hex_colour: str):
    from reportlab.lib import colors

    return colors.HexColor(hex_colour)


@transaction.atomic
def report_issue(*, site: Site, period: str, start: date, end: date) -> PeriodReport:
    """Build (or build again) the report and queue it for every active recipient."""
    label = str(ReportPeriod(period).label)
    pdf = report_pdf(site=site, period_label=label, start=start, end=end,
                     data=report_data(site=site, start=start, end=end))  # fmt: skip
    digest = hashlib.sha256(pdf).hexdigest()
    report, _created = PeriodReport.objects.update_or_create(
        site=site, period=period, start=start,
        defaults={"end": end, "pdf": pdf, "sha256": digest, "created_at": timezone.now()},
    )  # fmt: skip
    name = f"{site.code}-{period}-{start:%Y%m}.pdf"
    recipients = ReportSubscription.objects.filter(site=site, period=period, is_active=True)
    for sub in recipients:
        enqueue(
            channel="email", recipient=sub.email, organization=site.owner,
            subject=_("%(site)s: %(period)s report %(start)s – %(end)s")
            % {"site": site.name, "period": label, "start": start, "end": end},
            body=_("The report is attached (SHA-256 %(hash)s).") % {"hash": digest},
            payload={"attachments": [{"filename": name, "content_type": "application/pdf",
                                      "base64": base64.b64encode(pdf).decode()}]},
            dedupe_key=f"report:{report.pk}:{digest[:16]}:{sub.email}",
        )  # fmt: skip
    audit_record(
        actor=Actor.system("dashboard.report"),
        action="report.issue",
        obj=report,
        changes={"sha256": digest, "recipients": [s.email for s in recipients]},
    )
    return report


def reports_due(*, on: date | None = None) -> list[PeriodReport]:
    """On the first of a month: every subscribed site's monthly report, and on the first
    of a quarter its quarterly report."""
    on = on or today()
    periods = [ReportPeriod.MONTHLY]
    if on.month in (1, 4, 7, 10):
        periods.append(ReportPeriod.QUARTERLY)
    issued = []
    for period in periods:
        start, end = previous_period(period, on)
        site_ids = ReportSubscription.objects.filter(period=period, is_active=True).values(
            "site_id"
        )
        for site in Site.objects.filter(pk__in=site_ids, is_active=True).select_related("owner"):
            issued.append(report_issue(site=site, period=period, start=start, end=end))
    return issued
