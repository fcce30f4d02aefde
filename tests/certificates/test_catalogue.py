"""The certificate catalogue (RULES.md 1 and 2), loaded by a data migration; re-running
the load changes nothing. The expected items are written out here from RULES.md, not
read from the module under test."""

import pytest

from safework.certificates.catalogue import load_catalogue
from safework.certificates.models import CertificateType

# 《特种作业目录》 (安监总局令第30号 annex, as amended): category -> item numbers.
MEM_ITEMS = {
    "1": ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"],
    "2": ["2.1", "2.2", "2.3"],
    "3": ["3.1", "3.2"],
    "4": ["4.1", "4.2"],
    "5": [f"5.{i}" for i in range(1, 11)],
    "6": [f"6.{i}" for i in range(1, 9)],
    "7": ["7.1"],
    "8": ["8.1"],
    "9": [f"9.{i}" for i in range(1, 17)],
    "10": [f"10.{i}" for i in range(1, 6)],
}
# TSG Z6001-2019 (SAMR 公告2021年第41号).
SAMR_ITEMS = [
    "A",
    "G1",
    "G2",
    "G3",
    "R1",
    "R2",
    "R3",
    "P",
    "T",
    "Q1",
    "Q2",
    "S1",
    "S2",
    "Y1",
    "Y2",
    "N1",
    "N2",
    "F",
]
NAMES = {
    "MEM-1.1": "高压电工作业",
    "MEM-2.1": "熔化焊接与热切割作业",
    "MEM-3.1": "登高架设作业",
    "MEM-9.16": "化工自动化控制仪表作业",
    "SAMR-N1": "叉车司机",
    "SAMR-Q2": "起重机司机",
    "SAMR-A": "特种设备安全管理",
}


@pytest.fixture
def types(db):
    return {t.code: t for t in CertificateType.objects.all()}


def test_every_mem_item_with_6_year_validity_and_3_year_review(types):
    """第十九条: valid 6 years; 第二十一条: review every 3 years; 第二十二条: applied for
    within the 60 days before it is due."""
    for category, items in MEM_ITEMS.items():
        for number in items:
            t = types[f"MEM-{number}"]
            assert (t.system, t.category_code) == ("mem", category)
            assert (t.validity_years, t.review_interval_years, t.review_window_days) == (6, 3, 60)
            assert t.min_age == 18


def test_every_samr_item_with_4_year_validity_and_review_at_renewal(types):
    """TSG Z6001-2019: valid 4 years, renewal (复审) at least 1 month before expiry;
    registration age 18-60."""
    for code in SAMR_ITEMS:
        t = types[f"SAMR-{code}"]
        assert t.system == "samr"
        assert (t.validity_years, t.review_interval_years) == (4, None)
        assert (t.min_age, t.max_registration_age) == (18, 60)


def test_names_are_the_official_ones(types):
    assert {code: types[code].name for code in NAMES} == NAMES


def test_unconfirmed_numbers_are_marked(types):
    """RULES.md 1: numbers 1.4-1.6 (added 2018) are unconfirmed; say so in the data."""
    assert {c for c, t in types.items() if t.code_unconfirmed and c.startswith("MEM")} == {
        "MEM-1.4",
        "MEM-1.5",
        "MEM-1.6",
    }


def test_nothing_beyond_the_rules(types):
    """Only the items of RULES.md (plus the two SAMR welding items of TSG Z6002)."""
    expected = {f"MEM-{n}" for items in MEM_ITEMS.values() for n in items}
    expected |= {f"SAMR-{c}" for c in SAMR_ITEMS} | {"SAMR-WM", "SAMR-WN"}
    assert set(types) == expected


def test_reloading_changes_nothing(types):
    """Issue 2: the data migration can run again without changing anything."""
    assert load_catalogue(CertificateType) == (0, 0)
    assert {t.code: t.validity_years for t in CertificateType.objects.all()} == {
        c: t.validity_years for c, t in types.items()
    }


def test_reloading_repairs_a_changed_row(types):
    CertificateType.objects.filter(code="MEM-2.1").update(validity_years=9, name="改过")
    assert load_catalogue(CertificateType) == (0, 1)
    t = CertificateType.objects.get(code="MEM-2.1")
    assert (t.validity_years, t.name) == (6, "熔化焊接与热切割作业")
