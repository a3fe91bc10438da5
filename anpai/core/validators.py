"""Validators for Chinese identifiers (REGULATIONS.md, "Identifiers")."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 for its first 17 (GB 32100-2015)."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w
        for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Refuse a 统一社会信用代码 whose shape or check character is wrong."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_length",
            params={"n": len(code)},
        )
    if not _CREDIT_RE.match(code):
        raise ValidationError(
            _(
                "A unified social credit code uses digits and the capital letters "
                "ABCDEFGHJKLMNPQRTUWXY only (no I, O, S, V, Z), with digits in positions 3–8."
            ),
            code="credit_charset",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character (18th) of this unified social credit code should be "
                "%(expected)s, not %(actual)s: the code is mistyped."
            ),
            code="credit_check",
            params={"expected": expected, "actual": code[17]},
        )


def validate_id_card(value: str) -> None:
    """Refuse a resident ID number (身份证) with a bad date or check digit."""
    number = (value or "").strip().upper()
    if not re.match(r"^\d{17}[\dX]$", number):
        raise ValidationError(
            _("A resident ID number has 17 digits and a final digit or X."), code="id_shape"
        )
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number does not exist."), code="id_date"
        ) from None
    total = sum(int(d) * w for d, w in zip(number[:17], ID_CARD_WEIGHTS, strict=True))
    if number[17] != ID_CARD_CHECK[total % 11]:
        raise ValidationError(
            _("The check digit of this ID number is wrong: the number is mistyped."),
            code="id_check",
        )


def validate_mobile(value: str) -> None:
    """A mainland mobile number: 1, then 3–9, then 9 digits."""
    if not _MOBILE_RE.match((value or "").strip()):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13–19, e.g. 13912345678."),
            code="mobile",
        )


def validate_phone(value: str) -> None:
    """A mobile number or a landline with its area code (e.g. 0358-1234567)."""
    text = (value or "").strip()
    if not (_MOBILE_RE.match(text) or _LANDLINE_RE.match(text)):
        raise ValidationError(
            _(
                "Enter an 11-digit mobile number (e.g. 13912345678) or a landline with its "
                "area code (e.g. 0358-1234567)."
            ),
            code="phone",
        )
