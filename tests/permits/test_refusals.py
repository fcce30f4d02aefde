"""What the permit refuses, and what it records when it does."""

from datetime import date, timedelta

import pytest

from safework.alerts.models import Notification
from safework.certificates.models import Certificate
from safework.core.errors import ValidationFailed
from safework.permits import services
from safework.permits.choices import Kind, Status, WorkerRole
from safework.permits.models import Permit, SignIn
from safework.permits.services.monitoring import confined_readings_alert

from .conftest import LAT, LNG, certified
from .helpers import approve_all, draft, gas_ok, prepare, sign_everyone_in

W = WorkerRole
HOT = {"method": "气割", "fire_explosion_zone": True}  # 一级 on a working day: 8 h
CONFINED = {"space_name": "T-201", "medium": "苯"}


def running(manager, approvers, area, people, clock, kind=Kind.HOT_WORK, details=HOT,
            workers=((W.HOT_WORKER, "welder"),), hours=8):  # fmt: skip
    permit = draft(manager, area, people, kind, clock, hours=hours, details=details)
    permit = prepare(manager, permit, people, list(workers), clock)
    services.permit_submit(actor=manager, permit=permit, now=clock)
    permit = approve_all(permit, approvers)
    gas_ok(manager, permit, clock)
    services.briefing_give(actor=manager, permit=permit, now=clock)
    sign_everyone_in(manager, permit, clock)
    if kind == Kind.HOT_WORK:
        services.shift_leader_check(actor=manager, permit=permit, now=clock)
    return services.permit_start(actor=manager, permit=permit, now=clock)


@pytest.mark.django_db
def test_unqualified_worker_cannot_be_added_and_says_why(manager, area, people, clock):
    """4.9: "特种作业人员...应持证上岗": a worker without a welding certificate is refused."""
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details=HOT)
    with pytest.raises(ValidationFailed) as err:
        services.assignment_add(actor=manager, permit=permit, person=people["worker"],
                                role=W.HOT_WORKER, now=clock)  # fmt: skip
    assert "无" in str(err.value.errors["person"]) or "No certificate" in str(err.value.errors)
    assert not permit.assignments.exists()


@pytest.mark.django_db
def test_certificate_expiring_mid_permit_is_refused(manager, area, people, clock, owner):
    """A 72 h 二级 permit from Tuesday; the certificate ends on Wednesday."""
    welder = certified("MEM-2.1", org=owner, valid_until=date(2026, 3, 11))
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, hours=48, details={"method": "焊"})
    assert permit.level == "hot_2"
    with pytest.raises(ValidationFailed) as err:
        services.assignment_add(actor=manager, permit=permit, person=welder, role=W.HOT_WORKER,
                                now=clock)  # fmt: skip
    assert "certificate" in str(err.value.errors).lower() or "证" in str(err.value.errors)


@pytest.mark.django_db
def test_contractor_worker_not_admitted_is_refused(manager, area, people, clock):
    from safework.contractors.models import ChecklistItem
    from tests.factories import OrganizationFactory

    ChecklistItem.objects.create(site=area.site, worker_kind="special", kind="id_card")
    contractor = OrganizationFactory()
    welder = certified("MEM-2.1", org=contractor)
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details=HOT)
    with pytest.raises(ValidationFailed):
        services.assignment_add(actor=manager, permit=permit, person=welder, role=W.HOT_WORKER,
                                now=clock)  # fmt: skip


@pytest.mark.django_db
def test_guardian_needs_a_valid_training_record(manager, area, people, clock):
    """4.10: "监护人应经过培训"."""
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details=HOT)
    with pytest.raises(ValidationFailed) as err:
        services.assignment_add(actor=manager, permit=permit, person=people["worker"],
                                role=W.GUARDIAN, now=clock)  # fmt: skip
    assert "guardian" in str(err.value.errors).lower() or "监护" in str(err.value.errors)


@pytest.mark.django_db
def test_submission_needs_guardian_measures_and_lifting_plan(manager, area, people, clock):
    permit = draft(
        manager, area, people, Kind.LIFTING, clock, details={"mass_t": 120, "crane": "履带吊"}
    )
    services.assignment_add(actor=manager, permit=permit, person=people["driver"],
                            role=W.CRANE_DRIVER, now=clock)  # fmt: skip
    services.jsa_save(actor=manager, permit=permit, residual_risk="中",
                      steps=[{"step": "试吊", "hazards": "倾覆", "measures": "支腿"}])  # fmt: skip
    for level in (1, 2, 3):
        services.jsa_sign(actor=manager, permit=permit, level=level, now=clock)
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=Permit.objects.get(pk=permit.pk), now=clock)
    assert {"guardian", "measures", "lifting_plan"} <= set(err.value.errors)


@pytest.mark.django_db
def test_jsa_signatures_go_in_order(manager, area, people, clock):
    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 4})
    services.jsa_save(actor=manager, permit=permit, residual_risk="低",
                      steps=[{"step": "搭架", "hazards": "坠落", "measures": "安全带"}])  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.jsa_sign(actor=manager, permit=permit, level=2, now=clock)


@pytest.mark.django_db
def test_stale_gas_sample_blocks_start(manager, approvers, area, people, clock):
    """5.3.1: no start without a passing sample ≤ 30 min old."""
    permit = draft(manager, area, people, Kind.CONFINED_SPACE, clock, details=CONFINED)
    permit = prepare(manager, permit, people, [(W.WORKER, "worker")], clock)
    services.permit_submit(actor=manager, permit=permit, now=clock)
    permit = approve_all(permit, approvers)
    gas_ok(manager, permit, clock)
    services.briefing_give(actor=manager, permit=permit, now=clock)
    late = clock + timedelta(minutes=31)
    sign_everyone_in(manager, permit, late)
    with pytest.raises(ValidationFailed) as err:
        services.permit_start(actor=manager, permit=permit, now=late)
    assert "30" in str(err.value.errors["status"])
    gas_ok(manager, permit, late - timedelta(minutes=1))
    assert (
        services.permit_start(actor=manager, permit=permit, now=late).status == Status.IN_PROGRESS
    )


@pytest.mark.django_db
def test_failed_reading_during_work_suspends(manager, approvers, area, people, clock):
    """6.5: an alarm stops the work."""
    permit = running(manager, approvers, area, people, clock, Kind.CONFINED_SPACE, CONFINED,
                     ((W.WORKER, "worker"),), 20)  # fmt: skip
    gas_ok(manager, permit, clock + timedelta(hours=1), oxygen_percent="18.0")
    permit.refresh_from_db()
    assert (permit.status, permit.pause_reason) == (Status.SUSPENDED, "gas_failed")


@pytest.mark.django_db
def test_resume_after_long_pause_needs_a_new_sample(manager, approvers, area, people, clock):
    """5.3.1: 一级 hot work paused > 30 min needs a new gas analysis before resuming."""
    permit = running(manager, approvers, area, people, clock)
    paused = clock + timedelta(hours=1)
    services.permit_suspend(actor=manager, permit=permit, reason="午饭", now=paused)
    back = paused + timedelta(minutes=31)
    with pytest.raises(ValidationFailed):
        services.permit_resume(actor=manager, permit=permit, now=back)
    gas_ok(manager, permit, back - timedelta(minutes=5))
    assert (
        services.permit_resume(actor=manager, permit=permit, now=back).status == Status.IN_PROGRESS
    )


@pytest.mark.django_db
def test_short_pause_resumes_without_new_sample(manager, approvers, area, people, clock):
    permit = running(manager, approvers, area, people, clock)
    paused = clock + timedelta(hours=1)
    services.permit_suspend(actor=manager, permit=permit, reason="换气瓶", now=paused)
    resumed = services.permit_resume(
        actor=manager, permit=permit, now=paused + timedelta(minutes=20)
    )
    assert resumed.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_guardian_leaving_suspends_until_a_guardian_signs_in(
    manager, approvers, area, people, clock
):
    """4.10: the guardian never leaves; leaving means the work stops."""
    permit = running(manager, approvers, area, people, clock)
    out = clock + timedelta(minutes=10)
    services.sign_out(actor=manager, permit=permit, person=people["guardian"], now=out)
    permit.refresh_from_db()
    assert (permit.status, permit.pause_reason) == (Status.SUSPENDED, "guardian_signed_out")
    with pytest.raises(ValidationFailed):
        services.permit_resume(actor=manager, permit=permit, now=out + timedelta(minutes=5))
    services.sign_in(actor=manager, permit=permit, person=people["guardian"], latitude=LAT,
                     longitude=LNG, accuracy=5, now=out + timedelta(minutes=6))  # fmt: skip
    resumed = services.permit_resume(actor=manager, permit=permit, now=out + timedelta(minutes=7))
    assert resumed.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_sign_in_outside_geofence_or_unassigned_is_refused_and_recorded(manager, approvers, area,
                                                                        people, clock):  # fmt: skip
    permit = running(manager, approvers, area, people, clock)
    far = services.sign_in(actor=manager, permit=permit, person=people["welder"],
                           latitude=LAT + 0.01, longitude=LNG, accuracy=5, now=clock)  # fmt: skip
    stranger = services.sign_in(actor=manager, permit=permit, person=people["driver"],
                                latitude=LAT, longitude=LNG, accuracy=5, now=clock)  # fmt: skip
    assert (far.accepted, far.reasons) == (False, ["outside_geofence"])
    assert far.distance_m > 1000
    assert (stranger.accepted, stranger.reasons) == (False, ["not_on_permit"])
    assert SignIn.objects.filter(permit=permit, accepted=False).count() == 2


@pytest.mark.django_db
def test_unqualified_sign_in_is_refused(manager, approvers, area, people, clock):
    permit = running(manager, approvers, area, people, clock)
    Certificate.objects.filter(person=people["welder"]).update(manual_state="suspended")
    row = services.sign_in(actor=manager, permit=permit, person=people["welder"], latitude=LAT,
                           longitude=LNG, accuracy=5, now=clock + timedelta(hours=1))  # fmt: skip
    assert (row.accepted, row.reasons) == (False, ["certificate_suspended"])


@pytest.mark.django_db
def test_approval_refused_when_a_worker_lost_qualification(manager, approvers, area, people, clock):
    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    permit = prepare(manager, permit, people, [(W.SCAFFOLDER, "scaffolder")], clock)
    services.permit_submit(actor=manager, permit=permit, now=clock)
    Certificate.objects.filter(person=people["scaffolder"]).update(manual_state="revoked")
    with pytest.raises(ValidationFailed):
        approve_all(permit, approvers)
    assert Permit.objects.get(pk=permit.pk).status == Status.APPROVING


@pytest.mark.django_db
def test_daily_check_suspends_when_a_certificate_lapses(manager, approvers, area, people, clock):
    permit = running(manager, approvers, area, people, clock, Kind.HEIGHT, {"height_m": 3},
                     ((W.SCAFFOLDER, "scaffolder"),), 48)  # fmt: skip
    Certificate.objects.filter(person=people["scaffolder"]).update(valid_until=date(2026, 3, 10))
    assert services.permit_daily_check(permit=permit, now=clock) is False  # already checked today
    assert services.permit_daily_check(permit=permit, now=clock + timedelta(days=1)) is True
    assert Permit.objects.get(pk=permit.pk).pause_reason == "worker_unqualified"


@pytest.mark.django_db
def test_past_validity_stops_no_extension_new_permit_instead(
    manager, approvers, area, people, clock
):
    """4.16: no extension; the old permit expires and a new one starts from it as a draft."""
    permit = running(manager, approvers, area, people, clock)
    end = clock + timedelta(hours=8)
    services.permit_suspend(
        actor=manager, permit=permit, reason="等料", now=end - timedelta(hours=1)
    )
    with pytest.raises(ValidationFailed):
        services.permit_resume(actor=manager, permit=permit, now=end)
    assert services.permits_expire_due(now=end) == 1
    assert Permit.objects.get(pk=permit.pk).status == Status.EXPIRED
    fresh = services.permit_new_from(actor=manager, source=permit, planned_start=end,
                                     planned_end=end + timedelta(hours=4), now=end)  # fmt: skip
    assert (fresh.status, fresh.source_id, fresh.number) == (
        Status.DRAFT,
        permit.pk,
        "DH-2026-0002",
    )
    assert fresh.measures.count() == permit.measures.count()


@pytest.mark.django_db
def test_too_long_a_permit_is_refused(manager, area, people, clock):
    """5.1.5: 一级 hot work ≤ 8 h."""
    with pytest.raises(ValidationFailed):
        draft(manager, area, people, Kind.HOT_WORK, clock, hours=9, details=HOT)


@pytest.mark.django_db
def test_overdue_confined_space_reading_alerts_through_the_outbox(manager, approvers, area,
                                                                  people, clock):  # fmt: skip
    """6.5: readings every 2 h; an overdue one alerts the guardian and safety managers."""
    manager.user.email = "anquan@example.com"
    manager.user.save()
    running(manager, approvers, area, people, clock, Kind.CONFINED_SPACE, CONFINED,
            ((W.WORKER, "worker"),), 20)  # fmt: skip
    assert confined_readings_alert(now=clock + timedelta(hours=1, minutes=59)) == 0
    assert confined_readings_alert(now=clock + timedelta(hours=2, minutes=1)) == 1
    confined_readings_alert(now=clock + timedelta(hours=2, minutes=5))  # no duplicate
    sms = Notification.objects.filter(recipient=people["guardian"].phone)
    mail = Notification.objects.filter(
        recipient="anquan@example.com", dedupe_key__contains="reading-due"
    )
    assert (sms.count(), mail.count()) == (1, 1)


@pytest.mark.django_db
def test_outsider_cannot_change_a_permit(manager, area, people, clock, django_user_model):
    from safework.core.actors import Actor
    from safework.core.choices import Role
    from safework.core.errors import NotAllowed
    from tests.conftest import make_user
    from tests.factories import OrganizationFactory

    other = make_user(django_user_model, "other", Role.CONTRACTOR_ADMIN, OrganizationFactory())
    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    with pytest.raises(NotAllowed):
        services.permit_cancel(actor=Actor(user=other), permit=permit, reason="x")


@pytest.mark.django_db
def test_a_new_day_needs_a_fresh_gas_analysis_and_the_guardian_again(manager, approvers, area,
                                                                     people, clock):  # fmt: skip
    """5.3.1: "每日动火前均应进行气体分析"; the people sign in again each day."""
    permit = running(manager, approvers, area, people, clock, Kind.HOT_WORK,
                     {"method": "焊"}, ((W.HOT_WORKER, "welder"),), 48)  # fmt: skip
    next_morning = clock + timedelta(days=1)
    assert services.permit_daily_check(permit=permit, now=next_morning) is True
    assert Permit.objects.get(pk=permit.pk).pause_reason == "new_day"
    with pytest.raises(ValidationFailed):
        services.permit_resume(
            actor=manager, permit=permit, now=next_morning + timedelta(minutes=10)
        )
    gas_ok(manager, permit, next_morning + timedelta(minutes=5))
    sign_everyone_in(manager, permit, next_morning + timedelta(minutes=6))
    resumed = services.permit_resume(actor=manager, permit=permit,
                                     now=next_morning + timedelta(minutes=10))  # fmt: skip
    assert resumed.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_two_blind_plate_jobs_on_one_pipeline_refused(manager, approvers, area, people, clock):
    """7.10: "不应在同一管道上同时进行两处或两处以上的盲板抽堵作业"."""
    details = {"pipeline": "P-3", "medium": "氮气", "plate_material": "20#", "plate_no": "MB-1",
               "operation": "堵"}  # fmt: skip
    first = draft(manager, area, people, Kind.BLIND_PLATE, clock, details=details)
    first = prepare(manager, first, people, [(W.WORKER, "worker")], clock)
    services.permit_submit(actor=manager, permit=first, now=clock)
    second = draft(
        manager, area, people, Kind.BLIND_PLATE, clock, details={**details, "plate_no": "MB-2"}
    )
    second = prepare(manager, second, people, [(W.WORKER, "worker")], clock)
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=second, now=clock)
    assert "pipeline" in err.value.errors


@pytest.mark.django_db
def test_contractor_guardian_with_accepted_training_document(manager, area, people, clock):
    """Issue 7's admission documents: an accepted training record of a guardian counts."""
    from safework.contractors.models import ContractorWorker, WorkerDocument
    from tests.factories import OrganizationFactory, PersonFactory

    guardian = PersonFactory(organization=OrganizationFactory())
    worker, _ = ContractorWorker.objects.get_or_create(person=guardian)
    ContractorWorker.objects.filter(pk=worker.pk).update(worker_kind="guardian")
    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    with pytest.raises(ValidationFailed):
        services.assignment_add(
            actor=manager, permit=permit, person=guardian, role=W.GUARDIAN, now=clock
        )
    WorkerDocument.objects.create(worker=worker, kind="training_record", state="accepted",
                                  valid_until=date(2027, 1, 1))  # fmt: skip
    row = services.assignment_add(actor=manager, permit=permit, person=guardian, role=W.GUARDIAN,
                                  now=clock)  # fmt: skip
    assert row.role == W.GUARDIAN


@pytest.mark.django_db
def test_enterprise_edits_the_chain_and_new_permits_follow_it(manager, area, people, clock):
    """Table B.1 is the default; the enterprise may change it (annex B)."""
    from safework.approvals.services import chain_save
    from safework.permits.services import chain_for

    chain = chain_for(Kind.HEIGHT, "height_1")
    steps = [{"name": "车间主任", "mode": "any", "parties": [{"label": "车间", "role": "area_head"}]},
             {"name": "安全科", "mode": "all", "parties": [{"label": "安全", "role": "safety_manager"}]}]  # fmt: skip
    chain_save(actor=manager, code=chain.code, name=chain.name, subject_kind=chain.subject_kind,
               steps=steps, chain=chain)  # fmt: skip
    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    permit = prepare(manager, permit, people, [(W.SCAFFOLDER, "scaffolder")], clock)
    permit = services.permit_submit(actor=manager, permit=permit, now=clock)
    assert [s.name for s in permit.approval.steps.all()] == ["车间主任", "安全科"]


@pytest.mark.django_db
def test_a_chain_prepared_under_the_permits_code_is_used(manager, area, people, clock):
    """An enterprise may set up its chain on the editor before the first permit."""
    from safework.approvals.services import chain_save
    from safework.permits.choices import APPROVAL_KIND

    steps = [
        {"name": "厂长", "mode": "any", "parties": [{"label": "安全", "role": "safety_manager"}]}
    ]
    chain_save(actor=manager, code="permit-height-height_1", name="高处一级（本厂）",
               subject_kind=APPROVAL_KIND, steps=steps)  # fmt: skip
    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    permit = prepare(manager, permit, people, [(W.SCAFFOLDER, "scaffolder")], clock)
    permit = services.permit_submit(actor=manager, permit=permit, now=clock)
    assert [s.name for s in permit.approval.steps.all()] == ["厂长"]


@pytest.mark.django_db
def test_special_hot_work_needs_its_video_recording(manager, area, people, clock):
    """5.2.11: "特级动火作业应采集全过程作业影像" (kept ≥ 1 month, B.3)."""
    details = {"method": "焊", "tank_farm_dike": True}
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details=details)
    assert permit.level == "hot_special"
    permit = prepare(manager, permit, people, [(W.HOT_WORKER, "welder")], clock)
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=permit, now=clock)
    assert "video" in err.value.errors
