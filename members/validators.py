"""Validators for identifiers people type: the unified social credit code and phone numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters (no I, O, Z, S, V) and the weights of positions 1 to 17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Reject a unified social credit code that is malformed or has a wrong check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has exactly 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _(
                "The code may contain only digits and the capital letters A–Y except I, O, S, V and Z; "
                "remove %(chars)s."
            ),
            code="credit_code_charset",
            params={"chars": "".join(bad)},
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character (the 18th) does not match the first 17 characters: please compare "
                "the code with the business licence, a character may be mistyped."
            ),
            code="credit_code_check",
        )


PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


def validate_phone(value: str) -> None:
    """Accept mobile and landline numbers: digits, optionally with +, spaces or hyphens."""
    if value and not PHONE_RE.match(value.strip()):
        raise ValidationError(
            _("Enter a phone number of digits, for example 13800000000 or 0472-1234567."),
            code="phone",
        )
