"""Identifier validators: 统一社会信用代码, 身份证号, mobile and landline numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anpai.core.validators import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    validate_credit_code,
    validate_id_card,
    validate_mobile,
    validate_phone,
)


def _code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def _error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value.code


# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the standard's own worked example
        "9144030071526726XG",  # published codes of well-known companies
        "91330100716105852F",
        "91110108551385082Q",
        "914403001922038216",
        _code("91141127MA0KABCDE"),
        _code("12141127000000000"),  # a public institution (事业单位)
        _code("52141127RTUWXY123"),  # the letters the alphabet keeps
    ],
)
def test_valid_credit_codes(code):
    validate_credit_code(code)


def test_check_character_covers_the_whole_alphabet():
    seen = {credit_code_check_char(f"9114112700000{n:04d}") for n in range(2000)}
    assert seen <= set(CREDIT_CODE_ALPHABET)
    assert len(seen) == 31


def test_lower_case_and_spaces_are_accepted():
    validate_credit_code("  " + _code("91141127MA0KABCDE").lower() + " ")


def test_wrong_check_character_names_the_expected_one():
    good = _code("91141127MA0KABCDE")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(wrong)
    assert excinfo.value.code == "credit_check"
    assert excinfo.value.params == {"expected": good[17], "actual": wrong[17]}


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters(letter):
    # Put the letter in the free part, and fix up the check char so only the letter is wrong.
    first17 = "91141127MA0K" + letter + "BCDE"
    code = first17 + "0"
    assert _error_code(validate_credit_code, code) == "credit_charset"


def test_letters_in_the_region_code_positions_are_refused():
    assert _error_code(validate_credit_code, "9114A127MA0KABCDE0") == "credit_charset"


@pytest.mark.parametrize(
    "value", ["", "9114112", _code("91141127MA0KABCDE") + "1", "91141127MA0KABCD"]
)
def test_wrong_length(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    assert excinfo.value.code == "credit_length"
    assert excinfo.value.params == {"n": len(value)}


# --- 居民身份证号 (GB 11643-1999) -----------------------------------------------------


@pytest.mark.parametrize(
    "number", ["11010519491231002X", "110101199003074477", "11010519491231002x"]
)
def test_valid_id_cards(number):
    validate_id_card(number)


def test_bad_birth_date():
    # 1999-02-30 does not exist; the check digit is right for the digits given.
    first17 = "14112719990230001"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    assert _error_code(validate_id_card, first17 + check) == "id_date"


def test_bad_id_check_digit():
    assert _error_code(validate_id_card, "110105194912310021") == "id_check"


@pytest.mark.parametrize(
    "number", ["", "1101051949123100", "11010519491231002Y", "X10105194912310021"]
)
def test_bad_id_shape(number):
    assert _error_code(validate_id_card, number) == "id_shape"


# --- phones --------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["13912345678", "19912345678", "15800001111", " 13912345678 "])
def test_valid_mobiles(number):
    validate_mobile(number)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "1391234567",
        "139123456789",
        "12912345678",
        "23912345678",
        "139-1234-5678",
        "0358-1234567",
    ],
)
def test_bad_mobiles(number):
    assert _error_code(validate_mobile, number) == "mobile"


@pytest.mark.parametrize(
    "number", ["13912345678", "0358-1234567", "03581234567", "010-12345678", "0358-1234567-123"]
)
def test_valid_phones(number):
    validate_phone(number)


@pytest.mark.parametrize(
    "number",
    ["", "1234567", "358-1234567", "0358-123456", "0358-123456789", "0358-1234567-", "phone"],
)
def test_bad_phones(number):
    assert _error_code(validate_phone, number) == "phone"
