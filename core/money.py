"""Money: yuan as ``Decimal`` to the fen, the settings of money columns, and sums for people.

The one point where amounts are rounded is ``to_yuan()`` (ROUND_HALF_UP to 0.01 yuan); services
call it once on what they store, never on intermediate products. Floats are refused.

Sums for people follow the reader's counting: Chinese counts large sums in 万 (10⁴) and 亿 (10⁸),
English in millions, so the scale, not only the word, depends on the language: "227.66万元" is
"2.28 million yuan", "3.50亿元" is "350.00 million yuan". English never says "ten thousand yuan".
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.utils import translation
from django.utils.translation import gettext

FEN = Decimal("0.01")
WAN = Decimal("10000")
MILLION = Decimal("1000000")
YI = Decimal("100000000")

# The settings of a money column in yuan (up to 9,999,999,999.99, never negative).
MONEY_FIELD = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


def _decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is Decimal, never float")
    return Decimal(value or 0)


def to_yuan(value) -> Decimal:
    """An amount in yuan rounded half up to the fen: the one rounding point of the portal."""
    return _decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def to_wan(value) -> Decimal:
    """Yuan to 万元 with two decimals (2,276,600.00 yuan → 227.66)."""
    return (_decimal(value) / WAN).quantize(FEN, rounding=ROUND_HALF_UP)


def _counts_in_wan() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def _number(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def format_yuan(value) -> str:
    """An amount for people: "1,580.00元" / "1,580.00 yuan"."""
    return gettext("%(amount)s yuan") % {"amount": _number(to_yuan(value))}


def _millions(value: Decimal) -> str:
    amount = (value / MILLION).quantize(FEN, rounding=ROUND_HALF_UP)
    return gettext("%(amount)s million yuan") % {"amount": _number(amount)}


def format_wan(value) -> str:
    """An instrument's value: "227.66万元" in Chinese; in English "2.28 million yuan", or yuan
    ("856,000.00 yuan") below a million, where "0.86 million" would read oddly."""
    value = _decimal(value)
    if _counts_in_wan():
        # Translators: an amount in 万元 (units of 10,000 yuan); used only by Chinese.
        return gettext("%(amount)s wan yuan") % {"amount": _number(to_wan(value))}
    return _millions(value) if value >= MILLION else format_yuan(value)


def format_large(value) -> str:
    """A large total (e.g. a whole catalogue): 亿元 from 100 million yuan, otherwise 万元, in
    Chinese ("3.50亿元"); in English as ``format_wan`` ("350.00 million yuan")."""
    value = _decimal(value)
    if _counts_in_wan() and value >= YI:
        amount = (value / YI).quantize(FEN, rounding=ROUND_HALF_UP)
        # Translators: an amount in 亿元 (units of 100 million yuan); used only by Chinese.
        return gettext("%(amount)s yi yuan") % {"amount": _number(amount)}
    return format_wan(value)
