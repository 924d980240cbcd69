"""Report runs made directly (a finished run's result and rows as a computation leaves them),
and the people of the report pages: a bureau officer, two unit administrators, an enterprise user."""

import datetime as dt

import pytest
from django.utils import timezone

from members.models import Unit
from reports.models import ReportRow, ReportRun
from tests.bookings.factories import member_of
from tests.factories import UnitFactory
from tests.instruments.factories import InstrumentFactory

INSTRUMENT_COLUMNS = [
    ["instrument_id", "int"],
    ["instrument", "text"],
    ["unit", "text"],
    ["original_value", "wan"],
    ["effective_hours", "hours"],
    ["utilisation", "rate"],
    ["external_income", "money"],
]


def make_run(*, kind="utilisation", year=2026, scope_kind="platform", scope_id=None, scope_label="", **fields):
    return ReportRun.objects.create(
        kind=kind,
        period_kind="year",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year + 1, 1, 1),
        scope_kind=scope_kind,
        scope_id=scope_id,
        scope_label=scope_label,
        **fields,
    )


def done_run(*, figures=None, rows=0, charts=None, **fields):
    """A finished run with the given figures and ``rows`` rows in its instruments table."""
    figures = (
        figures
        if figures is not None
        else [
            ["instruments", rows, "int"],
            ["effective_hours", "1455.50", "hours"],
            ["utilisation", "0.4530", "rate"],
            ["external_income", "12345.60", "money"],
            ["rating", None, "rating"],
        ]
    )
    charts = (
        charts
        if charts is not None
        else [
            {
                "key": "utilisation_bands",
                "kind": "bar",
                "labels": ["band_0_25", "band_25_50"],
                "series": [["instruments", [7, 3]]],
            },
            {
                "key": "monthly_hours",
                "kind": "bar",
                "labels": ["2026-01", "2026-02"],
                "series": [["effective_hours", ["120.50", "98.00"]], ["external_hours", ["20.00", None]]],
            },
        ]
    )
    result = {
        "figures": figures,
        "tables": [{"key": "instruments", "columns": INSTRUMENT_COLUMNS, "count": rows}],
        "charts": charts,
        "errors": [],
        "notes": [],
    }
    fields.setdefault("finished_at", timezone.now())
    run = make_run(status=ReportRun.Status.DONE, progress=100, result=result, **fields)
    ReportRow.objects.bulk_create(
        ReportRow(
            run=run,
            table="instruments",
            position=i,
            values=[i + 1, f"扫描电镜{i + 1}", "测试大学", "1200000.00", f"{100 + i}.50", "0.0628", "=SUM(A1)"],
        )
        for i in range(rows)
    )
    return run


@pytest.fixture
def unit(db):
    """A unit that shares an instrument (its administrators read its reports)."""
    unit = UnitFactory(name="内蒙古科技大学")
    InstrumentFactory(unit=unit)
    return unit


@pytest.fixture
def other_unit(db):
    unit = UnitFactory(name="包头医学院")
    InstrumentFactory(unit=unit)
    return unit


@pytest.fixture
def unit_admin(unit):
    return member_of(unit, role="admin", name="王主任")


@pytest.fixture
def other_admin(other_unit):
    return member_of(other_unit, role="admin", name="李主任")


@pytest.fixture
def enterprise_user(db):
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type=Unit.Type.ENTERPRISE, scale=Unit.Scale.SMALL)
    return member_of(enterprise, role="member", name="赵经理")


@pytest.fixture
def manager(unit):
    """A unit's instrument manager, not its administrator: no reports."""
    return member_of(unit, role="manager", name="赵磊")
