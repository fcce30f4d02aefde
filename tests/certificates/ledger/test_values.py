"""Cell values as people type them (issue 3): every date form, Excel serials, full-width
digits, validity ranges in one cell, ID numbers Excel turned into numbers."""

from datetime import date, datetime

import pytest

from safework.certificates.ledger.values import (
    CellError,
    id_number_text,
    number_text,
    parse_date,
    parse_date_range,
    parse_optional_date,
)

MARCH_1 = date(2025, 3, 1)


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-01",
        "2025-3-1",
        "2025/3/1",
        "2025.3.1",
        "2025.03.01",
        "2025年3月1日",
        "2025年03月01日",
        "2025年3月1",
        "20250301",
        20250301,
        "２０２５年３月１日",  # full-width digits from a Chinese input method
        "２０２５－０３－０１",
        " 2025 / 3 / 1 ",
        "2025-03-01 00:00:00",
        datetime(2025, 3, 1, 0, 0),
        MARCH_1,
        45717,  # Excel serial number of 2025-03-01
        45717.0,
        "45717",
    ],
)
def test_every_date_form_people_type(raw):
    assert parse_date(raw) == MARCH_1


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2025-02-30", "不存在"),
        ("next week", "不是日期"),
        ("25.3.1", "不是日期"),
        (12, "超出范围"),
    ],
)
def test_a_wrong_date_says_what_is_wrong_in_chinese(raw, fragment):
    with pytest.raises(CellError) as exc:
        parse_date(raw)
    assert fragment in exc.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "2021.03.01-2027.03.01",
        "2021年3月1日至2027年3月1日",
        "2021-03-01~2027-03-01",
        "2021-03-01 至 2027-03-01",
        "2021/3/1—2027/3/1",
        "20210301-20270301",
        "２０２１．０３．０１－２０２７．０３．０１",
    ],
)
def test_a_single_validity_cell(raw):
    assert parse_date_range(raw) == (date(2021, 3, 1), date(2027, 3, 1))


def test_a_validity_cell_with_one_date_is_refused():
    with pytest.raises(CellError, match="有效期"):
        parse_date_range("2021.03.01")


def test_review_cell_none_due_versus_not_given():
    assert parse_optional_date("无") == (None, True)
    assert parse_optional_date("/") == (None, True)
    assert parse_optional_date("") == (None, False)
    assert parse_optional_date(None) == (None, False)
    assert parse_optional_date("2027.3.1") == (date(2027, 3, 1), False)


@pytest.mark.parametrize("raw", [1.10101198506150e17, 110101198506150016, "1.10101E+17", "1.1E17"])
def test_id_numbers_excel_stored_as_numbers_are_unrecoverable(raw):
    with pytest.raises(CellError) as exc:
        id_number_text(raw)
    assert "无法" in exc.value.message or "不能" in exc.value.message


def test_id_number_text_keeps_a_trailing_lowercase_x_upper_cased():
    assert id_number_text(" 11010119850615003x ") == "11010119850615003X"
    assert id_number_text("１１０１０１１９８５０６１５００３ｘ") == "11010119850615003X"


def test_certificate_numbers_excel_stored_as_numbers():
    assert number_text(20190001.0) == "20190001"
    with pytest.raises(CellError):
        number_text(1.2345678901234567e17)
    with pytest.raises(CellError):
        number_text("3.20102E+17")
