"""Default approval chains, GB 30871-2022 annex B table B.1 (the enterprise may change
them in the approval engine's chain editor). Each step: (name, mode, [(party, role)]).
Department parties are owner-side logins: 基层单位 → area heads, the departments and
leaders → safety managers, until the enterprise names users."""

from __future__ import annotations

from ..choices import Kind, Level

AREA, SAFETY = "area_head", "safety_manager"

UNIT = ("所在基层单位", "any", [("基层单位负责人", AREA)])
SAFETY_DEPT = ("安全管理部门", "any", [("安全管理部门", SAFETY)])
PRO_DEPT = ("专业部门", "any", [("专业部门", SAFETY)])
CHIEF = ("主管厂长或总工程师", "any", [("主管厂长或总工程师", SAFETY)])

DEFAULT_CHAINS: dict[tuple[str, str], list[tuple]] = {
    # B.1: 特级动火 主管领导审批; hot-work order 作业负责人 → 所在单位 → 安全管理部门 → 审批人.
    (Kind.HOT_WORK, Level.HOT_SPECIAL): [
        ("所在单位", "any", [("所在单位负责人", AREA)]),
        SAFETY_DEPT,
        ("主管领导", "any", [("主管领导", SAFETY)]),
    ],
    # B.1: 一级动火 安全管理部门审批.
    (Kind.HOT_WORK, Level.HOT_1): [("所在单位", "any", [("所在单位负责人", AREA)]), SAFETY_DEPT],
    # B.1: 二级动火 所在基层单位审批.
    (Kind.HOT_WORK, Level.HOT_2): [UNIT],
    # B.1: 受限空间、盲板抽堵 基层单位审批.
    (Kind.CONFINED_SPACE, Level.NONE): [UNIT],
    (Kind.BLIND_PLATE, Level.NONE): [UNIT],
    # B.1: 高处 I 级 基层单位; II、III 级 专业部门; IV 级 主管厂长或总工程师.
    (Kind.HEIGHT, Level.HEIGHT_I): [UNIT],
    (Kind.HEIGHT, Level.HEIGHT_II): [PRO_DEPT],
    (Kind.HEIGHT, Level.HEIGHT_III): [PRO_DEPT],
    (Kind.HEIGHT, Level.HEIGHT_IV): [CHIEF],
    # B.1: 吊装 一级 主管厂长或总工程师; 二、三级 专业部门.
    (Kind.LIFTING, Level.LIFT_1): [CHIEF],
    (Kind.LIFTING, Level.LIFT_2): [PRO_DEPT],
    (Kind.LIFTING, Level.LIFT_3): [PRO_DEPT],
    # B.1: 临时用电 配送电单位审批.
    (Kind.TEMP_POWER, Level.NONE): [("配送电单位", "any", [("配送电单位", SAFETY)])],
    # B.1: 动土 水、电、汽、工艺、设备、消防、安全等部门会签, then 专业部门.
    (Kind.EXCAVATION, Level.NONE): [
        (
            "相关部门会签",
            "all",
            [(d, SAFETY) for d in ("水", "电", "汽", "工艺", "设备", "消防", "安全管理部门")],
        ),
        PRO_DEPT,
    ],
    # B.1: 断路 消防、安全管理部门会签, then 专业部门.
    (Kind.ROAD_CLOSURE, Level.NONE): [
        ("消防、安全会签", "all", [("消防部门", SAFETY), ("安全管理部门", SAFETY)]),
        PRO_DEPT,
    ],
}


def default_steps(kind: str, level: str) -> list[dict]:
    return [
        {"name": name, "mode": mode, "parties": [{"label": p, "role": r} for p, r in parties]}
        for name, mode, parties in DEFAULT_CHAINS[(kind, level or Level.NONE)]
    ]
