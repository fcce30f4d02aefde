"""The monthly self-check evaluated from the data: each of the six items with its
evidence, the run's hash in the audit chain, sign-off, the PDF, the monthly task."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from safework.audit.models import AuditEntry
from safework.core.actors import Actor
from safework.core.errors import NotAllowed, ValidationFailed
from safework.dashboard import services
from safework.dashboard.models import EmergencyPlan, SelfCheckItem, SelfCheckRun
from safework.dashboard.pdf import selfcheck_pdf
from safework.dashboard.selfcheck import Period, evaluate
from safework.dashboard.tasks import monthly_selfcheck_task
from safework.evidence.models import Camera
from safework.people.models import Person
from safework.permits.models import Assignment, Permit

from .conftest import NOW, TODAY, standing

JUNE = date(2026, 6, 1)


def aware(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def month(world):
    """June 2026 as the data says: people registered in January; one assignment outside
    its certificate; one permit approved after it started; one contractor worker came
    before being registered and one before the briefing; one site without a plan."""
    Person.objects.update(created_at=aware(2026, 1, 5, 9))
    Person.objects.filter(pk=world.people["plain"].pk).update(created_at=NOW)
    standing(world.people["not_admitted"], admitted=False, briefing_required=True)
    dh1 = Permit.objects.get(number="DH-1")
    Permit.objects.filter(pk=dh1.pk).update(started_at=NOW - timedelta(hours=1),
                                             approved_at=NOW - timedelta(hours=2))  # fmt: skip
    Permit.objects.filter(number="GC-1").update(
        started_at=aware(2026, 6, 5, 10), approved_at=aware(2026, 6, 5, 11)
    )
    Assignment.objects.create(permit=dh1, person=world.people["expired"], role="electrician",
                              added_at=NOW)  # fmt: skip
    Assignment.objects.create(permit=dh1, person=world.people["ok"], role="hot_worker",
                              added_at=NOW)  # fmt: skip
    EmergencyPlan.objects.create(
        site=world.site, title="一厂综合应急预案", covers_special_operations=True,
        reviewed_on=date(2025, 12, 1), next_review_due=date(2026, 12, 1),
        contact_email="safety@example.com",
    )  # fmt: skip
    return world


def results(site_id=None):
    return {r.number: r for r in evaluate(JUNE, site_id)}


def labels(result):
    return [e["label"] for e in result.evidence]


def test_item_1_workers_on_duty_hold_valid_certificates(month):
    r = results()[1]
    assert not r.passed and r.checked == 5
    assert labels(r) == ["2026-06-10 换证中", "2026-06-10 未准入", "2026-06-10 过期电工"]
    detail = {e["label"]: e["detail"] for e in r.evidence}
    assert "MEM-1.1" in detail["2026-06-10 过期电工"]


def test_item_2_nobody_worked_outside_their_certificate(month):
    r = results()[2]
    assert r.checked == 2  # two people with certificate roles on DH-1, one day
    assert r.total == 1 and "过期电工" in r.evidence[0]["label"]


def test_item_2_checks_gate_entries_against_the_items(month):
    """Everyone let in to a strict work area was qualified that day for every item they are
    registered for; an area whose rule does not require certificates is not counted."""
    from safework.access.models import AreaPolicy
    from tests.factories import WorkAreaFactory

    from .conftest import event

    relaxed = WorkAreaFactory(site=month.site)
    AreaPolicy.objects.create(area=relaxed, requires_qualification=False)
    day = aware(2026, 6, 8, 9)
    for who, area in (("expired", month.area), ("ok", month.area), ("expired", relaxed)):
        entry = event(month.people[who], month.site, day)
        entry.area = area
        entry.save(update_fields=["area"])
    r = results()[2]
    assert r.checked == 2 + 2 and r.total == 2
    gate = [e for e in r.evidence if "门禁" in e["label"]]
    assert [e["label"] for e in gate] == ["2026-06-08 过期电工 经门禁进场"]
    assert "MEM-1.1" in gate[0]["detail"]


def test_item_3_permits_approved_before_they_started(month):
    r = results()[3]
    assert r.checked == 2
    assert len(labels(r)) == 1 and labels(r)[0].startswith("GC-1")


def test_item_4_contractor_workers_registered_and_briefed_first(month):
    r = results()[4]
    assert r.checked == 4  # ok, expired, not_admitted, plain
    assert sorted(labels(r)) == sorted(["普工", "未准入"])


def test_item_5_cameras_and_retention(month, settings):
    r = results()[5]
    assert r.total == 1  # no camera in the permits' area (video and frames: 90 days by default)
    Camera.objects.create(work_area=month.area, name="E-101 东", source="rtsp://127.0.0.1/1")
    assert results()[5].passed
    settings.EVIDENCE_VIDEO_RETENTION_DAYS = 31  # B.3's month, short of the 90 days asked
    assert not results()[5].passed


def test_item_6_emergency_plans(month):
    r = results()[6]
    assert labels(r) == ["二厂"]
    assert results(month.site.pk)[6].passed
    EmergencyPlan.objects.filter(site=month.site).update(next_review_due=date(2026, 6, 1))
    assert not results(month.site.pk)[6].passed  # review overdue


def test_one_site_only(month):
    assert labels(results(month.other_site.pk)[1]) == ["2026-06-10 换证中"]


def test_run_is_kept_hashed_and_audited(month, manager):
    run = services.selfcheck_run(actor=manager, month=JUNE)
    assert not run.passed and run.items.count() == 6
    assert services.result_hash(run, list(run.items.all())) == run.result_hash
    entry = AuditEntry.objects.get(action="selfcheck.evaluate")
    assert entry.changes["result_hash"] == run.result_hash
    assert entry.changes["failed_items"] == [1, 2, 3, 4, 5, 6]


def test_sign_off_by_the_safety_manager(month, manager):
    run = services.selfcheck_run(actor=manager, month=JUNE)
    services.selfcheck_sign(actor=manager, run=run, note="已整改")
    run.refresh_from_db()
    assert run.state == "signed" and run.signed_by_label == "manager"
    entry = AuditEntry.objects.get(action="selfcheck.sign")
    assert entry.changes["result_hash"] == run.result_hash
    with pytest.raises(ValidationFailed):
        services.selfcheck_sign(actor=manager, run=run)


def test_only_a_safety_manager_runs_and_signs(month, manager, contractor_admin):
    with pytest.raises(NotAllowed):
        services.selfcheck_run(actor=contractor_admin, month=JUNE)
    run = services.selfcheck_run(actor=manager, month=JUNE)
    with pytest.raises(NotAllowed):
        services.selfcheck_sign(actor=contractor_admin, run=run)


def test_an_edited_result_cannot_be_signed(month, manager):
    run = services.selfcheck_run(actor=manager, month=JUNE)
    SelfCheckItem.objects.filter(run=run, number=1).update(evidence=[])
    with pytest.raises(ValidationFailed):
        services.selfcheck_sign(actor=manager, run=run)


def test_a_future_month_is_refused(month, manager):
    with pytest.raises(ValidationFailed) as exc:
        services.selfcheck_run(actor=manager, month=date(2026, 7, 1))
    assert "month" in exc.value.errors


def test_pdf_with_charts(month, manager):
    run = services.selfcheck_run(actor=manager, month=JUNE)
    pdf = selfcheck_pdf(run, [])
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and len(pdf) > 3000


def test_the_first_of_the_month_evaluates_the_month_before(month, monkeypatch):
    monkeypatch.setattr("safework.core.clock.today", lambda: date(2026, 7, 1))
    for module in ("selfcheck", "services"):
        monkeypatch.setattr(f"safework.dashboard.{module}.today", lambda: date(2026, 7, 1))
    monthly_selfcheck_task.call_local()
    run = SelfCheckRun.objects.get()
    assert run.month == JUNE and run.evaluated_by == "dashboard.selfcheck"


def test_period_stops_at_today(world):
    assert Period(JUNE, None).last == TODAY
    assert Period(date(2026, 5, 1), None).last == date(2026, 5, 31)


def test_system_actor_may_run(month):
    assert services.selfcheck_run(actor=Actor.system("t"), month=JUNE).pk


def test_findings_beyond_the_evidence_limit_are_counted_without_building_rows(monkeypatch):
    from safework.dashboard import selfcheck

    monkeypatch.setattr(selfcheck, "EVIDENCE_LIMIT", 2)
    result = selfcheck.ItemResult(1)
    built = []
    for n in range(5):
        result.find(lambda n=n: built.append(n) or (f"p{n}", "detail", ""))
    assert result.total == 5 and not result.passed
    assert built == [0, 1] and [e["label"] for e in result.evidence] == ["p0", "p1"]
