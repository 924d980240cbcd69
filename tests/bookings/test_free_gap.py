"""The catalogue filter "free between … and … for at least N hours" and its selector."""

from datetime import timedelta

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.filters import FreeGapFilterMixin
from bookings.selectors import instruments_with_free_gap
from bookings.services import booking_transition
from instruments.models import Instrument

from .conftest import hold, local_dt, outage
from .factories import InstrumentFactory, weekday_hours

pytestmark = pytest.mark.django_db


def free(start, end, hours, now=None):
    qs = instruments_with_free_gap(Instrument.objects.all(), start=start, end=end, min_hours=hours, now=now)
    return set(qs.values_list("name", flat=True))


def test_a_single_day_window(fleet, wed):
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 13, 0))  # 13:00–17:30 left: 4.5 h
    for start in (9, 11, 13, 15):  # 1-hour gaps only
        hold(fleet["fragmented"], local_dt(wed, start), local_dt(wed, start + 1))
    outage(fleet["outage"], local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0))
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert free(start, end, 4) == {"idle", "morning-busy"}
    assert free(start, end, 4.5) == {"idle", "morning-busy"}
    assert free(start, end, 4.51) == {"idle"}
    assert free(start, end, 1) == {"idle", "morning-busy", "fragmented", "short-hours"}
    assert free(start, end, 2) == {"idle", "morning-busy", "short-hours"}
    assert free(start, end, 9) == {"idle"}  # the whole 08:30–17:30
    assert free(start, end, 9.01) == set()


def test_the_window_clips_opening_hours(fleet, wed):
    # 15:00–20:00 leaves 2.5 h of the 08:30–17:30 period.
    assert "idle" in free(local_dt(wed, 15), local_dt(wed, 20), 2.5)
    assert "idle" not in free(local_dt(wed, 15), local_dt(wed, 20), 2.6)
    # 07:00–10:30 leaves 08:30–10:30 (2 h); short-hours is open 09:00–11:00 → 1.5 h.
    assert free(local_dt(wed, 7), local_dt(wed, 10, 30), 2) == {"idle", "morning-busy", "fragmented", "outage"}
    assert "short-hours" in free(local_dt(wed, 7), local_dt(wed, 10, 30), 1.5)


def test_busy_instruments_near_the_window_edges(fleet, wed):
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 13, 0))
    # Window 12:00–15:00: morning-busy is free 13:00–15:00 only.
    assert "morning-busy" in free(local_dt(wed, 12), local_dt(wed, 15), 2)
    assert "morning-busy" not in free(local_dt(wed, 12), local_dt(wed, 15), 2.1)


def test_a_multi_day_window_finds_a_later_day(fleet, wed):
    thu = wed + timedelta(days=1)
    outage(fleet["outage"], local_dt(wed, 0), local_dt(thu, 12))  # Thursday afternoon free: 12:00–17:30
    start, end = local_dt(wed, 0), local_dt(thu + timedelta(days=1), 0)
    assert "outage" in free(start, end, 5.5)
    assert "outage" not in free(start, end, 5.6)
    assert "closed-wed" in free(start, end, 9)  # open Thursday
    assert "closed-wed" not in free(local_dt(wed, 0), local_dt(thu, 0), 1)


def test_free_time_in_the_past_does_not_count(fleet, wed):
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert "idle" in free(start, end, 3, now=local_dt(wed, 14))
    assert "idle" not in free(start, end, 3.6, now=local_dt(wed, 14))


def test_the_query_count_does_not_grow_with_the_catalogue(owner_unit, wed, django_assert_max_num_queries):
    for i in range(30):
        instrument = InstrumentFactory(unit=owner_unit, name=f"i{i}")
        weekday_hours(instrument)
        if i % 3 == 0:
            hold(instrument, local_dt(wed, 9), local_dt(wed, 17))
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    with django_assert_max_num_queries(1):  # the free-gap test is a subquery of the one query
        names = free(start, end, 3)
    assert len(names) == 20


class CatalogueFilter(FreeGapFilterMixin, django_filters.FilterSet):
    class Meta:
        model = Instrument
        fields = []


def test_the_filterset_mixin(fleet, wed, monkeypatch):
    monkeypatch.setattr("bookings.filters.timezone.now", lambda: local_dt(wed, 0) - timedelta(days=1))
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 13, 0))
    params = {"free_from": f"{wed}T08:00", "free_to": f"{wed}T18:00", "min_hours": "5"}
    f = CatalogueFilter(params, queryset=Instrument.objects.all())
    assert f.is_valid()
    assert {i.name for i in f.qs} == {"idle", "fragmented", "outage"}
    assert {i.name for i in CatalogueFilter({}, queryset=Instrument.objects.all()).qs} >= {"no-hours"}
    bad = CatalogueFilter({"free_from": f"{wed}T18:00", "free_to": f"{wed}T08:00"}, queryset=Instrument.objects.all())
    assert not bad.is_valid() and "free_to" in bad.errors
    too_long = CatalogueFilter(
        {"free_from": f"{wed}T00:00", "free_to": f"{wed + timedelta(days=40)}T00:00"}, queryset=Instrument.objects.all()
    )
    assert not too_long.is_valid()


def test_times_are_read_in_shanghai(fleet, wed):
    """free_from=…T08:00 without an offset means 08:00 in Asia/Shanghai, not UTC."""
    f = CatalogueFilter(
        {"free_from": f"{wed}T08:00", "free_to": f"{wed}T09:30", "min_hours": "1"}, queryset=Instrument.objects.all()
    )
    assert f.is_valid()
    assert f.form.cleaned_data["free_from"] == local_dt(wed, 8)


# --- Cases a database version might get wrong (each runs on PostgreSQL and on SQLite) -----------


def test_a_gap_of_exactly_the_length_asked_qualifies(fleet, wed):
    hold(fleet["idle"], local_dt(wed, 8, 30), local_dt(wed, 10))
    outage(fleet["idle"], local_dt(wed, 12), local_dt(wed, 17, 30))  # free 10:00–12:00 only
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert "idle" in free(start, end, 2)
    assert "idle" not in free(start, end, 2.01)


def test_holds_touching_the_period_edges(fleet, wed):
    hold(fleet["idle"], local_dt(wed, 8, 30), local_dt(wed, 15, 30))  # free 15:30–17:30, up to closing
    hold(fleet["morning-busy"], local_dt(wed, 10, 30), local_dt(wed, 17, 30))  # free 08:30–10:30, from opening
    hold(fleet["fragmented"], local_dt(wed, 7), local_dt(wed, 8, 30))  # ends at opening: nothing taken
    hold(fleet["fragmented"], local_dt(wed, 17, 30), local_dt(wed, 19))  # starts at closing: nothing taken
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert {"idle", "morning-busy"} <= free(start, end, 2)
    assert not {"idle", "morning-busy"} & free(start, end, 2.01)
    assert "fragmented" in free(start, end, 9)


def test_holds_next_to_each_other_leave_no_gap_between_them(fleet, wed):
    hold(fleet["idle"], local_dt(wed, 8, 30), local_dt(wed, 12))
    outage(fleet["idle"], local_dt(wed, 12), local_dt(wed, 14))
    hold(fleet["idle"], local_dt(wed, 15), local_dt(wed, 17, 30))  # free 14:00–15:00
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert "idle" in free(start, end, 1)
    assert "idle" not in free(start, end, 1.01)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL's exclusion constraint forbids them")
def test_overlapping_holds_do_not_open_a_gap(fleet, wed):
    """The booking service keeps holds apart; should two overlap anyway, the end of the shorter
    one is not the start of free time."""
    hold(fleet["idle"], local_dt(wed, 9), local_dt(wed, 13))
    outage(fleet["idle"], local_dt(wed, 10), local_dt(wed, 11))  # inside the hold above
    outage(fleet["idle"], local_dt(wed, 12, 30), local_dt(wed, 14))  # overlaps its end
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert "idle" in free(start, end, 3.5)  # 14:00–17:30
    assert "idle" not in free(start, end, 3.51)


def test_a_hold_across_midnight(fleet, wed):
    thu = wed + timedelta(days=1)
    outage(fleet["idle"], local_dt(wed, 16), local_dt(thu, 10, 30))  # Wed 08:30–16:00, Thu 10:30–17:30 free
    assert "idle" in free(local_dt(wed, 12), local_dt(thu + timedelta(days=1), 0), 7)
    assert "idle" not in free(local_dt(wed, 12), local_dt(thu + timedelta(days=1), 0), 7.01)
    assert "idle" in free(local_dt(wed, 12), local_dt(thu, 12), 4)  # Wed 12:00–16:00
    assert "idle" not in free(local_dt(wed, 12), local_dt(thu, 12), 4.01)  # Thu gives 10:30–12:00


def test_a_range_starting_inside_a_period(fleet, wed):
    hold(fleet["idle"], local_dt(wed, 15), local_dt(wed, 16))  # from 14:00: 1 h, then 16:00–17:30
    assert "idle" in free(local_dt(wed, 14), local_dt(wed, 23), 1.5)
    assert "idle" not in free(local_dt(wed, 14), local_dt(wed, 23), 1.51)
    assert "idle" in free(local_dt(wed, 8), local_dt(wed, 23), 6.5)  # 08:30–15:00 when the range holds it


def test_now_inside_the_range(fleet, wed):
    hold(fleet["idle"], local_dt(wed, 14), local_dt(wed, 15))
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert "idle" in free(start, end, 5.5)  # 08:30–14:00
    assert "idle" in free(start, end, 2.5, now=local_dt(wed, 13, 20))  # 15:00–17:30
    assert "idle" not in free(start, end, 2.51, now=local_dt(wed, 13, 20))
    # a 'now' with seconds: 15:29:59.5 to 17:30 is still two whole hours
    assert "idle" in free(start, end, 2, now=local_dt(wed, 15, 29) + timedelta(seconds=59.5))
    assert "idle" not in free(start, end, 2, now=local_dt(wed, 15, 30) + timedelta(seconds=1))
    assert free(start, end, 0.5, now=local_dt(wed + timedelta(days=1), 0)) == set()


def test_an_outage_and_a_booking_together(fleet, wed):
    hold(fleet["idle"], local_dt(wed, 8, 30), local_dt(wed, 11))
    outage(fleet["idle"], local_dt(wed, 13), local_dt(wed, 17, 30))
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    assert "idle" in free(start, end, 2)
    assert "idle" not in free(start, end, 2.01)


def test_cancelled_bookings_hold_nothing(fleet, wed, manager):
    start, end = local_dt(wed, 0), local_dt(wed + timedelta(days=1), 0)
    by_requester = hold(fleet["idle"], local_dt(wed, 8, 30), local_dt(wed, 17, 30)).booking
    by_owner = hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 17, 30)).booking
    assert not {"idle", "morning-busy"} & free(start, end, 1)
    booking_transition(booking=by_requester, to="cancelled", actor=by_requester.requester)
    booking_transition(booking=by_owner, to="cancelled", actor=manager, reason="Instrument needed for teaching")
    assert {"idle", "morning-busy"} <= free(start, end, 9)


def test_holds_of_other_instruments_and_outside_the_range_do_not_count(fleet, wed):
    thu = wed + timedelta(days=1)
    hold(fleet["idle"], local_dt(thu, 8, 30), local_dt(thu, 17, 30))
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 17, 30))
    start, end = local_dt(wed, 0), local_dt(thu, 0)
    assert "idle" in free(start, end, 9)
    assert "morning-busy" not in free(start, end, 0.5)
    assert "morning-busy" in free(start, end + timedelta(days=1), 9)  # Thursday


def test_the_catalogue_page_takes_no_more_queries_with_a_free_period(client, fleet, wed, django_assert_num_queries):
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 13, 0))
    url = reverse("instruments:catalogue")
    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    params = {"free_from": f"{wed}T08:00", "free_to": f"{wed}T18:00", "min_hours": "5"}
    with django_assert_num_queries(len(plain.captured_queries)):
        response = client.get(url, params)
    assert {i.name for i in response.context["page"].object_list} == {"idle", "fragmented", "outage"}
