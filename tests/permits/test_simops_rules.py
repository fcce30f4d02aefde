"""SIMOPS rules (rules/simops.py), one test per clause of GB 30871-2022, pure: no database."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safework.permits.rules import simops
from safework.permits.rules.simops import Distances, Job

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
N = 0


def job(kind, x=0.0, y=0.0, *, permit=True, hours=4, start=T0, **kw):
    global N
    N += 1
    ref = f"{'permit' if permit else 'activity'}:{N}"
    return Job(ref=ref, label=ref, kind=kind, is_permit=permit, start=start,
               end=start + timedelta(hours=hours), x=x, y=y, **kw)  # fmt: skip


def codes(a, b, dist=simops.MINIMUM):
    return [c for c, _d, _l in simops.pair(a, b, dist)]


def test_7_6_no_hot_work_within_30_m_of_a_blind_plate_job():
    """7.6: "盲板抽堵作业点 30 m 内不应有动火作业" — either way round, the boundary counts."""
    hot = job("hot_work")
    assert codes(hot, job("blind_plate", 30, 0)) == ["hot_near_blind"]
    assert codes(job("blind_plate", 18, 24), hot) == ["hot_near_blind"]  # 30 m exactly
    assert codes(hot, job("blind_plate", 30.1, 0)) == []


@pytest.mark.parametrize(
    ("kind", "flammable", "inside", "outside"),
    [
        ("venting", True, 29.9, 30.5),  # 5.2.9: 30 m, flammable gas
        ("draining", True, 15, 15.2),  # 5.2.9: 15 m, flammable liquid
        ("cleaning", True, 10, 10.5),  # 5.2.9: 10 m, flammable solvent
        ("painting", False, 9, 10.5),  # 5.2.9: 10 m, painting
        ("dust_sweeping", True, 10, 11),  # 5.2.9: 10 m, combustible dust
    ],
)
def test_5_2_9_activities_kept_away_from_hot_work(kind, flammable, inside, outside):
    hot = job("hot_work")
    near = job(kind, inside, 0, permit=False, flammable=flammable)
    far = job(kind, outside, 0, permit=False, flammable=flammable)
    assert len(codes(hot, near)) == 1 and codes(hot, far) == []
    assert codes(near, hot) == codes(hot, near)  # seen from the activity too


def test_5_2_9_non_flammable_venting_or_draining_is_not_restricted():
    hot = job("hot_work")
    assert codes(hot, job("venting", 1, 0, permit=False, flammable=False)) == []
    assert codes(hot, job("draining", 1, 0, permit=False, flammable=False)) == []


def test_activities_do_not_restrict_work_other_than_hot_work():
    assert codes(job("height"), job("venting", 1, 0, permit=False, flammable=True)) == []


def test_6_7_no_painting_in_a_confined_space_with_hot_work_in_it():
    """6.7: far apart on the plan (a long vessel) still one space."""
    hot = job("hot_work", confined_space="V-101")
    paint = job("painting", 80, 0, permit=False, confined_space="V-101")
    assert codes(hot, paint) == ["painting_in_confined_space"]
    assert codes(hot, job("painting", 80, 0, permit=False, confined_space="V-102")) == []


def test_7_10_never_two_blind_plate_jobs_on_one_pipeline():
    a = job("blind_plate", 0, 0, pipeline="P-3")
    assert codes(a, job("blind_plate", 500, 0, pipeline="P-3")) == ["same_pipeline"]
    assert codes(a, job("blind_plate", 500, 0, pipeline="P-4")) == []


def test_5_2_8_no_draining_or_sampling_inside_a_tank_dike_during_hot_work_there():
    hot = job("hot_work", tank_dike="TK-1")
    for kind in ("draining", "sampling"):
        assert codes(hot, job(kind, 200, 0, permit=False, tank_dike="TK-1")) == ["dike_during_hot"]
        assert codes(hot, job(kind, 200, 0, permit=False, tank_dike="TK-2")) == []


def test_4_7_cross_work_needs_a_coordinator_and_a_sign_off_lifts_it():
    a, b = job("height", 0, 0), job("lifting", 10, 0)
    found = simops.conflicts(a, [b])
    assert [c.rule.code for c in found] == ["cross_work"] and found[0].blocks
    signed = simops.conflicts(a, [b], signed=frozenset({found[0].key}))
    assert not signed[0].blocks
    same_area = simops.conflicts(job("height", work_area_id=7), [job("lifting", 90, 0,
                                                                     work_area_id=7)])  # fmt: skip
    assert [c.rule.code for c in same_area] == ["cross_work"]


def test_a_sign_off_does_not_lift_a_forbidden_pair():
    hot, blind = job("hot_work"), job("blind_plate", 5, 0)
    found = simops.conflicts(hot, [blind], signed=frozenset({f"hot_near_blind:{blind.ref}"}))
    assert found[0].blocks


def test_no_conflict_without_time_overlap():
    hot = job("hot_work")
    later = job("blind_plate", 1, 0, start=T0 + timedelta(hours=4))
    assert codes(hot, later) == []


def test_an_unknown_position_cannot_be_shown_safe():
    hot, blind = job("hot_work"), job("blind_plate", None, None)
    assert codes(hot, blind) == ["position_unknown"]


def test_larger_distances_of_an_owner_apply():
    far = Distances(hot_blind_m=50)
    assert codes(job("hot_work"), job("blind_plate", 45, 0), far) == ["hot_near_blind"]


def test_distances_below_the_standard_are_named():
    assert simops.too_short({"venting_m": 29, "draining_m": 20, "cleaning_m": -1}) == [
        "venting_m", "cleaning_m",
    ]  # fmt: skip


def test_the_refusal_quotes_the_clause():
    hot, blind = job("hot_work"), job("blind_plate", 12, 0)
    text = simops.message(simops.conflicts(hot, [blind])[0])
    assert "GB 30871-2022 7.6" in text and "30 m 内不应有动火作业" in text and "12.0 m" in text


def test_reach_covers_every_rule_of_the_kind():
    dist = Distances(venting_m=60)
    assert simops.reach("hot_work", True, dist) == 60
    assert simops.reach("blind_plate", True, dist) == 30
    assert simops.reach("venting", False, dist) == 60
