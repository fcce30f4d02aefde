"""Cell values as people type them (issue 3): every date form, Excel serials, full-width
digits, validity ranges in one cell, ID numbers Excel turned into numbers."""

import contextlib
from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

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


# --- properties (issue 6: hypothesis tests on the date parsers) ---------------------------

ledger_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
FULL_WIDTH = str.maketrans("0123456789-./", "０１２３４５６７８９－．／")


def typed_forms(d: date) -> list:
    """The ways one date reaches a ledger: typed in each common form (padded or not,
    full width), an Excel date cell, an Excel serial number."""
    serial = (d - date(1899, 12, 30)).days
    texts = [
        f"{d:%Y-%m-%d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y%m%d}",
        f" {d.year} / {d.month:02d} / {d.day:02d} ",
        f"{d:%Y-%m-%d} 00:00:00",
    ]
    return [
        *texts,
        *(t.translate(FULL_WIDTH) for t in texts),
        d,
        datetime(d.year, d.month, d.day),
        serial,
        float(serial),
        int(f"{d:%Y%m%d}"),
    ]


@given(ledger_dates)
def test_every_typed_form_of_any_date_reads_back_as_that_date(d):
    for form in typed_forms(d):
        assert parse_date(form) == d, form


@given(ledger_dates, ledger_dates, st.sampled_from(["-", "~", "至", " 至 ", "—", "－", "到"]))
def test_any_validity_cell_reads_back_as_its_two_dates(start, end, sep):
    for a, b in (
        (f"{start:%Y.%m.%d}", f"{end:%Y.%m.%d}"),
        (f"{start.year}年{start.month}月{start.day}日", f"{end.year}年{end.month}月{end.day}日"),
        (f"{start:%Y%m%d}", f"{end:%Y%m%d}"),
    ):
        assert parse_date_range(a + sep + b) == (start, end)


# Digits of every script too: str.isdigit() says yes to some that int() cannot read.
digit_heavy_text = st.text(st.characters(categories=["Nd", "No", "Nl", "Pd", "Po"]), max_size=12)


@given(st.one_of(st.text(), digit_heavy_text, st.integers(), st.floats()))
@example("᧚᧚᧚᧚᧚")  # five characters isdigit() accepts and int() refuses
@example(float("nan"))
@example(float("inf"))
def test_anything_else_is_a_date_or_a_cell_error_never_a_crash(value):
    """Whatever a cell holds, the reader names the problem in the row's error list: no
    other exception may escape (it would abort the whole import)."""
    for parse in (parse_date, parse_optional_date, parse_date_range):
        with contextlib.suppress(CellError):
            parse(value)
