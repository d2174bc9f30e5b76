"""Learner identifiers: Thai citizen IDs, the Ministry's G-code, passports.

A Thai citizen ID is 13 ASCII digits whose last digit is a mod-11 check digit. People type them
with spaces and dashes, and Thai keyboards produce Thai digits (๐–๙). Python's ``str.isdigit``
and regex ``\\d`` accept Thai (and other) digits too, so every check here is on an explicit
ASCII character set.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from creditbank.thai import to_arabic_digits

ASCII_DIGITS = frozenset("0123456789")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]+")
_G_CODE = re.compile(r"^G[0-9]{12}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,15}$")

CITIZEN_ID = "citizen_id"
G_CODE = "g_code"
PASSPORT = "passport"


def normalise(value: str) -> str:
    """Thai digits to ASCII, separators removed, letters upper-cased."""
    return _SEPARATORS.sub("", to_arabic_digits(value or "")).upper()


def citizen_id_check_digit(first_twelve: str) -> int:
    total = sum(int(digit) * (13 - index) for index, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


def is_valid_citizen_id(value: str) -> bool:
    return (
        len(value) == 13
        and set(value) <= ASCII_DIGITS
        and citizen_id_check_digit(value[:12]) == int(value[12])
    )


def validate(kind: str, raw: str) -> str:
    """Return the normalised identifier or raise ValidationError with a clear message."""
    value = normalise(raw)
    if kind == CITIZEN_ID:
        if len(value) != 13 or not set(value) <= ASCII_DIGITS:
            raise ValidationError(
                _("A Thai citizen ID has 13 digits (you entered %(count)s characters)."),
                code="citizen_id_length",
                params={"count": len(value)},
            )
        if not is_valid_citizen_id(value):
            raise ValidationError(
                _("This citizen ID's check digit is wrong: please check each digit."),
                code="citizen_id_checksum",
            )
        return value
    if kind == G_CODE:
        if not _G_CODE.match(value):
            raise ValidationError(
                _("A G-code is the letter G followed by 12 digits."), code="g_code_shape"
            )
        return value
    if kind == PASSPORT:
        if not _PASSPORT.match(value):
            raise ValidationError(
                _("A passport number has 6 to 15 letters and digits."), code="passport_shape"
            )
        return value
    raise ValidationError(_("Unknown identifier type."), code="identifier_type")


def mask(kind: str, value: str) -> str:
    """What staff see: enough to tell two people apart, not enough to use the number."""
    if kind == CITIZEN_ID and len(value) == 13:
        return f"{value[0]}-{value[1:5]}-xxxxx-xx-{value[12]}"
    if len(value) <= 4:
        return "x" * len(value)
    return value[:2] + "x" * (len(value) - 4) + value[-2:]


def format_full(kind: str, value: str) -> str:
    if kind == CITIZEN_ID and len(value) == 13:
        return f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}"
    return value
