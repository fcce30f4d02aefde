"""A scenario per kind of special work (GB 30871-2022), from draft to closed, through the
services: level, JSA countersigned by three levels, approval chain of table B.1 on the
approval engine, gas analysis where required, briefing, GPS sign-in, shift-leader check
for hot work, start, completion and acceptance (完工验收)."""

from datetime import timedelta

import pytest

from safework.audit.models import AuditEntry
from safework.permits import services
from safework.permits.choices import Kind, Level, Status, WorkerRole
from safework.permits.models import Permit

from .helpers import approve_all, draft, gas_ok, prepare, sign_everyone_in

W = WorkerRole
SCENARIOS = [
    (Kind.HOT_WORK, {"method": "电焊", "fire_explosion_zone": True}, [(W.HOT_WORKER, "welder")],
     Level.HOT_1, "DH", ["所在单位", "安全管理部门"]),
    (Kind.CONFINED_SPACE, {"space_name": "T-201 储罐", "medium": "苯"}, [(W.WORKER, "worker")],
     Level.NONE, "SX", ["所在基层单位"]),
    (Kind.BLIND_PLATE, {"pipeline": "P-3", "medium": "氮气 常温 0.3MPa", "plate_material": "20#",
                        "plate_no": "MB-7", "operation": "抽"}, [(W.WORKER, "worker")],
     Level.NONE, "MB", ["所在基层单位"]),
    (Kind.HEIGHT, {"height_m": 18}, [(W.SCAFFOLDER, "scaffolder")], Level.HEIGHT_III, "GC",
     ["专业部门"]),
    (Kind.LIFTING, {"mass_t": 60, "crane": "QY50", "lifting_plan": "DZFA-2026-03"},
     [(W.LIFT_COMMANDER, "commander"), (W.CRANE_DRIVER, "driver")], Level.LIFT_2, "DZ",
     ["专业部门"]),
    (Kind.TEMP_POWER, {"power_source": "配电室 3#", "voltage": "380V", "equipment_power": "焊机 20kW"},
     [(W.ELECTRICIAN, "electrician")], Level.NONE, "YD", ["配送电单位"]),
    (Kind.EXCAVATION, {"depth_m": 1.2, "extent": "图 DT-1"}, [(W.WORKER, "worker")], Level.NONE,
     "DT", ["相关部门会签", "专业部门"]),
    (Kind.ROAD_CLOSURE, {"road": "3 号路", "reason": "管线施工", "detour": "经 5 号路"},
     [(W.WORKER, "worker")], Level.NONE, "DL", ["消防、安全会签", "专业部门"]),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "details", "workers", "level", "prefix", "steps"), SCENARIOS)
def test_draft_to_closed(manager, approvers, area, people, clock, kind, details, workers, level,
                         prefix, steps):  # fmt: skip
    permit = draft(manager, area, people, kind, clock, details=details)
    assert permit.number == f"{prefix}-2026-0001"
    assert permit.level == level
    permit = prepare(manager, permit, people, workers, clock)
    assert permit.status == Status.JSA_SIGNED
    permit = services.permit_submit(actor=manager, permit=permit, now=clock)
    assert permit.status == Status.APPROVING
    assert [s.name for s in permit.approval.steps.all()] == steps
    permit = approve_all(permit, approvers)
    assert permit.status == Status.APPROVED
    t = clock + timedelta(minutes=30)
    if kind in (Kind.HOT_WORK, Kind.CONFINED_SPACE):
        gas_ok(manager, permit, t - timedelta(minutes=10))
    services.briefing_give(actor=manager, permit=permit, given_by="吴负责人", now=t)
    assert all(r.accepted for r in sign_everyone_in(manager, permit, t))
    if kind == Kind.HOT_WORK:
        services.shift_leader_check(actor=manager, permit=permit, now=t)
    permit = services.permit_start(actor=manager, permit=permit, now=t)
    assert permit.status == Status.IN_PROGRESS
    permit = services.permit_complete(actor=manager, permit=permit, now=t + timedelta(hours=2))
    permit = services.permit_close(actor=manager, permit=permit, now=t + timedelta(hours=2))
    assert permit.status == Status.CLOSED
    actions = set(AuditEntry.objects.filter(object_id=str(permit.pk),
                                            object_type="permits.permit")
                  .values_list("action", flat=True))  # fmt: skip
    assert {"permit.create", "permit.submit", "permit.approval_approved", "permit.start",
            "permit.close"} <= actions  # fmt: skip


@pytest.mark.django_db
def test_numbers_run_per_site_kind_and_year(manager, area, people, clock):
    first = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    second = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    other = draft(manager, area, people, Kind.ROAD_CLOSURE, clock,
                  details={"road": "1", "reason": "2", "detour": "3"})  # fmt: skip
    next_year = draft(manager, area, people, Kind.HEIGHT, clock.replace(year=2027),
                      details={"height_m": 3})  # fmt: skip
    assert [first.number, second.number, other.number, next_year.number] == [
        "GC-2026-0001", "GC-2026-0002", "DL-2026-0001", "GC-2027-0001"]  # fmt: skip


@pytest.mark.django_db
def test_rejection_returns_the_permit_for_resubmission(manager, area_head, area, people, clock):
    from safework.approvals.services import approval_reject

    permit = draft(manager, area, people, Kind.CONFINED_SPACE, clock,
                   details={"space_name": "T-1", "medium": "水"})  # fmt: skip
    permit = prepare(manager, permit, people, [(W.WORKER, "worker")], clock)
    permit = services.permit_submit(actor=manager, permit=permit, now=clock)
    approval_reject(actor=area_head, instance=permit.approval, reason="缺通风措施")
    assert Permit.objects.get(pk=permit.pk).status == Status.JSA_SIGNED


@pytest.mark.django_db
def test_approved_permit_cannot_be_altered(manager, approvers, area, people, clock):
    """4.18: "作业内容变更...应重新办理"; once signed a permit cannot be altered."""
    from safework.core.errors import ValidationFailed

    permit = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    permit = prepare(manager, permit, people, [(W.SCAFFOLDER, "scaffolder")], clock)
    with pytest.raises(ValidationFailed):
        services.permit_update(actor=manager, permit=permit, place="别处")
    with pytest.raises(ValidationFailed):
        services.assignment_add(actor=manager, permit=permit, person=people["worker"],
                                role=W.WORKER, now=clock)  # fmt: skip


def _briefed(manager, approvers, area, people, clock, kind, details, workers):
    """A permit drafted, prepared, approved, briefed and signed in to, 30 minutes on."""
    permit = draft(manager, area, people, kind, clock, details=details)
    permit = prepare(manager, permit, people, workers, clock)
    permit = services.permit_submit(actor=manager, permit=permit, now=clock)
    permit = approve_all(permit, approvers)
    t = clock + timedelta(minutes=30)
    services.briefing_give(actor=manager, permit=permit, given_by="吴负责人", now=t)
    sign_everyone_in(manager, permit, t)
    return permit, t


@pytest.mark.django_db
def test_hot_work_starts_only_right_after_the_shift_leaders_check(manager, approvers, area,
                                                                  people, clock):  # fmt: skip
    """当班班长验票 right before the start: none, or one more than 30 minutes old, refuses
    the start with its reason; a fresh one lets it start."""
    from safework.core.errors import ValidationFailed

    details = {"method": "电焊", "fire_explosion_zone": True}
    permit, t = _briefed(manager, approvers, area, people, clock, Kind.HOT_WORK, details,
                         [(W.HOT_WORKER, "welder")])  # fmt: skip
    gas_ok(manager, permit, t - timedelta(minutes=10))
    with pytest.raises(ValidationFailed) as refused:
        services.permit_start(actor=manager, permit=permit, now=t)
    assert "班长" in str(refused.value.errors["status"])
    services.shift_leader_check(actor=manager, permit=permit, now=t)
    later = t + timedelta(minutes=35)
    gas_ok(manager, permit, later - timedelta(minutes=5))
    with pytest.raises(ValidationFailed) as refused:
        services.permit_start(actor=manager, permit=permit, now=later)
    assert "超过 30 分钟" in str(refused.value.errors["status"])
    services.shift_leader_check(actor=manager, permit=permit, now=later)
    permit = services.permit_start(actor=manager, permit=permit, now=later)
    assert permit.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_each_transition_tells_the_applicant_and_the_safety_managers(manager, approvers, area,
                                                                     people, clock):  # fmt: skip
    """Start, suspension, resumption, completion and closing each put an inbox item (and,
    for a user with an address, an email in the outbox) linking to the permit."""
    from safework.alerts.models import InboxItem, Notification

    permit, t = _briefed(manager, approvers, area, people, clock, Kind.HEIGHT,
                         {"height_m": 18}, [(W.SCAFFOLDER, "scaffolder")])  # fmt: skip
    before = InboxItem.objects.order_by("-id").values_list("id", flat=True).first()
    permit = services.permit_start(actor=manager, permit=permit, now=t)
    permit = services.permit_suspend(actor=manager, permit=permit, reason="大风",
                                     now=t + timedelta(minutes=30))  # fmt: skip
    permit = services.permit_resume(actor=manager, permit=permit, now=t + timedelta(minutes=50))
    permit = services.permit_complete(actor=manager, permit=permit, now=t + timedelta(hours=2))
    permit = services.permit_close(actor=manager, permit=permit, now=t + timedelta(hours=2))
    items = InboxItem.objects.filter(
        user=permit.created_by, link=f"/permits/{permit.pk}/", id__gt=before
    )
    titles = list(items.order_by("id").values_list("title", flat=True))
    states = ("作业中", "已暂停", "作业中", "已完工", "已关闭")
    assert len(titles) == len(states)
    assert all(permit.number in t and s in t for t, s in zip(titles, states, strict=True))
    assert "大风" in items.get(title__contains="已暂停").body
    if permit.created_by.email:
        assert Notification.objects.filter(recipient=permit.created_by.email).count() >= 5
