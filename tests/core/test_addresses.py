"""An address is composed once from its parts, whatever the street still repeats."""

import pytest

from core.addresses import compose_address, strip_area_prefix

AREAS = ("内蒙古自治区", "包头市", "昆都仑区")


@pytest.mark.parametrize(
    "street",
    [
        "示范路1号A座201室",
        "包头市昆都仑区示范路1号A座201室",
        "内蒙古自治区包头市昆都仑区示范路1号A座201室",
        "昆都仑区 示范路1号A座201室",
        "包头市，昆都仑区示范路1号A座201室",
    ],
)
def test_the_areas_are_shown_once_whatever_the_street_repeats(street):
    assert compose_address(AREAS, street) == "内蒙古自治区包头市昆都仑区示范路1号A座201室"


def test_empty_parts_are_left_out_and_latin_words_keep_a_space():
    assert compose_address(("", "包头市", None), "阿尔丁大街7号") == "包头市阿尔丁大街7号"
    assert compose_address(("", "", ""), "") == ""
    english = compose_address(("Baotou", "Kundulun District"), "7 Arding Street")
    assert english == "Baotou Kundulun District 7 Arding Street"


def test_a_street_that_only_contains_an_area_name_further_on_keeps_it():
    assert strip_area_prefix("示范路包头市大楼", ["包头市"]) == "示范路包头市大楼"


def test_a_typed_province_and_city_before_the_district_are_taken_off_only_before_that_district():
    assert strip_area_prefix("包头市昆都仑区阿尔丁大街7号", [], district="昆都仑区") == "阿尔丁大街7号"
    assert strip_area_prefix("内蒙古自治区包头市昆都仑区阿尔丁大街7号", [], district="昆都仑区") == "阿尔丁大街7号"
    assert strip_area_prefix("包头市青山区幸福路8号", [], district="昆都仑区") == "包头市青山区幸福路8号"
    assert strip_area_prefix("城市花园3号", [], district="昆都仑区") == "城市花园3号"
