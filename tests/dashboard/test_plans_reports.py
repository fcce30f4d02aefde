"""Emergency plans and their reminders; the monthly and quarterly site reports through
the outbox; the self-check, plan and report pages."""

import base64
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from safework.alerts.delivery import deliver
from safework.alerts.models import Notification
from safework.audit.models import AuditEntry
from safework.core.errors import NotAllowed, ValidationFailed
from safework.dashboard import reports, services
from safework.dashboard.choices import ReportPeriod
from safework.dashboard.models import EmergencyPlan, PeriodReport, SelfCheckRun
from safework.dashboard.tasks import emergency_plan_reminders_task

from .conftest import TODAY

PASSWORD = "Pw-for-tests-123"


def plan_fields(**kw):
    return {
        "title": "一厂综合应急预案", "version": "2026版", "covers_special_operations": True,
        "scope_note": "动火、受限空间、高处坠落", "reviewed_on": date(2025, 6, 15),
        "next_review_due": date(2026, 6, 15), "contact_email": "safety@example.com", **kw,
    }  # fmt: skip


def test_plan_saved_and_audited(world, manager):
    plan = services.emergency_plan_save(actor=manager, site=world.site, **plan_fields())
    assert plan.site == world.site
    services.emergency_plan_save(actor=manager, site=world.site, **plan_fields(version="2027版"))
    assert EmergencyPlan.objects.get().version == "2027版"
    entry = AuditEntry.objects.filter(action="emergency_plan.save").order_by("seq").last()
    assert entry.changes["version"] == {"before": "2026版", "after": "2027版"}


def test_plan_review_must_follow_the_last_one(world, manager):
    with pytest.raises(ValidationFailed) as exc:
        services.emergency_plan_save(
            actor=manager, site=world.site, **plan_fields(next_review_due=date(2025, 6, 1))
        )
    assert "next_review_due" in exc.value.errors
    assert not EmergencyPlan.objects.exists()


def test_only_the_owner_records_plans(world, contractor_admin):
    with pytest.raises(NotAllowed):
        services.emergency_plan_save(actor=contractor_admin, site=world.site, **plan_fields())


def test_review_reminders_through_the_outbox_once_per_level(world, manager):
    services.emergency_plan_save(actor=manager, site=world.site, **plan_fields())  # due in 5 days
    assert services.emergency_plan_reminders(on=TODAY) == 1
    assert services.emergency_plan_reminders(on=TODAY) == 0  # same day again: nothing new
    message = Notification.objects.get(dedupe_key__startswith="emergency-plan:")
    assert message.recipient == "safety@example.com" and "一厂" in message.subject
    assert message.dedupe_key.endswith(":7")
    assert services.emergency_plan_reminders(on=date(2026, 6, 15)) == 1  # due: level 0
    assert services.emergency_plan_reminders(on=date(2026, 4, 1)) == 0  # not due yet


def test_reminder_task(world, manager):
    services.emergency_plan_save(actor=manager, site=world.site, **plan_fields())
    emergency_plan_reminders_task.call_local()
    assert Notification.objects.filter(dedupe_key__startswith="emergency-plan:").count() == 1


def test_previous_periods():
    assert reports.previous_period("monthly", date(2026, 7, 1)) == (
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    assert reports.previous_period("quarterly", date(2026, 7, 1)) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    assert reports.previous_period("quarterly", date(2026, 1, 1)) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )


def test_report_is_kept_and_emailed_with_the_pdf(world, manager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.report_subscription_add(actor=manager, site=world.site, period="monthly",
                                     email="Boss@Example.com")  # fmt: skip
    report = reports.report_issue(site=world.site, period="monthly", start=date(2026, 6, 1),
                                  end=date(2026, 6, 30))  # fmt: skip
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    message = Notification.objects.get(recipient="boss@example.com")
    assert base64.b64decode(message.payload["attachments"][0]["base64"]) == pdf
    assert deliver(message) == "sent"
    sent = mail.outbox[-1]
    assert sent.to == ["boss@example.com"]
    assert sent.attachments[0][0].endswith(".pdf") and sent.attachments[0][1] == pdf
    assert AuditEntry.objects.filter(action="report.issue").exists()


def test_reports_due_on_the_first_of_a_quarter(world, manager):
    for period in ReportPeriod.values:
        services.report_subscription_add(actor=manager, site=world.site, period=period,
                                         email="a@example.com")  # fmt: skip
    issued = reports.reports_due(on=date(2026, 7, 1))
    assert sorted((r.period, r.start) for r in issued) == [
        ("monthly", date(2026, 6, 1)), ("quarterly", date(2026, 4, 1))
    ]  # fmt: skip
    assert [r.period for r in reports.reports_due(on=date(2026, 8, 1))] == ["monthly"]
    assert PeriodReport.objects.count() == 3


# --- pages -------------------------------------------------------------------------------------


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_selfcheck_pages_run_sign_and_pdf(world, manager_user):
    client = login(manager_user)
    response = client.post(reverse("dashboard:selfchecks"), {"month": "2026-06", "site": ""})
    run = SelfCheckRun.objects.get()
    assert response.url == reverse("dashboard:selfcheck", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert 'id="item-6"' in page and "二厂" in page
    client.post(reverse("dashboard:selfcheck_sign", args=[run.pk]), {"note": "已复核"})
    run.refresh_from_db()
    assert run.state == "signed"
    pdf = client.get(reverse("dashboard:selfcheck_pdf", args=[run.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_selfcheck_month_error_names_the_field(world, manager_user):
    client = login(manager_user)
    response = client.post(reverse("dashboard:selfchecks"), {"month": "2026-07"})
    assert 'data-error-for="month"' in response.content.decode()
    assert not SelfCheckRun.objects.exists()


def test_selfcheck_is_not_for_contractor_admins(world, contractor_admin):
    client = login(contractor_admin.user)
    assert client.get(reverse("dashboard:selfchecks")).status_code == 403


def test_plan_page(world, manager_user):
    client = login(manager_user)
    data = {**plan_fields(), "site": world.site.pk, "covers_special_operations": "on"}
    response = client.post(reverse("dashboard:plans"), data)
    assert response.status_code == 302
    assert EmergencyPlan.objects.get().covers_special_operations
    bad = client.post(reverse("dashboard:plans"), {**data, "next_review_due": "2025-01-01"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()


def test_report_pages(world, manager_user):
    client = login(manager_user)
    client.post(reverse("dashboard:reports"),
                {"site": world.site.pk, "period": "monthly", "email": "x@example.com"})  # fmt: skip
    report = reports.report_issue(site=world.site, period="monthly", start=date(2026, 5, 1),
                                  end=date(2026, 5, 31))  # fmt: skip
    page = client.get(reverse("dashboard:reports")).content.decode()
    assert "x@example.com" in page
    download = client.get(reverse("dashboard:report", args=[report.pk]))
    assert download.content == bytes(report.pdf)
