"""Permits driven through the permit services, for the evidence tests."""

from datetime import timedelta

from safework.permits import services
from safework.permits.choices import Kind, WorkerRole
from safework.permits.models import Permit
from tests.permits.helpers import approve_all, draft, gas_ok, prepare, sign_everyone_in

HOT_1 = {"method": "电焊", "fire_explosion_zone": True}
HOT_SPECIAL = {"method": "电焊", "fire_explosion_zone": True, "running_unit": True,
               "video": "CAM-1 全过程录像"}  # fmt: skip


def running(manager, approvers, area, people, clock, details=None) -> Permit:
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details=details or HOT_1)
    permit = prepare(manager, permit, people, [(WorkerRole.HOT_WORKER, "welder")], clock)
    permit = services.permit_submit(actor=manager, permit=permit, now=clock)
    permit = approve_all(permit, approvers)
    t = clock + timedelta(minutes=30)
    gas_ok(manager, permit, t - timedelta(minutes=10))
    services.briefing_give(actor=manager, permit=permit, given_by="吴负责人", now=t)
    sign_everyone_in(manager, permit, t)
    services.shift_leader_check(actor=manager, permit=permit, now=t)
    return services.permit_start(actor=manager, permit=permit, now=t)


def close(manager, permit, at) -> Permit:
    permit = services.permit_complete(actor=manager, permit=permit, now=at)
    return services.permit_close(actor=manager, permit=permit, now=at)
