"""The demo plant of ``safework demo`` (issue 2, part 9): an owner with three sites, two
contractors and about 126 special-operations workers whose certificates show every state a
safety manager meets. Everything is written through the real services, so the audit trail
looks as it would in use. Deterministic: a seeded generator, dates relative to the run day.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from safework.audit.services import audit_record
from safework.certificates.models import CertificateType
from safework.certificates.services import (
    add_years,
    certificate_create,
    certificate_record_review,
    certificate_renew,
)
from safework.core import crypto
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, RiskLevel, Role
from safework.core.idnumbers import id_check_char, uscc_check_char
from safework.core.models import Organization, Site, UserProfile, WorkArea
from safework.core.services import organization_create, site_create, work_area_create
from safework.people.models import Person
from safework.people.services import person_create

SEED = 20190901
ACTOR_LABEL = "demo"
RENEWAL_REASON = "已提交换证申请，等待发证机关换发新证"


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: str
    region: str  # GB/T 2260 area code of the registering authority
    org_code: str  # first 8 characters of the GB 11714 organization code
    contact: tuple[str, str]
    id_areas: tuple[str, ...]  # where its workers come from (ID number area codes)
    mem_authorities: tuple[str, ...]
    samr_authorities: tuple[str, ...]


# fmt: off
ORGS = (
    OrgSpec("owner", "华东某石化有限公司", OrganizationKind.OWNER, "310116", "13220876",
            ("周立伟", "021-57930000"),
            ("310116", "310116", "310112", "310120", "320623", "330482", "341221"),
            ("上海市应急管理局",), ("上海市市场监督管理局",)),
    OrgSpec("jiangsu", "江苏某机电安装工程有限公司", OrganizationKind.CONTRACTOR, "320623",
            "72354189", ("陈国华", "13805130000"),
            ("320623", "320682", "320684", "320921", "321323", "341221", "412724"),
            ("江苏省应急管理厅", "南通市应急管理局"), ("江苏省市场监督管理局", "南通市市场监督管理局")),
    OrgSpec("shanghai", "上海某石化检修有限公司", OrganizationKind.CONTRACTOR, "310112",
            "60781342", ("沈建平", "13916250000"),
            ("310112", "310120", "342422", "411521", "510922", "513021", "330481"),
            ("上海市应急管理局", "浙江省应急管理厅"), ("上海市市场监督管理局",)),
)

H, M, MAJOR = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.MAJOR
SITES = (
    ("refinery", "一厂区（炼油）", "上海市金山区石化工业区一路 1 号", (
        ("cdu", "常减压装置", H), ("fcc", "催化裂化装置", MAJOR),
        ("hcu", "加氢裂化装置", MAJOR), ("substation", "110kV 总变电所", H))),
    ("chemicals", "二厂区（化工）", "上海市金山区石化工业区八路 8 号", (
        ("ethylene", "乙烯裂解装置", MAJOR), ("pe", "聚乙烯装置", H),
        ("chlor-alkali", "氯碱装置", MAJOR), ("boiler-house", "动力站锅炉房", H))),
    ("tank-farm", "三厂区（储运）", "江苏省南通市如东县洋口港区港城路 3 号", (
        ("crude-tanks", "原油罐区", MAJOR), ("lpg-spheres", "液化烃球罐区", MAJOR),
        ("loading", "汽车装车站台", H), ("warehouse", "化学品仓库", M))),
)


@dataclass(frozen=True)
class Profile:
    title: str
    items: tuple[str, ...]
    female_share: float = 0.0
    scope_note: str = ""


PROFILES = {
    "hydro": Profile("加氢装置操作工", ("MEM-9.8",), 0.2),
    "fcc": Profile("催化裂化操作工", ("MEM-9.6",), 0.2),
    "ethylene": Profile("乙烯裂解操作工", ("MEM-9.6",), 0.2),
    "polymer": Profile("聚合装置操作工", ("MEM-9.14",), 0.3),
    "chlor": Profile("氯碱电解操作工", ("MEM-9.2",), 0.3),
    "instrument": Profile("仪表工", ("MEM-9.16",), 0.35),
    "hv": Profile("高压电工", ("MEM-1.1", "MEM-1.2")),
    "lv": Profile("电工", ("MEM-1.2",), 0.1),
    "exproof": Profile("防爆电工", ("MEM-1.3",)),
    "boiler": Profile("司炉工", ("SAMR-G1",), 0.2),
    "fridge": Profile("制冷工", ("MEM-4.1",)),
    "fridge_fix": Profile("制冷设备维修工", ("MEM-4.2",)),
    "forklift": Profile("叉车司机", ("SAMR-N1",), 0.15),
    "crane": Profile("行车工", ("SAMR-Q2",), 0.4, "桥式起重机"),
    "mobile_crane": Profile("汽车吊司机", ("SAMR-Q2",), 0.0, "流动式起重机"),
    "signal": Profile("起重指挥", ("SAMR-Q1",)),
    "welder": Profile("焊工", ("MEM-2.1",)),
    "pipe_welder": Profile("管道焊工", ("MEM-2.1", "MEM-3.2")),
    "scaffolder": Profile("架子工", ("MEM-3.1",)),
    "height": Profile("高处安装维修工", ("MEM-3.2",)),
}

# (organization, sites a worker is assigned among, profile, headcount): 72 + 30 + 24 = 126
R, C, T = ("refinery",), ("chemicals",), ("tank-farm",)
ROSTER = (
    ("owner", R, "hydro", 8), ("owner", R, "fcc", 7), ("owner", R, "hv", 4),
    ("owner", R, "lv", 3), ("owner", R, "instrument", 4),
    ("owner", C, "ethylene", 6), ("owner", C, "polymer", 6), ("owner", C, "chlor", 5),
    ("owner", C, "boiler", 4), ("owner", C, "lv", 3), ("owner", C, "fridge", 2),
    ("owner", T, "forklift", 6), ("owner", T, "crane", 4), ("owner", T, "signal", 2),
    ("owner", T, "lv", 3), ("owner", T, "exproof", 2), ("owner", T, "instrument", 3),
    ("jiangsu", R + C, "welder", 10), ("jiangsu", R + C, "pipe_welder", 4),
    ("jiangsu", R + C, "scaffolder", 6), ("jiangsu", R + C, "lv", 4),
    ("jiangsu", R + C, "mobile_crane", 3), ("jiangsu", R + C, "signal", 3),
    ("shanghai", C + T, "welder", 8), ("shanghai", C + T, "scaffolder", 4),
    ("shanghai", C + T, "height", 5), ("shanghai", C + T, "lv", 3),
    ("shanghai", C + T, "fridge_fix", 2), ("shanghai", C + T, "forklift", 2),
)

# The status spread the demo promises (issue 2, part 9), each on one worker's first item:
# (kind, days from today). Everything else is valid.
SCENARIOS = (
    ("expiring", 5), ("expiring", 5), ("expiring", 12), ("expiring", 12),
    ("expiring", 25), ("expiring", 25), ("review_soon", 18),
    ("expired", 9), ("expired", 38), ("expired", 160),
    ("renewing", 20), ("review_overdue", 11),
    ("missing_item", 0), ("new_hire", 0),
)
# fmt: on
NOTES = {"new_hire": "新入职，证书正在办理", "missing_item": "高处作业证未取得，待参加培训考核"}
LEGACY_NUMBERS = 4  # a few MEM certificates keep a provincial legacy number (RULES.md 1)
PROVINCE_ABBR = {"上海": "沪", "江苏": "苏", "南通": "苏", "浙江": "浙"}


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
MALE_NAMES = _words(
    "建国 志强 国强 伟 磊 勇 军 杰 涛 明 超 刚 平 辉 鹏 华 飞 鑫 波 斌 宇 浩 凯 健 俊 旭 宁 龙 洋 晨 "
    "亮 成 峰 海 永 春生 建华 建军 卫东 海涛 立新 文斌 少华 振华 红军 家豪 宇航 俊杰 浩然 国庆 德明 "
    "志刚 长江 金龙 小兵 学军 新民 永刚 卫国 大伟 晓东 云飞 铁柱 茂林"
)
FEMALE_NAMES = _words(
    "秀英 桂英 秀兰 玉兰 丽 静 敏 燕 艳 娟 霞 芳 婷 雪 慧 丹 玲 萍 红 琳 倩 颖 晓燕 海燕 雪梅 "
    "丽娟 春梅 美玲 思雨 欣怡 晓红 玉梅"
)
PHONE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 177 180 "
    "181 182 183 185 186 187 188 189 199"
)


@dataclass
class CertPlan:
    code: str
    number: str
    issued_by: str
    first_issued_on: date
    valid_from: date
    valid_until: date
    next_review_due: date | None = None
    reviewed_on: date | None = None
    renewing: bool = False
    scope_note: str = ""


@dataclass
class WorkerPlan:
    org: str
    sites: tuple[str, ...]
    profile: Profile
    scenario: tuple[str, int] | None = None
    certs: list[CertPlan] = field(default_factory=list)
    name: str = ""
    id_number: str = ""
    phone: str = ""
    note: str = ""


@dataclass(frozen=True)
class Login:
    username: str
    password: str | None  # None: the login existed and its password was left alone
    role: str
    scope: str  # organization or site the login is limited to


@dataclass
class DemoResult:
    organizations: int = 0
    sites: int = 0
    work_areas: int = 0
    workers: int = 0
    certificates: int = 0
    logins: list[Login] = field(default_factory=list)


# --- identifiers -------------------------------------------------------------------------


def org_code(first8: str) -> str:
    """GB 11714-1997 organization code: 8 digits and a MOD 11 check character."""
    total = sum(int(c) * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return first8 + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(spec: OrgSpec) -> str:
    """GB 32100-2015: 9 (market regulator) 1 (enterprise), area code, organization code."""
    first17 = "91" + spec.region + org_code(spec.org_code)
    return first17 + uscc_check_char(first17)


def id_number(area: str, birth: date, serial: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


# --- the plan: pure, no database ---------------------------------------------------------


def plan_workers(
    *, on: date, types: dict[str, CertificateType], seed: int = SEED
) -> list[WorkerPlan]:
    rng = random.Random(seed)
    workers = [
        WorkerPlan(org=org, sites=_pick_sites(rng, sites), profile=PROFILES[profile])
        for org, sites, profile, count in ROSTER
        for _ in range(count)
    ]
    _assign_scenarios(rng, workers, types)
    used: dict[str, set] = {"names": set(), "ids": set(), "phones": set()}
    for worker in workers:
        _plan_certificates(rng, on, worker, types)
        _plan_identity(rng, on, worker, used)
    _apply_numbers(workers)
    return workers


def _pick_sites(rng: random.Random, sites: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(rng.sample(sites, rng.randint(1, len(sites))))


def _fits(kind: str, worker: WorkerPlan, types: dict[str, CertificateType]) -> bool:
    system = types[worker.profile.items[0]].system
    return {
        "review_soon": system == "mem",
        "review_overdue": system == "mem",
        "renewing": system == "samr",
        "missing_item": worker.profile.items[1:] == ("MEM-3.2",),
        "new_hire": worker.org != "owner",
    }.get(kind, True)


def _assign_scenarios(rng: random.Random, workers: list[WorkerPlan], types) -> None:
    order = rng.sample(workers, len(workers))
    for kind, days in SCENARIOS:
        worker = next(w for w in order if w.scenario is None and _fits(kind, w, types))
        worker.scenario = (kind, days)
        worker.note = NOTES.get(kind, "")


def _plan_certificates(rng: random.Random, on: date, worker: WorkerPlan, types) -> None:
    kind = worker.scenario[0] if worker.scenario else "valid"
    codes = worker.profile.items
    if kind == "new_hire":
        codes = ()
    elif kind == "missing_item":
        codes = codes[:1]
    for i, code in enumerate(codes):
        scenario = worker.scenario if i == 0 and kind != "missing_item" else None
        worker.certs.append(_plan_dates(rng, on, types[code], scenario))
        worker.certs[-1].scope_note = worker.profile.scope_note
    if worker.certs and rng.random() < 0.35:  # holds the item since an earlier certificate
        first = worker.certs[0]
        first.first_issued_on = add_years(first.valid_from, -types[first.code].validity_years)


def _plan_dates(rng: random.Random, on: date, ctype: CertificateType, scenario) -> CertPlan:
    kind, days = scenario or ("valid", 0)
    if kind in {"expiring", "renewing"}:
        plan = _ending(rng, on + timedelta(days=days), ctype)
        plan.renewing = kind == "renewing"
        return plan
    if kind == "expired":
        return _ending(rng, on - timedelta(days=days), ctype)
    if kind in {"review_soon", "review_overdue"}:
        due = on + timedelta(days=days if kind == "review_soon" else -days)
        start = add_years(due, -ctype.review_interval_years)
        return _cert(ctype, start, add_years(start, ctype.validity_years), due, None)
    return _valid(rng, on, ctype)


def _cert(ctype, start: date, end: date, due: date | None, reviewed: date | None) -> CertPlan:
    return CertPlan(ctype.code, "", "", start, start, end, due, reviewed)


def _ending(rng: random.Random, end: date, ctype: CertificateType) -> CertPlan:
    """A certificate ending on ``end``; its mid-term review (MEM, 第二十一条) was passed."""
    start = add_years(end, -ctype.validity_years)
    due = add_years(start, ctype.review_interval_years) if ctype.review_interval_years else None
    return _cert(ctype, start, end, due, _review_date(rng, due))


def _valid(rng: random.Random, on: date, ctype: CertificateType) -> CertPlan:
    """Valid, clear of every warning window: held for a random time, reviewed if due."""
    held = rng.randint(40, ctype.validity_years * 365 - 80)
    review_years = ctype.review_interval_years
    if review_years and review_years * 365 - 80 <= held <= review_years * 365 + 5:
        held += 120  # keep out of the review window: the spread above is deliberate
    start = on - timedelta(days=held)
    due = add_years(start, review_years) if review_years else None
    reviewed = _review_date(rng, due) if due and due < on else None
    return _cert(ctype, start, add_years(start, ctype.validity_years), due, reviewed)


def _review_date(rng: random.Random, due: date | None) -> date | None:
    # 第二十二条: applied for within the 60 days before the review is due.
    return due - timedelta(days=rng.randint(3, 55)) if due else None


def _plan_identity(rng: random.Random, on: date, worker: WorkerPlan, used: dict) -> None:
    female = rng.random() < worker.profile.female_share
    earliest = min((c.first_issued_on for c in worker.certs), default=on)
    # At least 18 when first certified (RULES.md 1), plus a year of training.
    youngest = max(20, on.year - earliest.year + 19)
    age = rng.randint(youngest, 48 if female else 58)
    birth = add_years(on, -age) - timedelta(days=rng.randint(1, 360))
    spec = next(s for s in ORGS if s.key == worker.org)
    worker.name = _unique(used["names"], lambda: _name(rng, female))
    worker.id_number = _unique(
        used["ids"], lambda: id_number(rng.choice(spec.id_areas), birth, _serial(rng, female))
    )
    worker.phone = _unique(
        used["phones"], lambda: rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    )
    _plan_authorities(rng, worker, spec)


def _serial(rng: random.Random, female: bool) -> int:
    # GB 11643-1999: the sequence code is odd for men, even for women.
    return rng.randrange(0, 500) * 2 + (0 if female else 1)


def _name(rng: random.Random, female: bool) -> str:
    return rng.choice(SURNAMES) + rng.choice(FEMALE_NAMES if female else MALE_NAMES)


def _unique(seen: set, make):
    value = make()
    while value in seen:
        value = make()
    seen.add(value)
    return value


def _plan_authorities(rng: random.Random, worker: WorkerPlan, spec: OrgSpec) -> None:
    for cert in worker.certs:
        pool = spec.mem_authorities if cert.code.startswith("MEM") else spec.samr_authorities
        cert.issued_by = rng.choice(pool)
        cert.number = worker.id_number


def _apply_numbers(workers: list[WorkerPlan]) -> None:
    """New-style numbers are the holder's ID number (RULES.md 1, since 2019-09-01); the
    oldest few valid MEM certificates keep a provincial legacy number."""
    mem = [c for w in workers if w.scenario is None for c in w.certs if c.code.startswith("MEM")]
    for serial, cert in enumerate(sorted(mem, key=lambda c: c.valid_from)[:LEGACY_NUMBERS], 1):
        abbr = next(v for k, v in PROVINCE_ABBR.items() if cert.issued_by.startswith(k))
        cert.number = f"{abbr}AJ{cert.valid_from.year}{serial * 7919 % 10**6:06d}"


# --- writing through the services --------------------------------------------------------


@transaction.atomic
def build_demo(*, on: date, password: str | None = None) -> DemoResult:
    actor = Actor.system(ACTOR_LABEL)
    result = DemoResult()
    types = {t.code: t for t in CertificateType.objects.all()}
    orgs = {spec.key: _ensure_org(actor, spec, result) for spec in ORGS}
    sites = {key: _ensure_site(actor, orgs["owner"], key, result) for key, *_ in SITES}
    for worker in plan_workers(on=on, types=types):
        _create_worker(actor, worker, orgs, sites, types, result)
    result.logins = _ensure_logins(actor, orgs, sites, password)
    return result


def _ensure_org(actor: Actor, spec: OrgSpec, result: DemoResult) -> Organization:
    existing = Organization.objects.filter(name=spec.name).first()
    if existing:
        return existing
    result.organizations += 1
    return organization_create(
        actor=actor,
        name=spec.name,
        kind=spec.kind,
        credit_code=credit_code(spec),
        contact_name=spec.contact[0],
        contact_phone=spec.contact[1],
    )


def _ensure_site(actor: Actor, owner: Organization, key: str, result: DemoResult) -> Site:
    _, name, address, areas = next(s for s in SITES if s[0] == key)
    site = Site.objects.filter(code=key).first()
    if site is None:
        site = site_create(actor=actor, name=name, code=key, owner=owner, address=address)
        result.sites += 1
    for code, area_name, risk in areas:
        if not WorkArea.objects.filter(site=site, code=code).exists():
            work_area_create(actor=actor, site=site, name=area_name, code=code, risk_level=risk)
            result.work_areas += 1
    return site


def _create_worker(actor: Actor, worker: WorkerPlan, orgs, sites, types, result) -> None:
    if Person.objects.filter(id_number_hash=crypto.blind_index(worker.id_number)).exists():
        return
    person = person_create(
        actor=actor,
        name=worker.name,
        id_number=worker.id_number,
        phone=worker.phone,
        organization=orgs[worker.org],
        job_title=worker.profile.title,
        note=worker.note,
        sites=[sites[k] for k in worker.sites],
        special_operations=[types[c] for c in worker.profile.items],
    )
    for plan in worker.certs:
        _create_certificate(actor, person, plan, types[plan.code])
    result.workers += 1
    result.certificates += len(worker.certs)


def _create_certificate(actor: Actor, person: Person, plan: CertPlan, ctype) -> None:
    cert = certificate_create(
        actor=actor,
        person=person,
        type=ctype,
        number=plan.number,
        issued_by=plan.issued_by,
        first_issued_on=plan.first_issued_on,
        valid_from=plan.valid_from,
        valid_until=plan.valid_until,
        next_review_due=plan.next_review_due,
        scope_note=plan.scope_note,
    )
    if plan.reviewed_on:
        certificate_record_review(
            actor=actor, certificate=cert, reviewed_on=plan.reviewed_on, authority=plan.issued_by
        )
    if plan.renewing:
        certificate_renew(actor=actor, certificate=cert, reason=RENEWAL_REASON)


# --- logins ------------------------------------------------------------------------------

LOGINS = (
    ("admin", "周立伟", Role.SAFETY_MANAGER),
    ("contractor", "陈国华", Role.CONTRACTOR_ADMIN),
    ("areahead", "郑海峰", Role.AREA_HEAD),
)
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def strong_password() -> str:
    """Three groups of five from 56 unambiguous characters: about 87 bits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(5)) for _ in range(3))


def _ensure_logins(actor: Actor, orgs, sites, password: str | None) -> list[Login]:
    where = {
        Role.SAFETY_MANAGER: (orgs["owner"], [], orgs["owner"].name),
        Role.CONTRACTOR_ADMIN: (orgs["jiangsu"], [], orgs["jiangsu"].name),
        Role.AREA_HEAD: (orgs["owner"], [sites["refinery"]], sites["refinery"].name),
    }
    return [
        _ensure_login(actor, username, full_name, role, where[role], password)
        for username, full_name, role in LOGINS
    ]


def _ensure_login(
    actor: Actor, username: str, full_name: str, role: str, where, password: str | None
) -> Login:
    """An existing login is kept; it only gets the password when one was given."""
    organization, site_list, scope = where
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return Login(username, password or None, role, scope)
    secret = password or strong_password()
    manager = role == Role.SAFETY_MANAGER
    user = get_user_model().objects.create_user(
        username=username,
        password=secret,
        first_name=full_name,
        email=f"{username}@example.com",
        is_staff=manager,
        is_superuser=manager,
    )
    profile = UserProfile.objects.create(user=user, role=role, organization=organization)
    profile.sites.set(site_list)
    audit_record(
        actor=actor,
        action="create",
        obj=user,
        changes={"username": username, "role": role, "scope": scope},
    )
    return Login(username, secret, role, scope)
