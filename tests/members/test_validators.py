"""The unified social credit code check (GB 32100-2015) and phone numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from members.validators import validate_credit_code, validate_phone


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91350100m000100y43"])
def test_accepts_a_real_code_in_either_case(code):
    validate_credit_code(code)


def test_wrong_check_character_is_rejected_with_a_clear_message():
    with pytest.raises(ValidationError) as err:
        validate_credit_code("91350100M000100Y44")
    assert err.value.code == "credit_code_check"
    assert "第18位" in err.value.messages[0]  # Chinese by default
    with override("en"):
        assert "18th" in ValidationError(err.value.error_list[0].message).messages[0]


def test_wrong_length_says_how_long_it_is():
    with pytest.raises(ValidationError) as err:
        validate_credit_code("91350100M000100Y4")
    assert err.value.code == "credit_code_length"
    assert "17" in err.value.messages[0]


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_charset_are_named(letter):
    with pytest.raises(ValidationError) as err:
        validate_credit_code("91350100M000100" + letter + "43")
    assert err.value.code == "credit_code_charset"
    assert letter in err.value.messages[0]


@pytest.mark.parametrize(
    "phone",
    [
        "13800000000",
        "0472-5951234",
        "+86 138 0000 0000",
        "+86-13800000000",
        "138-0000-0000",
        "(0472)5951234",
        "（0472）5951234",
        "0472 595 1234",
        "010-12345678",
        "+86 472 5951234",
        "0472-5951234 转 801",
        "0472-5951234转801",
        "0472-5951234 ext. 801",
        "0472-5951234-801",
        "０４７２－５９５１２３４",
        "400-810-8888",
    ],
)
def test_phone_numbers_people_write(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "abc",
        "12",
        "138-0000-000x",
        "请联系赵老师",
        "赵老师 13800000000",
        "23800000000",
        "138000000001",
        "5951234",  # a landline needs its area code
        "0472-123",
        "13800000000/0472-5951234",
    ],
)
def test_phone_rejects_what_is_not_one_phone_number(phone):
    with pytest.raises(ValidationError) as err:
        validate_phone(phone)
    assert err.value.code == "phone"
