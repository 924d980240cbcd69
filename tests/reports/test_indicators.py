"""Every indicator on a small hand-built data set, with the answers worked out by hand here (not by
the report code), on whichever database the suite runs (SQLite and PostgreSQL in CI).

The data set (year 2025, Asia/Shanghai):
- unit U1 (university, district D1) owns A (3,850,000 yuan, external sharing), B (800,000,
  retired on 2025-07-01 00:00) and C (300,000, internal sharing, awaiting repair: not eligible);
- unit U2 (institute) owns nothing; E1 is an enterprise whose users X and Y use U1's instruments;
- r1: A, 31 Jan 20:00 → 1 Feb 04:00, 8 h, X (external), 3,200.00 yuan, rated 5 — split 4 h / 4 h;
- r2: A, 10 Mar 09:00–13:00, 4 h, a U1 user (internal), 800.00 yuan, rated 3;
- r3: B, 30 Jun 22:00 → 1 Jul 02:00, 4 h, X (external), 1,000.00 yuan;
- r4: A, 31 Dec 22:00 → 1 Jan 2026 02:00, 4 h, Y (external), 1,600.00 yuan — 2 h in 2025;
- a no-show booking of A in April: no service record, so nothing counts.
"""

import datetime as dt
from decimal import Decimal

import pytest

from bookings.models import Booking, ServiceRecord
from instruments.models import Instrument
from members.models import Unit
from reports.models import EligibleCount, ReportRun
from reports.periods import period_month, period_year
from reports.services import report_run_start
from subsidies.models import Application, CapCounter, LedgerEntry
from tests.factories import DistrictFactory, UnitFactory, UserFactory
from tests.instruments.factories import CategoryFactory, InstrumentFactory
from tests.subsidies.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def data():
    d1, d2 = DistrictFactory(name="昆都仑区"), DistrictFactory(name="青山区")
    u1 = UnitFactory(name="甲大学", district=d1)
    u2 = UnitFactory(name="乙研究所", district=d2, unit_type=Unit.Type.INSTITUTE)
    e1 = UnitFactory(name="丙科技有限公司", district=d1, unit_type=Unit.Type.ENTERPRISE, scale=Unit.Scale.SMALL)
    Unit.objects.update(created_at=at(2020, 1, 1))
    category = CategoryFactory()
    a = InstrumentFactory(
        unit=u1, category=category, name="透射电镜", model="JEM-2100F", original_value=Decimal("3850000.00")
    )
    b = InstrumentFactory(
        unit=u1,
        category=category,
        name="扫描电镜",
        model="SU8010",
        original_value=Decimal("800000.00"),
        retired_at=at(2025, 7, 1),
    )
    c = InstrumentFactory(
        unit=u1,
        category=category,
        name="光学显微镜",
        model="BX53",
        original_value=Decimal("300000.00"),
        sharing_mode=Instrument.SharingMode.INTERNAL,
        operating_status=Instrument.OperatingStatus.AWAITING_REPAIR,
    )
    x, y, inner = UserFactory(name="X"), UserFactory(name="Y"), UserFactory(name="内部")

    def record(instrument, start, end, hours, user, unit, amount, rating=None):
        return ServiceRecord.objects.create(
            instrument=instrument,
            started_at=start,
            ended_at=end,
            hours=Decimal(hours),
            service_content="测试",
            service_way="commission",
            user=user,
            user_name=user.name,
            user_unit=unit,
            user_unit_name=unit.name,
            is_external=unit != instrument.unit,
            amount=Decimal(amount),
            rating=rating,
        )

    record(a, at(2025, 1, 31, 20), at(2025, 2, 1, 4), "8", x, e1, "3200.00", 5)
    record(a, at(2025, 3, 10, 9), at(2025, 3, 10, 13), "4", inner, u1, "800.00", 3)
    record(b, at(2025, 6, 30, 22), at(2025, 7, 1, 2), "4", x, e1, "1000.00")
    record(a, at(2025, 12, 31, 22), at(2026, 1, 1, 2), "4", y, e1, "1600.00")
    Booking.objects.create(
        instrument=a,
        requester=x,
        unit=e1,
        starts_at=at(2025, 4, 1, 9),
        ends_at=at(2025, 4, 1, 17),
        status=Booking.Status.NO_SHOW,
        purpose="测试",
    )
    EligibleCount.objects.create(unit=u1, year=2025, count=4)
    return {"u1": u1, "u2": u2, "e1": e1, "a": a, "b": b, "c": c}


def start(kind, period, **scope) -> ReportRun:
    """Start a run; the task runs eagerly once the transaction commits (the embedded default)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = report_run_start(actor=None, kind=kind, period=period, **scope)
    run.refresh_from_db()
    return run


def run_of(kind, period, **scope) -> ReportRun:
    run = start(kind, period, **scope)
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def figures(run) -> dict:
    return {key: value for key, value, _fmt in run.result["figures"]}


def rows(run, table) -> list[list]:
    return list(run.rows.filter(table=table).order_by("position").values_list("values", flat=True))


def columns(run, table) -> list[str]:
    return [key for key, _fmt in next(t for t in run.result["tables"] if t["key"] == table)["columns"]]


def by_instrument(run, table="instruments") -> dict:
    names = columns(run, table)
    return {row[1]: dict(zip(names, row, strict=True)) for row in rows(run, table)}


def test_utilisation_per_instrument(data):
    run = run_of("utilisation", period_year(2025))
    got = by_instrument(run)
    a, b, c = got["透射电镜"], got["扫描电镜"], got["光学显微镜"]
    # A: 4 (r1's January half) + 4 (its February half) + 4 (r2) + 2 (r4's 2025 half) = 14 h, 10 of them external.
    assert (a["effective_hours"], a["external_hours"], a["benchmark_hours"]) == ("14.00", "10.00", "1600.00")
    assert a["sharing_rate"] == "0.7143"  # 10 / 14
    assert a["utilisation"] == "0.0088"  # 14 / 1600 = 0.00875, half up
    # Services that began in 2025: r1, r2, r4; the no-show adds nothing.
    assert (a["services"], a["internal_users"], a["external_users"], a["enterprises"]) == (3, 1, 2, 1)
    assert a["external_income"] == "4800.00"  # 3,200 + 1,600; the internal 800 is not external income
    assert a["rating"] == "4.00"  # (5 + 3) / 2; r4 is not rated
    # B retired on 1 July: it counts for 181 of 365 days, 1600 × 181 / 365 = 793.4246…
    assert (b["effective_hours"], b["benchmark_hours"], b["utilisation"]) == ("4.00", "793.42", "0.0050")
    assert (c["effective_hours"], c["services"], c["sharing_rate"], c["utilisation"]) == ("0.00", 0, None, "0.0000")


def test_utilisation_totals_rollups_and_months(data):
    run = run_of("utilisation", period_year(2025))
    f = figures(run)
    assert (f["instruments"], f["effective_hours"], f["external_hours"]) == (3, "18.00", "14.00")
    assert f["benchmark_hours"] == "3993.42"  # 1600 + 793.4246 + 1600
    assert f["sharing_rate"] == "0.7778"  # 14 / 18
    # Users are counted once across instruments: X used A and B.
    assert (f["services"], f["internal_users"], f["external_users"], f["enterprises"]) == (4, 1, 2, 1)
    assert f["external_income"] == "5800.00"
    (unit_row,) = rows(run, "by_unit")
    assert unit_row[:5] == ["甲大学", 3, "3993.42", "18.00", "14.00"]
    months = next(c for c in run.result["charts"] if c["key"] == "monthly_hours")
    effective = dict(zip(months["labels"], months["series"][0][1], strict=True))
    assert effective["2025-01"] == "4.00" and effective["2025-02"] == "4.00" and effective["2025-03"] == "4.00"
    assert effective["2025-06"] == "2.00" and effective["2025-07"] == "2.00"  # r3 split at midnight
    assert effective["2025-12"] == "2.00" and effective["2025-04"] == "0.00"


def test_a_month_is_pro_rated_and_split(data):
    run = run_of("utilisation", period_month(2025, 1))
    a = by_instrument(run)["透射电镜"]
    assert a["effective_hours"] == "4.00"  # only r1's hours before midnight of 31 January
    assert a["benchmark_hours"] == "135.89"  # 1600 × 31 / 365 = 135.8904…
    assert a["services"] == 1


def test_scope_unit_without_instruments_is_empty_not_an_error(data):
    run = run_of("utilisation", period_year(2025), scope_kind="unit", scope_id=data["u2"].pk)
    f = figures(run)
    assert (f["instruments"], f["effective_hours"], f["utilisation"], f["sharing_rate"]) == (0, "0.00", None, None)


def test_scopes_district_category_and_instrument(data):
    u1_district = data["u1"].district_id
    run = run_of("utilisation", period_year(2025), scope_kind="district", scope_id=u1_district)
    assert figures(run)["instruments"] == 3  # their own district is empty: the unit's counts
    other = run_of("utilisation", period_year(2025), scope_kind="district", scope_id=data["u2"].district_id)
    assert figures(other)["instruments"] == 0
    top = data["a"].category.parent
    assert figures(run_of("utilisation", period_year(2025), scope_kind="category", scope_id=top.pk))[
        "effective_hours"
    ] == ("18.00")
    single = run_of("utilisation", period_year(2025), scope_kind="instrument", scope_id=data["a"].pk)
    assert (figures(single)["instruments"], figures(single)["effective_hours"]) == (1, "14.00")
    graded = run_of("evaluation", period_year(2025), scope_kind="category", scope_id=top.pk)
    assert [row[0] for row in rows(graded, "by_unit")] == ["甲大学"]  # only the owners of the category


def test_idle_and_under_used(data):
    run = run_of("idle", period_year(2025))
    got = rows(run, "instruments")
    names = columns(run, "instruments")
    listed = [dict(zip(names, row, strict=True)) for row in got]
    # Most valuable first; all three are below 1,200 h (B's line is pro-rated: 1200 × 181/365 = 595.07).
    assert [r["instrument"] for r in listed] == ["透射电镜", "扫描电镜", "光学显微镜"]
    assert listed[1]["underuse_line"] == "595.07"
    # Unused for 6 months before 1 January 2026: B (last used 30 June) and C (never); A was used on 31 Dec.
    assert [r["idle"] for r in listed] == [False, True, True]
    assert listed[0]["last_service"] == "2025-12-31"
    f = figures(run)
    assert (f["underused_instruments"], f["underused_value"]) == (3, "4950000.00")
    assert (f["idle_instruments"], f["idle_value"]) == (2, "1100000.00")


def test_unit_evaluation(data):
    run = run_of("evaluation", period_year(2025))
    names = columns(run, "by_unit")
    units = {row[0]: dict(zip(names, row, strict=True)) for row in rows(run, "by_unit")}
    u1 = units["甲大学"]
    # Eligible (≥ 500,000): A and B. C is below the line but counts in the open rate (2 of 3 open externally).
    assert (u1["instruments"], u1["eligible"]) == (3, 2)
    assert u1["entry_rate"] == "0.5000"  # 2 registered of the 4 the asset census declares
    assert (u1["normal_operation_rate"], u1["participation_rate"], u1["external_sharing_rate"]) == (
        "1.0000",
        "1.0000",
        "1.0000",
    )
    assert u1["open_rate"] == "0.6667"
    assert (u1["average_effective_hours"], u1["average_external_hours"]) == ("9.00", "7.00")  # (14+4)/2, (10+4)/2
    assert (u1["national_effective_hours"], u1["national_external_hours"]) == ("1599.00", "273.00")  # 2025
    # 100 × (.25×9/1599 + .20×7/273 + .15×1 + .15×1 + .10×.6667 + .10×1 + .05×.5) = 49.82 → 较差
    expected = 100 * (
        Decimal("0.25") * Decimal(9) / Decimal(1599)
        + Decimal("0.20") * Decimal(7) / Decimal(273)
        + Decimal("0.15")
        + Decimal("0.15")
        + Decimal("0.10") * Decimal("0.6667")
        + Decimal("0.10")
        + Decimal("0.05") * Decimal("0.5")
    )
    assert u1["score"] == str(expected.quantize(Decimal("0.01"))) == "49.82"
    assert u1["grade"] == "poor"
    # A unit with no instruments: no rates, no score, no division by zero.
    u2 = units["乙研究所"]
    assert (u2["eligible"], u2["entry_rate"], u2["open_rate"], u2["score"], u2["grade"]) == (
        0,
        None,
        None,
        None,
        "not_graded",
    )


def test_platform_figures(data):
    f = figures(run_of("platform", period_year(2025)))
    assert (f["units"], f["instruments"], f["total_value"]) == (3, 3, "4950000.00")
    assert (f["services"], f["enterprises"]) == (4, 1)
    assert (f["income"], f["external_income"]) == ("6600.00", "5800.00")
    assert (f["subsidies_granted"], f["subsidies_paid"]) == ("0.00", "0.00")


def test_subsidy_accounts_reconcile_with_the_ledger(data):
    programme = ProgrammeFactory(year=2025, budget=Decimal("100000.00"))
    e1 = data["e1"]
    application = Application.objects.create(
        programme=programme,
        unit=e1,
        created_by=UserFactory(),
        status=Application.Status.PAID,
        approved_amount=Decimal("4000.00"),
        holder_key=f"unit:{e1.pk}",
    )
    for kind, amount in (("commitment", "5000.00"), ("release", "1000.00"), ("payment", "4000.00")):
        LedgerEntry.objects.create(
            programme=programme,
            kind=kind,
            amount=Decimal(amount),
            holder_key=f"unit:{e1.pk}",
            application=application,
            key=f"test-{kind}",
        )
    CapCounter.objects.create(
        programme=programme, kind="applicant", holder_key=f"unit:{e1.pk}", granted=Decimal("4000.00")
    )
    type(programme).objects.filter(pk=programme.pk).update(committed=Decimal("4000.00"))
    run = run_of("subsidies", period_year(2025))
    f = figures(run)
    assert (f["budget"], f["committed"], f["paid"], f["released"], f["remaining"]) == (
        "100000.00",
        "4000.00",
        "4000.00",
        "1000.00",
        "96000.00",
    )
    assert run.result["errors"] == []
    assert rows(run, "by_district") == [["昆都仑区", "4000.00", "0.00", "4000.00"]]
    # A counter that drifted from the ledger by one fen is reported as an error of the run.
    type(programme).objects.filter(pk=programme.pk).update(committed=Decimal("4000.01"))
    run = run_of("subsidies", period_year(2025))
    assert run.result["errors"] and "4000.01" in run.result["errors"][0]
    assert rows(run, "programmes")[0][-1] == "0.01"


def test_same_parameters_same_checksum_and_a_change_changes_it(data):
    first = run_of("utilisation", period_year(2025))
    second = run_of("utilisation", period_year(2025))
    assert first.checksum == second.checksum and len(first.checksum) == 64
    ServiceRecord.objects.filter(instrument=data["c"]).delete()
    ServiceRecord.objects.create(
        instrument=data["c"],
        started_at=at(2025, 5, 5, 9),
        ended_at=at(2025, 5, 5, 10),
        hours=Decimal("1"),
        service_content="测试",
        service_way="commission",
        user_name="Z",
        user_unit_name="甲大学",
    )
    assert run_of("utilisation", period_year(2025)).checksum != first.checksum


def test_a_run_that_fails_says_why(data, monkeypatch):
    from reports.computing import utilisation

    def broken(ctx):
        raise ValueError("boom")

    monkeypatch.setattr(utilisation, "compute", broken)
    run = start("utilisation", period_year(2025))
    assert run.status == ReportRun.Status.FAILED and "boom" in run.error and run.finished_at is not None
    assert not run.rows.exists()


def test_the_schedule_starts_last_month_and_last_year_once():
    started = {(r.kind, r.period_kind, r.period_start) for r in _schedule(dt.date(2026, 1, 1))}
    assert ("utilisation", "month", dt.date(2025, 12, 1)) in started
    assert ("utilisation", "year", dt.date(2025, 1, 1)) in started
    assert _schedule(dt.date(2026, 1, 1)) == []  # idempotent
    assert {r.period_kind for r in _schedule(dt.date(2026, 2, 1))} == {"month"}


def _schedule(today):
    from reports.services import report_runs_schedule

    return report_runs_schedule(today=today)
