"""SIMOPS through the services: a permit is checked at submission and at approval against
the live permits and registered activities of its site; refusals quote the clause; cross
work goes ahead with a coordinator's sign-off (recorded, audited); owners' distances go up
only; activities are refused near live hot work."""

from datetime import timedelta

import pytest

from safework.audit.models import AuditEntry
from safework.core.errors import ValidationFailed
from safework.permits import services
from safework.permits.choices import Kind, Status, WorkerRole
from safework.permits.models import AreaPosition, SimopsSignoff
from safework.permits.services import simops, siteplan
from tests.factories import WorkAreaFactory

from .helpers import approve_all, draft, prepare

W = WorkerRole
HOT = {"method": "电焊"}
BLIND = {"pipeline": "P-3", "medium": "氮气", "plate_material": "20#", "plate_no": "MB-1",
         "operation": "堵"}  # fmt: skip
pytestmark = pytest.mark.django_db


def ready(manager, area, people, kind, clock, details, workers, **extra):
    permit = draft(manager, area, people, kind, clock, details=details, **extra)
    return prepare(manager, permit, people, workers, clock)


def submitted(manager, area, people, kind, clock, details, workers, **extra):
    permit = ready(manager, area, people, kind, clock, details, workers, **extra)
    return services.permit_submit(actor=manager, permit=permit, now=clock)


@pytest.fixture
def far_area(area):
    """A second work area on the same site, 100 m from the first."""
    other = WorkAreaFactory(site=area.site, name="罐区")
    AreaPosition.objects.create(work_area=area, x_m=100, y_m=100)
    AreaPosition.objects.create(work_area=other, x_m=200, y_m=100)
    from safework.permits.models import Geofence

    fence = area.geofence
    Geofence.objects.create(work_area=other, latitude=fence.latitude,
                            longitude=fence.longitude, radius_m=150)  # fmt: skip
    return other


def test_hot_work_within_30_m_of_a_blind_plate_job_is_refused_at_submission(
    manager, area, far_area, people, clock
):
    submitted(manager, far_area, people, Kind.BLIND_PLATE, clock, BLIND, [(W.WORKER, "worker")],
              x_m=120, y_m=100)  # fmt: skip
    hot = ready(manager, far_area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")],
                x_m=140, y_m=100)  # fmt: skip
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=hot, now=clock)
    assert "GB 30871-2022 7.6" in err.value.errors["position"]
    assert "20.0 m" in err.value.errors["position"]
    hot.refresh_from_db()
    assert hot.status == Status.JSA_SIGNED


def test_a_permit_without_a_position_takes_its_work_area_position(
    manager, area, far_area, people, clock
):
    """The blind plate sits at the work area's point (100, 100); hot work 25 m away."""
    submitted(manager, area, people, Kind.BLIND_PLATE, clock, BLIND, [(W.WORKER, "worker")])
    hot = ready(manager, far_area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")],
                x_m=125, y_m=100)  # fmt: skip
    found = simops.permit_conflicts(hot)
    assert [(c.rule.code, round(c.distance_m)) for c in found] == [("hot_near_blind", 25)]
    moved = siteplan.permit_position_set(actor=manager, permit=_draft_copy(manager, hot, people),
                                         x_m=190, y_m=100)  # fmt: skip
    assert simops.permit_conflicts(moved) == []


def _draft_copy(manager, permit, people):
    copy = draft(manager, permit.work_area, people, permit.kind, permit.planned_start,
                 details=permit.details)  # fmt: skip
    return copy


def test_hot_work_against_a_flammable_venting_activity(manager, area, far_area, people, clock):
    act = services_register(manager, area, clock, kind="venting", flammable=True, x=105, y=100)
    hot = ready(manager, area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")])
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=hot, now=clock)
    assert (
        "5.2.9" in err.value.errors["position"] and act.description in err.value.errors["position"]
    )
    simops.activity_end(actor=manager, activity=act, now=clock)
    assert services.permit_submit(actor=manager, permit=hot, now=clock).status == Status.APPROVING


def services_register(manager, area, clock, *, kind, x, y, hours=4, **kw):
    return simops.activity_register(
        actor=manager, site=area.site, kind=kind, description=f"{kind} E-101",
        organization=area.site.owner, starts_at=clock, ends_at=clock + timedelta(hours=hours),
        x_m=x, y_m=y, work_area=area, **kw,
    )  # fmt: skip


def test_an_activity_is_refused_near_live_hot_work(manager, area, far_area, people, clock):
    submitted(manager, area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")])
    with pytest.raises(ValidationFailed) as err:
        services_register(manager, area, clock, kind="draining", flammable=True, x=110, y=100)
    assert "15 m" in err.value.errors["position"]
    from safework.permits.models import Activity

    assert not Activity.objects.exists()  # nothing half-written
    later = services_register(manager, area, clock + timedelta(hours=4), kind="draining",
                              flammable=True, x=110, y=100)  # fmt: skip
    assert later.pk


def test_tank_dike_and_confined_space_rules(manager, area, far_area, people, clock):
    services_register(manager, area, clock, kind="sampling", x=300, y=300, tank_dike_ref="TK-1")
    services_register(manager, area, clock, kind="painting", x=300, y=300,
                      confined_space_ref="V-101")  # fmt: skip
    hot = ready(manager, far_area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")],
                tank_dike_ref="TK-1", confined_space_ref="V-101")  # fmt: skip
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=hot, now=clock)
    assert "5.2.8" in err.value.errors["tank_dike_ref"]
    assert "6.7" in err.value.errors["confined_space_ref"]


def test_cross_work_needs_the_coordinator_sign_off(manager, approvers, area, far_area, people,
                                                   clock):  # fmt: skip
    first = submitted(manager, area, people, Kind.HEIGHT, clock, {"height_m": 3},
                      [(W.SCAFFOLDER, "scaffolder")])  # fmt: skip
    second = ready(manager, area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")])
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=second, now=clock)
    assert "4.7" in err.value.errors["coordinator"]
    [conflict] = simops.permit_conflicts(second)
    with pytest.raises(ValidationFailed) as missing:
        simops.simops_signoff(actor=manager, permit=second, key=conflict.key, coordinator=" ",
                              note="错开作业面")  # fmt: skip
    assert "coordinator" in missing.value.errors
    row = simops.simops_signoff(actor=manager, permit=second, key=conflict.key,
                                coordinator="刘协调", note="高处作业下方设隔离，动火点设接火盆")  # fmt: skip
    assert row.signed_by_label == "manager"
    assert AuditEntry.objects.filter(action="permit.simops_signoff", object_id=str(second.pk))
    second = services.permit_submit(actor=manager, permit=second, now=clock)
    # the one sign-off covers the pair: the first permit is approved too
    assert approve_all(first, approvers).status == Status.APPROVED
    assert approve_all(second, approvers).status == Status.APPROVED


def test_a_sign_off_cannot_be_given_for_a_forbidden_pair(manager, area, far_area, people, clock):
    submitted(manager, area, people, Kind.BLIND_PLATE, clock, BLIND, [(W.WORKER, "worker")])
    hot = ready(manager, area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")])
    [conflict] = simops.permit_conflicts(hot)
    assert conflict.rule.code == "hot_near_blind"
    with pytest.raises(ValidationFailed) as err:
        simops.simops_signoff(actor=manager, permit=hot, key=conflict.key, coordinator="刘协调",
                              note="同意")  # fmt: skip
    assert "key" in err.value.errors and not SimopsSignoff.objects.exists()


def test_approval_checks_again_what_was_registered_since_submission(
    manager, approvers, area, far_area, people, clock
):
    hot = submitted(manager, area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")])
    # registered while no hot work was live yet (the permit was only in approval), e.g. by
    # an older version: inserted directly, as the register service would refuse it now
    from safework.permits.models import Activity

    Activity.objects.create(site=area.site, organization=area.site.owner, kind="painting",
                            description="喷漆 E-102", x_m=104, y_m=100, starts_at=clock,
                            ends_at=clock + timedelta(hours=8))  # fmt: skip
    with pytest.raises(ValidationFailed) as err:
        approve_all(hot, approvers)
    assert "5.2.9" in str(err.value)
    hot.refresh_from_db()
    assert hot.status == Status.APPROVING


def test_unknown_positions_block_hot_work_beside_a_blind_plate_job(manager, area, people, clock):
    """No position anywhere: the 30 m of 7.6 cannot be shown, so the permit is refused."""
    from safework.core.models import WorkArea

    other = WorkArea.objects.create(site=area.site, name="二号装置", code="unit-2")
    submitted(manager, area, people, Kind.BLIND_PLATE, clock, BLIND, [(W.WORKER, "worker")])
    hot = draft(manager, other, people, Kind.HOT_WORK, clock, details=HOT)
    assert [c.rule.code for c in simops.permit_conflicts(hot)] == ["position_unknown"]


def test_two_blind_plate_jobs_on_one_pipeline_in_different_areas(manager, area, far_area,
                                                                  people, clock):  # fmt: skip
    submitted(manager, area, people, Kind.BLIND_PLATE, clock, BLIND, [(W.WORKER, "worker")])
    second = ready(manager, far_area, people, Kind.BLIND_PLATE, clock,
                   {**BLIND, "plate_no": "MB-2"}, [(W.WORKER, "worker")])  # fmt: skip
    with pytest.raises(ValidationFailed) as err:
        services.permit_submit(actor=manager, permit=second, now=clock)
    assert "7.10" in err.value.errors["pipeline"]


def test_distances_go_up_only_naming_the_field(manager, area, far_area, people, clock):
    owner = area.site.owner
    with pytest.raises(ValidationFailed) as err:
        simops.simops_distances_set(actor=manager, organization=owner, draining_m=12)
    assert list(err.value.errors) == ["draining_m"] and "15" in str(err.value.errors["draining_m"])
    simops.simops_distances_set(actor=manager, organization=owner, hot_blind_m=150)
    assert simops.distances_for(area.site).hot_blind_m == 150
    submitted(manager, area, people, Kind.BLIND_PLATE, clock, BLIND, [(W.WORKER, "worker")])
    hot = ready(manager, far_area, people, Kind.HOT_WORK, clock, HOT, [(W.HOT_WORKER, "welder")])
    assert [c.rule.code for c in simops.permit_conflicts(hot)] == ["hot_near_blind"]  # 100 m
    assert AuditEntry.objects.filter(action="simops.distances").exists()


def test_an_area_head_may_not_change_distances(area_head, area):
    from safework.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        simops.simops_distances_set(actor=area_head, organization=area.site.owner, venting_m=40)


def test_activity_input_errors_name_the_field(manager, area, clock):
    with pytest.raises(ValidationFailed) as err:
        simops.activity_register(actor=manager, site=area.site, kind="blasting", description="",
                                 organization=area.site.owner, starts_at=clock, ends_at=clock,
                                 x_m=None, y_m=1)  # fmt: skip
    assert {"kind", "description", "ends_at", "x_m"} <= set(err.value.errors)


def test_only_the_owner_side_records_a_sign_off(manager, django_user_model, area, people,
                                                clock):  # fmt: skip
    from safework.core.actors import Actor
    from safework.core.choices import Role
    from safework.core.errors import NotAllowed
    from tests.conftest import make_user

    first = submitted(manager, area, people, Kind.HEIGHT, clock, {"height_m": 3},
                      [(W.SCAFFOLDER, "scaffolder")])  # fmt: skip
    second = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 4})
    contractor = Actor(user=make_user(django_user_model, "c-admin", Role.CONTRACTOR_ADMIN,
                                      area.site.owner))  # fmt: skip
    with pytest.raises(NotAllowed):
        simops.simops_signoff(actor=contractor, permit=second,
                              key=f"cross_work:permit:{first.pk}", coordinator="刘协调",
                              note="错开")  # fmt: skip
    assert not SimopsSignoff.objects.exists()
