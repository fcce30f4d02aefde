"""Finding the header (below titles, over two rows under a merged 有效期), mapping the
Chinese header variants, and matching operation items by code, name or alias."""

import pytest

from safework.certificates.ledger import headers
from safework.certificates.ledger.items import ItemMatcher, ItemMatchError
from safework.certificates.models import CertificateType


def rows(*cells):
    return [(i, list(c)) for i, c in enumerate(cells, start=1)]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("姓名", "name"),
        ("身份证号", "id_number"),
        ("身份证号码", "id_number"),
        ("证件号码", "id_number"),
        ("身份证号码（18位）", "id_number"),
        ("性别", "sex"),
        ("单位", "organization"),
        ("所属单位", "organization"),
        ("作业类别", "category"),
        ("准操项目", "item"),
        ("操作项目", "item"),
        ("证号", "number"),
        ("证书编号", "number"),
        ("发证机关", "issued_by"),
        ("初领日期", "first_issued_on"),
        ("初次领证日期", "first_issued_on"),
        ("有效期起", "valid_from"),
        ("有效期至", "valid_until"),
        ("有效期至\n(年月日)", "valid_until"),
        ("有效期", "validity"),
        ("复审日期", "next_review_due"),
        ("下次复审日期", "next_review_due"),
        ("应复审日期", "next_review_due"),
        ("手机", "phone"),
        ("联系电话", "phone"),
        ("＊姓 名", "name"),
    ],
)
def test_chinese_header_variants(text, field):
    assert headers.field_of(text) == field


def test_header_found_below_a_title_and_a_date_line_unmapped_columns_reported():
    found = headers.detect(
        rows(
            ["2025年度特种作业人员持证台账", None, None, None],
            ["填报单位：甲建设公司", None, None, "日期：2025-06-01"],
            [],
            ["序号", "姓名", "身份证号码", "准操项目", "证号", "备注"],
            [1, "张三", "110101198506150013", "电焊工", "T110101198506150013", ""],
        )
    )
    assert found.header_rows == [4]
    assert found.first_data_row == 5
    assert found.columns == {1: "name", 2: "id_number", 3: "item", 4: "number"}
    assert found.unmapped == ["序号", "备注"]


def test_two_row_header_under_a_merged_validity_cell():
    found = headers.detect(
        rows(
            ["姓名", "身份证号", "准操项目", "有效期", None, "复审日期"],
            [None, None, None, "起", "至", None],
            ["张三", "110101198506150013", "电焊工", "2021-03-01", "2027-03-01", "2024-03-01"],
        )
    )
    assert found.header_rows == [1, 2]
    assert found.columns[3] == "valid_from"
    assert found.columns[4] == "valid_until"
    assert found.columns[5] == "next_review_due"


def test_no_header_in_a_notes_sheet():
    assert headers.detect(rows(["填表说明"], ["1. 身份证号请设置为文本格式"])) is None


@pytest.fixture
def matcher(db):
    return ItemMatcher(CertificateType.objects.filter(is_active=True))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("MEM-2.1", "MEM-2.1"),
        ("mem-2.1", "MEM-2.1"),
        ("2.1", "MEM-2.1"),
        ("熔化焊接与热切割作业", "MEM-2.1"),
        ("熔化焊接与热切割", "MEM-2.1"),
        ("电焊工", "MEM-2.1"),
        ("焊工", "MEM-2.1"),
        ("高压电工", "MEM-1.1"),
        ("高压电工作业证", "MEM-1.1"),
        ("登高架设", "MEM-3.1"),
        ("SAMR-N1", "SAMR-N1"),
        ("N1", "SAMR-N1"),
        ("叉车司机证", "SAMR-N1"),
        ("煤矿采煤机(掘进机)操作作业", "MEM-5.7"),
    ],
)
def test_item_by_code_name_or_alias(matcher, raw, code):
    assert matcher.match(raw).code == code


def test_an_unknown_item_lists_the_closest_catalogue_names(matcher):
    with pytest.raises(ItemMatchError) as exc:
        matcher.match("熔化焊工作业")
    assert "熔化焊接与热切割作业 (MEM-2.1)" in exc.value.message


def test_an_ambiguous_item_lists_the_candidates_and_the_category_decides(matcher):
    with pytest.raises(ItemMatchError) as exc:
        matcher.match("安全检查")
    assert "MEM-5.5" in exc.value.message and "MEM-6.3" in exc.value.message
    assert matcher.match("安全检查", category="煤矿安全作业").code == "MEM-5.5"
