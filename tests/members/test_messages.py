"""members.messages: a message kept untranslated (msgid and JSON parameters) renders in any language."""

from decimal import Decimal

from django.utils.translation import gettext_lazy, override

from members.messages import encode_params, msgid_of, render_message
from members.models import Unit


def test_a_lazy_string_is_kept_as_its_source_whatever_language_is_active():
    with override("zh-hans"):
        assert msgid_of(gettext_lazy("Approved")) == "Approved"
        assert encode_params({"status": Unit.Status.APPROVED.label}) == {"status": {"_msgid": "Approved"}}


def test_parameters_become_json_values():
    encoded = encode_params({"amount": Decimal("1200.00"), "n": 3, "name": "周杰", "none": None})
    assert encoded == {"amount": "1200.00", "n": 3, "name": "周杰", "none": None}


def test_a_message_renders_in_the_active_language_with_its_translatable_parameters():
    params = encode_params({"unit": "包头检测中心", "status": Unit.Status.SUSPENDED.label})
    msgid = "Your member unit “%(unit)s” is now %(status)s"
    with override("zh-hans"):
        assert render_message(msgid, params) == "您的会员单位“包头检测中心”现为：已暂停"
    with override("en"):
        assert render_message(msgid, params) == "Your member unit “包头检测中心” is now Suspended"


def test_a_missing_parameter_falls_back_to_the_source_text_instead_of_failing():
    assert render_message("Hello %(name)s", {}) == "Hello %(name)s"
    assert render_message("", {}) == ""
    assert render_message("literal 100%", None) == "literal 100%"
