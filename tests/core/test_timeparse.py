"""Parsing dates and datetimes: aware in the platform's zone, in the years 1900–2199, clear messages."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from core import timeparse
from core.filters import DateFilter

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_messages_are_translated():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as excinfo:
            timeparse.parse_datetime("2030-01-01T09:00")
        assert "时区" in " ".join(excinfo.value.messages)


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_a_datetime_with_its_offset_is_the_same_instant_in_shanghai():
    value = timeparse.parse_datetime("2030-03-06T01:00:00Z")
    assert value == datetime(2030, 3, 6, 9, tzinfo=SHANGHAI)
    assert value.utcoffset() == timedelta(hours=8) and value.hour == 9


def test_an_unencoded_plus_that_arrived_as_a_space_is_read_as_the_offset():
    assert timeparse.parse_datetime("2030-03-06T09:00:00 08:00") == datetime(2030, 3, 6, 9, tzinfo=SHANGHAI)
    assert timeparse.parse_datetime("2030-03-06T09:00 0800") == datetime(2030, 3, 6, 9, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError) as excinfo:
        timeparse.parse_datetime("2030-03-06 09:00")  # a space between date and time is no offset
    assert excinfo.value.code == "naive"


def test_a_naive_datetime_is_refused_with_the_offset_to_add():
    with pytest.raises(ValidationError) as excinfo:
        timeparse.parse_datetime("2030-01-01T09:00")
    assert "offset" in messages(excinfo) and "2030-03-06T09:00:00+08:00" in messages(excinfo)
    assert excinfo.value.code == "naive"


def test_a_naive_datetime_is_a_local_wall_time_where_allowed():
    assert timeparse.parse_datetime("2030-01-01T09:00", allow_naive=True) == datetime(2030, 1, 1, 9, tzinfo=SHANGHAI)


@pytest.mark.parametrize("raw", ["", "tomorrow", "2030-13-01T09:00:00+08:00", "10000-01-01T00:00:00+08:00"])
def test_a_malformed_datetime_is_refused_with_an_example(raw):
    with pytest.raises(ValidationError) as excinfo:
        timeparse.parse_datetime(raw)
    assert "ISO 8601" in messages(excinfo) and excinfo.value.code == "invalid"


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00+08:00", "9999-12-31T23:00:00-08:00"])
def test_years_1_and_9999_are_refused_with_the_range(raw):
    with pytest.raises(ValidationError) as excinfo:
        timeparse.parse_datetime(raw)
    assert "1900" in messages(excinfo) and "2199" in messages(excinfo)
    assert excinfo.value.code == "out_of_range"


def test_the_ends_of_the_range_are_accepted_and_a_week_later_still_computes():
    first = timeparse.parse_datetime("1900-01-01T00:00:00+08:00")
    last = timeparse.parse_datetime("2199-12-31T23:59:59+08:00")
    assert first.year == 1900 and last.year == 2199
    assert (last + timedelta(days=7)).year == 2200


def test_dates():
    assert timeparse.parse_date("2030-03-06") == date(2030, 3, 6)
    for raw, code in (("9999-12-31", "out_of_range"), ("0001-01-01", "out_of_range"), ("2030-3-6x", "invalid")):
        with pytest.raises(ValidationError) as excinfo:
            timeparse.parse_date(raw)
        assert excinfo.value.code == code, raw
    assert timeparse.start_of_day(date(2199, 12, 31) + timedelta(days=1)) == datetime(2200, 1, 1, tzinfo=SHANGHAI)


class Form(forms.Form):
    day = timeparse.DateField(required=False)
    when = timeparse.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])


def test_form_fields_give_form_errors_not_exceptions():
    form = Form({"day": "9999-12-31", "when": "0001-01-01T00:00"})
    assert not form.is_valid()
    assert "1900" in form.errors["day"][0] and "1900" in form.errors["when"][0]


def test_the_form_datetime_field_reads_a_wall_time_as_local_and_an_offset_as_given():
    form = Form({"day": "2030-03-06", "when": "2030-03-06T09:00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == datetime(2030, 3, 6, 9, tzinfo=SHANGHAI)
    assert form.cleaned_data["when"].tzinfo == SHANGHAI
    form = Form({"when": "2030-03-06T01:00:00+00:00"})
    assert form.is_valid() and form.cleaned_data["when"] == datetime(2030, 3, 6, 9, tzinfo=SHANGHAI)


def test_the_date_filter_has_the_range_check():
    field = DateFilter().field
    with pytest.raises(ValidationError):
        field.clean("9999-12-31")
    assert field.clean("2030-03-06") == date(2030, 3, 6)
