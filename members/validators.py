"""Validators for identifiers people type: the unified social credit code and phone numbers."""

import re
import unicodedata

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


# Chinese numbers as people write them: a mobile (1[3-9] and 9 more digits, perhaps after +86),
# a landline with its area code (0472-1234567, (0472)1234567, +86 472 1234567) or a 400/800
# service line; spaces and hyphens between digit groups; an extension after 转, ext. or "-".
_MOBILE = r"(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}"
_LANDLINE = r"(?:(?:\+?86[ -]?)?\(?0?[1-9]\d{1,2}\)?|\(0[1-9]\d{1,2}\)|0[1-9]\d{1,2})[ -]?[1-9]\d{2,3}[ -]?\d{4}"
_SERVICE_LINE = r"[48]00[ -]?\d{3}[ -]?\d{4}"
_EXTENSION = r"(?:\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6}|-\d{1,6})?"
PHONE_RE = re.compile(rf"(?:{_MOBILE}|{_LANDLINE}|{_SERVICE_LINE}){_EXTENSION}", re.IGNORECASE)


def normalise_phone(value: str) -> str:
    """The number as compared and stored: full-width digits and brackets folded (NFKC), runs of
    spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def validate_phone(value: str) -> None:
    """Accept a Chinese mobile or landline number (with area code), with an optional extension.

    The one rule for phone numbers: the unit and instrument forms, the API and the spreadsheet
    import all reach it through the model fields' validators.
    """
    if value and not PHONE_RE.fullmatch(normalise_phone(value)):
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number: enter a mobile number such as 13800000000 or a "
                "landline with its area code such as 0472-1234567 (an extension may follow: 转123)."
            ),
            code="phone",
            params={"value": value},
        )
