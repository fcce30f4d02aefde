"""The certificate catalogue of RULES.md sections 1 and 2, as versioned data.

Loaded by a data migration (``load_catalogue``), idempotent: re-running it changes nothing.
Item codes: ``MEM-`` + the number in 《特种作业目录》, ``SAMR-`` + the code of TSG Z6001-2019.
"""

from __future__ import annotations

CATALOGUE_VERSION = "2026.1"

# 《特种作业人员安全技术培训考核管理规定》 第十九条 (valid 6 years), 第二十一条 (review every
# 3 years), 第二十二条 (review applied for within 60 days before it is due).
MEM_VALIDITY_YEARS = 6
MEM_REVIEW_YEARS = 3
MEM_REVIEW_WINDOW_DAYS = 60
# TSG Z6001-2019 (SAMR 公告2021年第41号): valid 4 years, renewal applied for at least 1
# month before expiry (第二十五条); registration age 18-60.
SAMR_VALIDITY_YEARS = 4
SAMR_REVIEW_WINDOW_DAYS = 30

MEM_CATEGORIES: list[tuple[str, str, list[tuple[str, str, bool]]]] = [
    # (category number, category name, [(item number, item name, unconfirmed number)])
    (
        "1",
        "电工作业",
        [
            ("1.1", "高压电工作业", False),
            ("1.2", "低压电工作业", False),
            ("1.3", "防爆电气作业", False),
            # Added 2018 by 安监总人事〔2018〕18号; numbers 1.4-1.6 are unconfirmed.
            ("1.4", "电力电缆作业", True),
            ("1.5", "继电保护作业", True),
            ("1.6", "电气试验作业", True),
        ],
    ),
    (
        "2",
        "焊接与热切割作业",
        [
            ("2.1", "熔化焊接与热切割作业", False),
            ("2.2", "压力焊作业", False),
            ("2.3", "钎焊作业", False),
        ],
    ),
    (
        "3",
        "高处作业",
        [("3.1", "登高架设作业", False), ("3.2", "高处安装、维护、拆除作业", False)],
    ),
    (
        "4",
        "制冷与空调作业",
        [
            ("4.1", "制冷与空调设备运行操作作业", False),
            ("4.2", "制冷与空调设备安装修理作业", False),
        ],
    ),
    (
        "5",
        "煤矿安全作业",
        [
            ("5.1", "煤矿井下电气作业", False),
            ("5.2", "煤矿井下爆破作业", False),
            ("5.3", "煤矿安全监测监控作业", False),
            ("5.4", "煤矿瓦斯检查作业", False),
            ("5.5", "煤矿安全检查作业", False),
            ("5.6", "煤矿提升机操作作业", False),
            ("5.7", "煤矿采煤机（掘进机）操作作业", False),
            ("5.8", "煤矿瓦斯抽采作业", False),
            ("5.9", "煤矿防突作业", False),
            ("5.10", "煤矿探放水作业", False),
        ],
    ),
    (
        "6",
        "金属非金属矿山安全作业",
        [
            ("6.1", "金属非金属矿井通风作业", False),
            ("6.2", "尾矿作业", False),
            ("6.3", "金属非金属矿山安全检查作业", False),
            ("6.4", "金属非金属矿山提升机操作作业", False),
            ("6.5", "金属非金属矿山支柱作业", False),
            ("6.6", "金属非金属矿山井下电气作业", False),
            ("6.7", "金属非金属矿山排水作业", False),
            ("6.8", "金属非金属矿山爆破作业", False),
        ],
    ),
    ("7", "石油天然气安全作业", [("7.1", "司钻作业", False)]),
    ("8", "冶金（有色）生产安全作业", [("8.1", "煤气作业", False)]),
    (
        "9",
        "危险化学品安全作业",
        [
            ("9.1", "光气及光气化工艺作业", False),
            ("9.2", "氯碱电解工艺作业", False),
            ("9.3", "氯化工艺作业", False),
            ("9.4", "硝化工艺作业", False),
            ("9.5", "合成氨工艺作业", False),
            ("9.6", "裂解（裂化）工艺作业", False),
            ("9.7", "氟化工艺作业", False),
            ("9.8", "加氢工艺作业", False),
            ("9.9", "重氮化工艺作业", False),
            ("9.10", "氧化工艺作业", False),
            ("9.11", "过氧化工艺作业", False),
            ("9.12", "胺基化工艺作业", False),
            ("9.13", "磺化工艺作业", False),
            ("9.14", "聚合工艺作业", False),
            ("9.15", "烷基化工艺作业", False),
            ("9.16", "化工自动化控制仪表作业", False),
        ],
    ),
    (
        "10",
        "烟花爆竹安全作业",
        [
            ("10.1", "烟火药制造作业", False),
            ("10.2", "黑火药制造作业", False),
            ("10.3", "引火线制造作业", False),
            ("10.4", "烟花爆竹产品涉药作业", False),
            ("10.5", "烟花爆竹储存作业", False),
        ],
    ),
    # Category 11 其他: items recognised by MEM, added by the enterprise (configurable).
    ("11", "应急管理部认定的其他作业", []),
]

SAMR_KINDS: list[tuple[str, list[tuple[str, str]]]] = [
    ("特种设备安全管理", [("A", "特种设备安全管理")]),
    ("锅炉作业", [("G1", "工业锅炉司炉"), ("G2", "电站锅炉司炉"), ("G3", "锅炉水处理")]),
    (
        "压力容器作业",
        [("R1", "快开门式压力容器操作"), ("R2", "移动式压力容器充装"), ("R3", "氧舱维护保养")],
    ),
    ("气瓶作业", [("P", "气瓶充装")]),
    ("电梯作业", [("T", "电梯修理")]),
    ("起重机作业", [("Q1", "起重机指挥"), ("Q2", "起重机司机")]),
    ("客运索道作业", [("S1", "客运索道修理"), ("S2", "客运索道司机")]),
    ("大型游乐设施作业", [("Y1", "大型游乐设施修理"), ("Y2", "大型游乐设施操作")]),
    ("场（厂）内专用机动车辆作业", [("N1", "叉车司机"), ("N2", "观光车和观光列车司机")]),
    ("安全附件维修作业", [("F", "安全阀校验")]),
    # Welder item codes follow TSG Z6002; the precise code goes in the certificate's
    # scope note as free text.
    ("特种设备焊接作业", [("WM", "金属焊接操作"), ("WN", "非金属焊接操作")]),
]

# Common names people type in ledgers (used by search and the ledger import).
ALIASES: dict[str, list[str]] = {
    "MEM-1.1": ["高压电工", "高压电工证"],
    "MEM-1.2": ["低压电工", "电工", "低压电工证"],
    "MEM-1.3": ["防爆电工", "防爆电气"],
    "MEM-2.1": ["电焊工", "焊工", "电焊", "气焊", "气割", "熔化焊", "焊接与热切割"],
    "MEM-2.2": ["压力焊"],
    "MEM-2.3": ["钎焊"],
    "MEM-3.1": ["登高架设", "架子工", "脚手架"],
    "MEM-3.2": ["高处作业", "高空作业", "高处安装维护拆除"],
    "MEM-4.1": ["制冷运行"],
    "MEM-4.2": ["制冷维修", "空调安装"],
    "SAMR-N1": ["叉车", "叉车工", "叉车证"],
    "SAMR-Q1": ["司索", "起重指挥", "信号工"],
    "SAMR-Q2": ["起重机司机", "行车工", "天车工", "吊车司机", "塔吊司机"],
    "SAMR-G1": ["司炉", "锅炉工"],
    "SAMR-A": ["特种设备管理"],
}


def catalogue_rows() -> list[dict]:
    """Every catalogue item as the field values of a CertificateType."""
    rows: list[dict] = []
    order = 0
    for cat_no, cat_name, items in MEM_CATEGORIES:
        for item_no, item_name, unconfirmed in items:
            order += 1
            code = f"MEM-{item_no}"
            rows.append(
                {
                    "code": code,
                    "system": "mem",
                    "category_code": cat_no,
                    "category_name": cat_name,
                    "name": item_name,
                    "validity_years": MEM_VALIDITY_YEARS,
                    "review_interval_years": MEM_REVIEW_YEARS,
                    "review_window_days": MEM_REVIEW_WINDOW_DAYS,
                    "min_age": 18,
                    "max_registration_age": None,
                    "code_unconfirmed": unconfirmed,
                    "aliases": ALIASES.get(code, []),
                    "sort_order": order,
                }
            )
    for kind_no, (kind_name, items) in enumerate(SAMR_KINDS, start=1):
        for item_code, item_name in items:
            order += 1
            code = f"SAMR-{item_code}"
            rows.append(
                {
                    "code": code,
                    "system": "samr",
                    "category_code": f"S{kind_no}",
                    "category_name": kind_name,
                    "name": item_name,
                    "validity_years": SAMR_VALIDITY_YEARS,
                    # SAMR certificates are reviewed at renewal: the review is due at expiry.
                    "review_interval_years": None,
                    "review_window_days": SAMR_REVIEW_WINDOW_DAYS,
                    "min_age": 18,
                    "max_registration_age": 60,
                    "code_unconfirmed": item_code in {"WM", "WN"},
                    "aliases": ALIASES.get(code, []),
                    "sort_order": order,
                }
            )
    return rows


def load_catalogue(CertificateType) -> tuple[int, int]:
    """Create or update the catalogue rows; return (created, updated). Idempotent."""
    created = updated = 0
    for row in catalogue_rows():
        code = row.pop("code")
        obj = CertificateType.objects.filter(code=code).first()
        if obj is None:
            CertificateType.objects.create(code=code, catalogue_version=CATALOGUE_VERSION, **row)
            created += 1
            continue
        changed = [k for k, v in row.items() if getattr(obj, k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, row[k])
            obj.catalogue_version = CATALOGUE_VERSION
            obj.save(update_fields=[*changed, "catalogue_version"])
            updated += 1
    return created, updated
