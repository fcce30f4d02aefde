"""Validation of resident ID numbers (GB 11643-1999) and unified social credit codes
(GB 32100-2015). Pure functions; messages are translatable and name the problem."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from .clock import today

# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 32100-2015: 31-character alphabet without I, O, Z, S, V.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _normalize(raw) -> str:
    """What people paste: full-width characters from a Chinese input method (NFKC maps
    them, lower case included, to ASCII), spaces anywhere, lower-case letters. Patterns
    below say [0-9], not \\d, which would also accept other scripts' digits."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw or ""))).upper()


class InvalidIdentifier(ValueError):
    """Raised with a translatable message explaining what is wrong."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    number: str  # normalised: 18 characters, upper-case X
    birth_date: date
    sex: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def normalize_id_number(raw: str) -> str:
    return _normalize(raw)


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_id_number(raw: str) -> ResidentId:
    """Validate an 18-character resident ID number and derive birth date and sex.

    Unknown (historical) area codes are accepted on purpose (RULES.md 4). The 2023
    foreign permanent-residence ID (starting with 9) uses the same checksum."""
    number = normalize_id_number(raw)
    if not number:
        raise InvalidIdentifier(_("The ID number is empty."))
    if re.fullmatch(r"[0-9]{15}", number):
        raise InvalidIdentifier(
            _(
                "This is an old 15-digit ID number, which has no check digit. "
                "Please enter the 18-digit ID number."
            )
        )
    if re.fullmatch(r"[0-9](\.[0-9]+)?E\+?[0-9]+", number):
        raise InvalidIdentifier(
            _("The ID number was stored as a number in scientific notation and lost digits.")
        )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise InvalidIdentifier(
            _("An ID number has 18 characters: 17 digits and a final digit or X.")
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentifier(_("The birth date inside the ID number does not exist.")) from None
    if birth.year < 1900 or birth > today():
        raise InvalidIdentifier(_("The birth date inside the ID number is not plausible."))
    if id_check_char(number[:17]) != number[17]:
        raise InvalidIdentifier(
            _("The check digit of the ID number is wrong; please check every digit.")
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex)


def mask_id_number(number: str) -> str:
    """110101********1234: area code and last four digits only (PIPL minimisation)."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def age_on(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    return _normalize(raw)


def parse_credit_code(raw: str) -> str:
    """Validate a unified social credit code; return it normalised."""
    code = normalize_credit_code(raw)
    if len(code) != 18:
        raise InvalidIdentifier(_("A unified social credit code has exactly 18 characters."))
    bad = sorted({c for c in code if c not in _USCC_ALPHABET})
    if bad:
        raise InvalidIdentifier(
            _("The credit code contains characters that are never used: %(chars)s")
            % {"chars": "".join(bad)}
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise InvalidIdentifier(
            _("The check character of the credit code is wrong; please check every character.")
        )
    return code
