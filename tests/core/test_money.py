"""Money: one rounding point, no floats, sums for Chinese and English readers."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core import money


def test_to_yuan_rounds_half_up_to_the_fen():
    assert money.to_yuan(Decimal("0.005")) == Decimal("0.01")
    assert money.to_yuan(Decimal("2.344999")) == Decimal("2.34")
    assert money.to_yuan(1580) == Decimal("1580.00")
    assert money.to_yuan(None) == Decimal("0.00")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        money.to_yuan(0.1)


def test_to_wan_is_exact():
    assert money.to_wan(Decimal("2276600.00")) == Decimal("227.66")
    assert money.to_wan(Decimal("2276650.00")) == Decimal("227.67")  # half up


def test_chinese_counts_in_wan_and_yi():
    with translation.override("zh-hans"):
        assert money.format_wan(Decimal("2276600.00")) == "227.66万元"
        assert money.format_large(Decimal("350000000.00")) == "3.50亿元"
        assert money.format_large(Decimal("2276600.00")) == "227.66万元"
        assert money.format_yuan(Decimal("1580")) == "1,580.00元"


def test_english_counts_in_millions_never_ten_thousands():
    with translation.override("en"):
        assert money.format_wan(Decimal("2276600.00")) == "2.28 million yuan"
        assert money.format_large(Decimal("350000000.00")) == "350.00 million yuan"
        assert money.format_wan(Decimal("856000.00")) == "856,000.00 yuan"
        assert money.format_yuan(Decimal("1580")) == "1,580.00 yuan"
        for value in ("0", "5000", "2276600", "99990000", "350000000"):
            assert "ten thousand" not in money.format_large(Decimal(value))


def test_template_filters():
    template = Template("{% load money %}{{ a|yuan }}|{{ b|wan }}|{{ c|large_sum }}|{{ none|yuan }}")
    context = Context({"a": Decimal("1580"), "b": Decimal("2276600.00"), "c": Decimal("350000000"), "none": None})
    with translation.override("zh-hans"):
        assert template.render(context) == "1,580.00元|227.66万元|3.50亿元|"
    with translation.override("en"):
        assert template.render(context) == "1,580.00 yuan|2.28 million yuan|350.00 million yuan|"


def test_money_field_settings():
    assert money.MONEY_FIELD["max_digits"] == 12 and money.MONEY_FIELD["decimal_places"] == 2
