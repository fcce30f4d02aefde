"""Which certificate a role on a permit needs (GB 30871-2022 4.9: "特种作业人员和特种设备
作业人员应持证上岗"). A role is satisfied when the person is qualified, by the one
``qualification`` rule, for any of the listed operation items. Enterprises may change the
table with ``settings.PERMITS_ROLE_ITEMS``."""

from __future__ import annotations

from django.conf import settings

from ..choices import WorkerRole

DEFAULT_ROLE_ITEMS: dict[str, tuple[str, ...]] = {
    WorkerRole.HOT_WORKER: ("MEM-2.1", "MEM-2.2", "MEM-2.3"),  # 焊接与热切割作业
    WorkerRole.ELECTRICIAN: ("MEM-1.1", "MEM-1.2", "MEM-1.3"),  # 电工作业
    WorkerRole.LIFT_COMMANDER: ("SAMR-Q1",),  # 起重机指挥
    WorkerRole.CRANE_DRIVER: ("SAMR-Q2",),  # 起重机司机
    WorkerRole.SCAFFOLDER: ("MEM-3.1",),  # 登高架设作业
}


def items_for(role: str) -> tuple[str, ...]:
    table = {**DEFAULT_ROLE_ITEMS, **getattr(settings, "PERMITS_ROLE_ITEMS", {})}
    return tuple(table.get(role, ()))


def needs_certificate(role: str) -> bool:
    return bool(items_for(role))
