"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015),
RULES.md 4. The check characters are recomputed here from the standards' own definitions,
not from the module under test."""

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from safework.core.idnumbers import (
    InvalidIdentifier,
    mask_id_number,
    parse_credit_code,
    parse_id_number,
)

# ISO 7064 MOD 11-2: the weight of position i (1-based, 17 digits) is 2^(18-i) mod 11.
ID_WEIGHTS = [2 ** (18 - i) % 11 for i in range(1, 18)]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [3**i % 31 for i in range(17)]  # GB 32100-2015: W_i = 3^(i-1) mod 31


def id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: the check character makes the weighted sum ≡ 1 (mod 11)."""
    r = (12 - sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11) % 11
    return "X" if r == 10 else str(r)


def uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def rejects(raw: str) -> str:
    with pytest.raises(InvalidIdentifier) as exc:
        parse_id_number(raw)
    return exc.value.message


def test_weights_are_the_ones_printed_in_the_standards():
    """GB 11643-1999 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; GB 32100-2015 weights
    1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 (RULES.md 4)."""
    assert ID_WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert USCC_WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


# --- resident ID numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number", "birth", "sex"),
    [
        # The standard's own example (GB 11643-1999 annex): check character X.
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "F"),
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "F"),
        ("440524198001010013", "440524198001010013", date(1980, 1, 1), "M"),
        # Full-width digits and X as typed on a Chinese keyboard, and spaces anywhere.
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", date(1949, 12, 31), "F"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", date(1949, 12, 31), "F"),
        (" 110105 19491231 002X ", "11010519491231002X", date(1949, 12, 31), "F"),
        ("110105\u300019491231\t002X", "11010519491231002X", date(1949, 12, 31), "F"),
    ],
)
def test_valid_id_numbers_parse_and_normalise(raw, number, birth, sex):
    """GB 11643-1999: 6-digit area + YYYYMMDD + 3-digit sequence (odd male, even female) +
    ISO 7064 MOD 11-2 check character; X in any case."""
    parsed = parse_id_number(raw)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (number, birth, sex)


def test_unknown_historical_area_code_is_accepted():
    """RULES.md 4: do not reject unknown (historical) area codes."""
    first17 = "000000" + "19800101" + "123"
    assert parse_id_number(first17 + id_check(first17)).birth_date == date(1980, 1, 1)


def test_foreign_permanent_residence_id_uses_the_same_checksum():
    """RULES.md 4: the 2023 foreign permanent-residence ID is 18 characters starting with 9
    (9 + province + nationality code), birth date at the same place, same checksum."""
    first17 = "9" + "11" + "840" + "19900315" + "01" + "2"
    parsed = parse_id_number(first17 + id_check(first17))
    assert parsed.birth_date == date(1990, 3, 15)
    assert parsed.sex == "F"


def test_mask_keeps_area_code_and_last_four():
    """DESIGN.md principle 6: shown masked, 110101********1234."""
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert parse_id_number("11010519491231002X").masked == "110105********002X"


def test_wrong_check_digit_is_rejected_with_a_check_digit_message():
    """ISO 7064 MOD 11-2: 11010519491231002X is valid, so ...0021 is not."""
    with translation.override("en"):
        assert "check digit" in rejects("110105194912310021")


def test_fifteen_digit_number_asks_for_the_eighteen_digit_one():
    """RULES.md 4: 15-digit (1989) numbers have no check digit: ask for the 18-digit one."""
    with translation.override("en"):
        assert "18-digit" in rejects("110105491231002")
    assert "18 位" in str(rejects("110105491231002"))  # Chinese by default


def test_impossible_birth_date_is_rejected():
    """GB 11643-1999: characters 7-14 are a calendar date; 30 February does not exist,
    even with a correct check character."""
    first17 = "110105" + "19900230" + "002"
    with translation.override("en"):
        assert "does not exist" in rejects(first17 + id_check(first17))


def test_future_birth_date_is_rejected():
    first17 = "110105" + "29900101" + "002"
    with translation.override("en"):
        assert "not plausible" in rejects(first17 + id_check(first17))


@pytest.mark.parametrize("raw", ["1.10101E+17", "1.10105194912E+17", "1.10101e17"])
def test_scientific_notation_from_excel_is_explained(raw):
    """An ID number kept as a number in Excel shows as 1.10101E+17: digits are lost, say so
    rather than "wrong length"."""
    with translation.override("en"):
        assert "scientific notation" in rejects(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "1101051949123100",
        "11010519491231002XX",
        "11010519491231002A",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # digits of another script are not ID digits
    ],
)
def test_wrong_shapes_are_rejected(raw):
    rejects(raw)


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))


@st.composite
def id_numbers(draw) -> tuple[str, date, int]:
    area = draw(st.text("0123456789", min_size=6, max_size=6))
    birth = draw(dates)
    seq = draw(st.integers(0, 999))
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check(first17), birth, seq


@given(id_numbers())
def test_any_valid_date_with_computed_check_parses(case):
    """GB 11643-1999: any 17 digits with a real birth date plus the MOD 11-2 check parse;
    birth date and sex (odd sequence = male) are derived."""
    number, birth, seq = case
    parsed = parse_id_number(number.lower())
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if seq % 2 else "F")


@given(id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_is_rejected(case, position, replacement):
    """ISO 7064 MOD 11-2 detects every single-character substitution (11 is prime and no
    weight is 0 mod 11), so no one-character typo slips through."""
    number = case[0]
    if replacement == number[position] or (position < 17 and replacement == "X"):
        replacement = str((int(number[position]) + 1) % 10) if number[position] != "X" else "0"
    typo = number[:position] + replacement + number[position + 1 :]
    rejects(typo)


# --- unified social credit codes -----------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # public, printed on a business licence
        "911100007109288314",
        "91110108551385082Q",
        "12100000400000624D",  # institutions (1) may end in a letter
        "Y1110000MA0000000" + uscc_check("Y1110000MA0000000"),  # first character a letter
        "N2110000MA1234567" + uscc_check("N2110000MA1234567"),
    ],
)
def test_valid_credit_codes(code):
    """GB 32100-2015: 18 characters from 0-9 A-H J-N P-R T U W X Y, check = (31 − Σ mod 31)
    mod 31; the first character may be a letter."""
    assert parse_credit_code(code) == code


def test_credit_code_is_normalised():
    """Lower case, full-width characters and spaces are what people paste."""
    assert parse_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert parse_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert parse_credit_code("９１３５０１００ｍ０００１００ｙ４３") == "91350100M000100Y43"


def test_credit_code_wrong_check_is_rejected():
    with translation.override("en"), pytest.raises(InvalidIdentifier, match="check character"):
        parse_credit_code("91350100M000100Y44")


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_credit_code_forbidden_letters_are_named(letter):
    """GB 32100-2015 leaves out I, O, Z, S, V (easily confused with 1, 0, 2, 5, U)."""
    code = "91350100M00010" + letter + "Y43"
    with pytest.raises(InvalidIdentifier) as exc:
        parse_credit_code(code)
    assert letter in exc.value.message


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_credit_code_length(code):
    with translation.override("en"), pytest.raises(InvalidIdentifier, match="18 characters"):
        parse_credit_code(code)


uscc_bodies = st.text(USCC_ALPHABET, min_size=17, max_size=17)


@given(uscc_bodies)
def test_credit_code_round_trip(body):
    """GB 32100-2015: every 17 characters of the alphabet plus the computed check parse."""
    code = body + uscc_check(body)
    assert parse_credit_code(code.lower()) == code


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_credit_code_single_substitution_is_rejected(body, position, replacement):
    """31 is prime and no weight is 0 mod 31: every one-character substitution is caught."""
    code = body + uscc_check(body)
    if replacement == code[position]:
        replacement = USCC_ALPHABET[(USCC_ALPHABET.index(replacement) + 1) % 31]
    with pytest.raises(InvalidIdentifier):
        parse_credit_code(code[:position] + replacement + code[position + 1 :])
