"""Simultaneous operations (SIMOPS), GB 30871-2022: which pairs of jobs on one site may
not run at the same time, or only under a named coordinator. Pure: jobs (a permit or a
registered activity, its position in metres on the site plan, its time window and what it
shares with others) in, conflicts out. Each rule quotes its clause."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from math import hypot

from django.utils.translation import gettext_lazy as _

from ..choices import ActivityKind, Kind

HOT, BLIND = Kind.HOT_WORK.value, Kind.BLIND_PLATE.value
A = ActivityKind


@dataclass(frozen=True)
class Distances:
    """Metres. The standard's values are the floor: an owner may only make them larger."""

    hot_blind_m: float = 30  # 7.6
    venting_m: float = 30  # 5.2.9
    draining_m: float = 15  # 5.2.9
    cleaning_m: float = 10  # 5.2.9
    cross_work_m: float = 15  # 4.7: the standard sets no distance; this is the default


MINIMUM = Distances()
DISTANCE_FIELDS = ("hot_blind_m", "venting_m", "draining_m", "cleaning_m", "cross_work_m")


def too_short(values: dict) -> list[str]:
    """The fields set below the standard's distance (or not a number ≥ 0)."""
    return [
        name for name in DISTANCE_FIELDS
        if name in values and not (float(values[name]) >= getattr(MINIMUM, name))
    ]  # fmt: skip


@dataclass(slots=True)  # not frozen: made 500 at a time, and frozen init costs double
class Job:
    """A permit (``kind`` one of permits.Kind) or a registered activity (ActivityKind)."""

    ref: str  # "permit:12" | "activity:3": stable, for sign-off keys
    label: str  # what a supervisor recognises: the permit number or the activity
    kind: str
    is_permit: bool
    start: datetime | None  # None: the caller's query already kept only overlapping jobs
    end: datetime | None
    x: float | None = None
    y: float | None = None
    work_area_id: int | None = None
    flammable: bool = False
    pipeline: str = ""
    confined_space: str = ""
    tank_dike: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    clause: str
    text: object  # the clause's requirement, quoted
    field: str  # the form / API field a refusal is reported on
    signoff: bool = False  # True: allowed with a coordinator's sign-off, else forbidden


# The requirement of each clause is quoted in the standard's own Chinese (not translated);
# only what safework adds (unknown position, how a sign-off is given) is a message.
RULES = {
    r.code: r
    for r in (
        Rule("hot_near_blind", "7.6", "盲板抽堵作业点 30 m 内不应有动火作业", "position"),
        Rule("venting_near_hot", "5.2.9", "动火期间，距动火点 30 m 内不应排放可燃气体", "position"),
        Rule(
            "draining_near_hot", "5.2.9", "动火期间，距动火点 15 m 内不应排放可燃液体", "position"
        ),
        Rule(
            "cleaning_near_hot",
            "5.2.9",
            "在动火点 10 m 范围内、动火点上方及下方不应同时进行可燃溶剂清洗或喷漆等作业；"
            "在动火点 10 m 范围内不应进行可燃性粉尘清扫作业",
            "position",
        ),
        Rule(
            "painting_in_confined_space",
            "6.7",
            "受限空间内进行动火作业时，不应同时进行涂刷（喷漆）作业",
            "confined_space_ref",
        ),
        Rule(
            "same_pipeline",
            "7.10",
            "不应在同一管道上同时进行两处或两处以上的盲板抽堵作业",
            "pipeline",
        ),
        Rule(
            "dike_during_hot",
            "5.2.8",
            "在油气罐区防火堤内进行动火作业时，不应同时进行切水、取样作业",
            "tank_dike_ref",
        ),
        Rule(
            "position_unknown",
            "5.2.9 / 7.6",
            _("the distance cannot be checked: set the work's position on the site plan"),
            "position",
        ),
        Rule("cross_work", "4.7", "交叉作业应指定专人统一协调管理", "coordinator", signoff=True),
    )  # fmt: skip
}


@dataclass(slots=True)
class Conflict:
    rule: Rule
    other: Job
    distance_m: float | None = None
    limit_m: float | None = None
    signed: bool = field(default=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.rule.code}:{self.other.ref}"

    @property
    def blocks(self) -> bool:
        return not (self.rule.signoff and self.signed)


def overlap(a: Job, b: Job) -> bool:
    """At the same time: each starts before the other ends. (``services.simops`` asks
    the database for exactly this and leaves the windows of what it found unset.)"""
    if None in (a.start, a.end, b.start, b.end):
        return True
    return a.start < b.end and b.start < a.end


def distance(a: Job, b: Job) -> float | None:
    if None in (a.x, a.y, b.x, b.y):
        return None
    return hypot(a.x - b.x, a.y - b.y)


def _within(a: Job, b: Job, limit: float, code: str) -> list[tuple]:
    """A distance rule: a conflict within ``limit`` metres, or when a position is missing
    (the distance cannot be shown to be safe)."""
    d = distance(a, b)
    if d is None:
        return [("position_unknown", None, limit)]
    return [(code, d, limit)] if d <= limit else []


def _hot_and_activity(hot: Job, act: Job, dist: Distances) -> list[tuple]:
    found = []
    # 5.2.8: inside a tank-farm dike during hot work there: no water draining, no sampling.
    same_dike = hot.tank_dike and hot.tank_dike == act.tank_dike
    if same_dike and act.kind in (A.DRAINING, A.SAMPLING):
        found.append(("dike_during_hot", None, None))
    # 6.7: no painting in a confined space while hot work goes on in it.
    same_space = hot.confined_space and hot.confined_space == act.confined_space
    if same_space and act.kind == A.PAINTING:
        found.append(("painting_in_confined_space", None, None))
    limit = _activity_limit(act, dist)
    if limit is not None:
        found += _within(hot, act, limit[1], limit[0])
    return found


def _activity_limit(act: Job, dist: Distances) -> tuple[str, float] | None:
    """5.2.9: flammable gas vented, flammable liquid drained, flammable-solvent cleaning,
    painting (paint is taken as flammable), combustible dust swept."""
    if act.kind == A.VENTING and act.flammable:
        return "venting_near_hot", dist.venting_m
    if act.kind == A.DRAINING and act.flammable:
        return "draining_near_hot", dist.draining_m
    if act.kind == A.PAINTING or (act.kind in (A.CLEANING, A.DUST_SWEEPING) and act.flammable):
        return "cleaning_near_hot", dist.cleaning_m
    return None


def _two_permits(a: Job, b: Job, dist: Distances) -> list[tuple]:
    kinds, found = {a.kind, b.kind}, []
    if kinds == {HOT, BLIND}:
        found = _within(a, b, dist.hot_blind_m, "hot_near_blind")
    if kinds == {BLIND} and a.pipeline and a.pipeline == b.pipeline:
        found = [("same_pipeline", None, None)]
    return found or _cross_work(a, b, dist)


def _cross_work(a: Job, b: Job, dist: Distances) -> list[tuple]:
    """4.7: permits at the same place at the same time are cross work."""
    d = distance(a, b)
    same_area = a.work_area_id is not None and a.work_area_id == b.work_area_id
    if same_area or (d is not None and d <= dist.cross_work_m):
        return [("cross_work", d, dist.cross_work_m)]
    return []


def pair(a: Job, b: Job, dist: Distances = MINIMUM) -> list[tuple]:
    """(rule code, distance, limit) for every rule the pair breaks, in either order."""
    if a.ref == b.ref or not overlap(a, b):
        return []
    if a.is_permit and b.is_permit:
        return _two_permits(a, b, dist)
    if a.is_permit != b.is_permit:
        permit, act = (a, b) if a.is_permit else (b, a)
        return _hot_and_activity(permit, act, dist) if permit.kind == HOT else []
    return []


def conflicts(job: Job, others: Iterable[Job], dist: Distances = MINIMUM,
              signed: frozenset[str] = frozenset()) -> list[Conflict]:  # fmt: skip
    """Every conflict of ``job`` with ``others``; ``signed`` holds the keys a coordinator
    has signed off (they stop blocking where the rule allows a sign-off)."""
    found = []
    for other in others:
        for code, d, limit in pair(job, other, dist):
            key = f"{code}:{other.ref}"
            found.append(Conflict(RULES[code], other, d, limit, signed=key in signed))
    return found


def reach(kind: str, is_permit: bool, dist: Distances = MINIMUM) -> float:
    """The farthest any distance rule looks from a job of this kind (the bounding box the
    database narrows the candidates to)."""
    if is_permit and kind == HOT:
        return max(dist.hot_blind_m, dist.venting_m, dist.draining_m, dist.cleaning_m,
                   dist.cross_work_m)  # fmt: skip
    if is_permit and kind == BLIND:
        return max(dist.hot_blind_m, dist.cross_work_m)
    if is_permit:
        return dist.cross_work_m
    return max(dist.venting_m, dist.draining_m, dist.cleaning_m)


def message(conflict: Conflict) -> str:
    """The refusal a supervisor reads: the other job, the distance, the clause quoted."""
    rule, where = conflict.rule, ""
    if conflict.distance_m is not None:
        where = f"（{conflict.distance_m:.1f} m / {conflict.limit_m:g} m）"
    text = str(
        _("%(other)s%(where)s: GB 30871-2022 %(clause)s “%(text)s”")
        % {"other": conflict.other.label, "where": where, "clause": rule.clause,
           "text": rule.text}
    )  # fmt: skip
    if rule.signoff:
        text += str(_(" — needs the named coordinator's sign-off"))
    return text


def summary(found: list[Conflict]) -> str:
    """Several refusals at once: per rule, its clause quoted once and every job it names
    (with the distance where one applies)."""
    by_rule: dict[str, list[Conflict]] = {}
    for conflict in found:
        by_rule.setdefault(conflict.rule.code, []).append(conflict)
    parts = []
    for group in by_rule.values():
        rule, names = group[0].rule, "、".join(_named(c) for c in group)
        text = str(_("%(others)s: GB 30871-2022 %(clause)s “%(text)s”")
                   % {"others": names, "clause": rule.clause, "text": rule.text})  # fmt: skip
        parts.append(text + (str(_(" — needs the named coordinator's sign-off"))
                             if rule.signoff else ""))  # fmt: skip
    return "；".join(parts)


def _named(conflict: Conflict) -> str:
    if conflict.distance_m is None:
        return conflict.other.label
    return f"{conflict.other.label}（{conflict.distance_m:.1f} m / {conflict.limit_m:g} m）"
