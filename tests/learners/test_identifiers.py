import random

import pytest
from django.core.exceptions import ValidationError

from learners import identifiers as ids


def _make_citizen_id(first_twelve: str) -> str:
    return first_twelve + str(ids.citizen_id_check_digit(first_twelve))


def test_check_digit_matches_the_published_formula():
    # d13 = (11 - (sum of d_i * (14 - i)) mod 11) mod 10
    for _ in range(200):
        first = "".join(random.choice("0123456789") for _ in range(12))
        expected = (11 - sum(int(d) * (14 - i) for i, d in enumerate(first, start=1)) % 11) % 10
        assert ids.citizen_id_check_digit(first) == expected


def test_a_valid_id_in_every_form_people_type_it():
    value = _make_citizen_id("110370012345")
    thai = value.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    spaced = f"{value[0]} {value[1:5]} {value[5:10]} {value[10:12]} {value[12]}"
    dashed = ids.format_full(ids.CITIZEN_ID, value)
    for typed in (value, thai, spaced, dashed, f"  {dashed}  "):
        assert ids.validate(ids.CITIZEN_ID, typed) == value


def test_a_wrong_check_digit_is_refused():
    value = _make_citizen_id("110370012345")
    wrong = value[:12] + str((int(value[12]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        ids.validate(ids.CITIZEN_ID, wrong)
    assert error.value.code == "citizen_id_checksum"


@pytest.mark.parametrize("typed", ["12345", "1103700123456789", "11037001234x5", "١١٠٣٧٠٠١٢٣٤٥٦"])
def test_wrong_shapes_are_refused(typed):
    # The last case is Arabic-Indic digits: isdigit() says yes, we say no.
    with pytest.raises(ValidationError):
        ids.validate(ids.CITIZEN_ID, typed)


def test_masking_shows_the_first_five_and_the_last_digit_only():
    value = _make_citizen_id("123450000000")
    assert ids.mask(ids.CITIZEN_ID, value) == f"1-2345-xxxxx-xx-{value[12]}"
    assert value[5:12] not in ids.mask(ids.CITIZEN_ID, value)


def test_g_code_and_passport():
    assert ids.validate(ids.G_CODE, "g 1234-5678-9012") == "G123456789012"
    with pytest.raises(ValidationError):
        ids.validate(ids.G_CODE, "G12345")
    assert ids.validate(ids.PASSPORT, "aa 1234567") == "AA1234567"
    assert ids.mask(ids.PASSPORT, "AA1234567") == "AAxxxxx67"
