"""Driving a permit through its life in tests, through the services only."""

from datetime import timedelta

from safework.approvals.choices import InstanceState
from safework.approvals.selectors import decidable_party
from safework.approvals.services import approval_approve
from safework.permits import services
from safework.permits.choices import JsaLevel, WorkerRole
from safework.permits.models import Permit

from .conftest import LAT, LNG


def draft(actor, area, people, kind, start, hours=4, details=None, **extra):
    return services.permit_create(
        actor=actor, work_area=area, kind=kind, now=start,
        applicant_org=area.site.owner, performing_org=area.site.owner,
        person_in_charge=people["leader"], content="检修", place="裂解装置 E-101",
        hazards="可燃气体", details=details or {}, planned_start=start,
        planned_end=start + timedelta(hours=hours), **extra,
    )  # fmt: skip


def prepare(actor, permit, people, workers, start):
    """People, measures, JSA with its three signatures."""
    for role, key in workers:
        services.assignment_add(
            actor=actor, permit=permit, person=people[key], role=role, now=start
        )
    services.assignment_add(
        actor=actor, permit=permit, person=people["guardian"], role=WorkerRole.GUARDIAN, now=start
    )
    for measure in permit.measures.all():
        services.measure_confirm(
            actor=actor, measure=measure, applies=True, confirmed_by="吴负责人"
        )
    services.jsa_save(
        actor=actor, permit=permit, residual_risk="低",
        steps=[{"step": "隔离", "hazards": "泄漏", "measures": "加盲板"}],
    )  # fmt: skip
    for level in JsaLevel.values:
        services.jsa_sign(actor=actor, permit=permit, level=level, now=start)
    return Permit.objects.get(pk=permit.pk)


def approve_all(permit, approvers):
    instance = Permit.objects.get(pk=permit.pk).approval
    for _round in range(20):
        instance.refresh_from_db()
        if instance.state != InstanceState.PENDING:
            break
        actor = next(a for a in approvers if decidable_party(instance, a) is not None)
        approval_approve(actor=actor, instance=instance, comment="同意")
    return Permit.objects.get(pk=permit.pk)


def gas_ok(actor, permit, at, **reading):
    values = {"lel_percent": 5, "result_percent": "0.1", "oxygen_percent": "20.5", **reading}
    return services.gas_test_record(
        actor=actor, permit=permit, sampled_at=at, sample_point="E-101 人孔", analyst="陈分析",
        instrument="MX6-01", gas_name="甲烷", now=at, **values,
    )  # fmt: skip


def sign_everyone_in(actor, permit, at):
    rows = []
    for row in permit.assignments.select_related("person"):
        rows.append(
            services.sign_in(
                actor=actor,
                permit=permit,
                person=row.person,
                latitude=LAT,
                longitude=LNG,
                accuracy=10,
                now=at,
            )  # fmt: skip
        )
    return rows
