"""The yearly data pack: a run of kind data_pack gives one XLSX with a sheet per table (instruments
in the national record's fields, the year's service records, the units' indicators), with
headers in Chinese and English, for a unit or for the whole platform."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core.exceptions import DomainError
from reports.models import ReportRun, ScopeKind
from reports.periods import period_year
from reports.services import report_run_start
from tests.bookings.factories import ServiceRecordFactory
from tests.factories import UnitFactory
from tests.instruments.factories import InstrumentFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def year_data(db):
    """Two units. The university's SEM served 3 times in 2025 (10 h internal, 6 h and 4 h for the
    enterprise, 1,200.00 yuan external income) and once in 2024 (not in the pack); the
    institute's TEM once (8 h internal); a retired-in-2024 instrument is not in 2025's pack."""
    university = UnitFactory(name="内蒙古科技大学", credit_code="12150000460040097L")
    institute = UnitFactory(name="包头稀土研究院")
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    sem = InstrumentFactory(unit=university, asset_number="ZC-001", name="场发射扫描电子显微镜", model="JSM-7900F")
    tem = InstrumentFactory(unit=institute, asset_number="ZC-100", name="透射电子显微镜", model="JEM-2100F")
    InstrumentFactory(unit=university, asset_number="ZC-002", retired_at=datetime(2024, 6, 1, tzinfo=SHANGHAI))

    def served(instrument, day, hours, *, unit, amount="0.00", **fields):
        start = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI).replace(hour=9)
        return ServiceRecordFactory(
            instrument=instrument,
            started_at=start,
            ended_at=start + timedelta(hours=hours),
            hours=Decimal(hours),
            amount=Decimal(amount),
            user_unit=unit,
            user_unit_name=unit.name,
            is_external=unit.pk != instrument.unit_id,
            **fields,
        )

    served(sem, date(2025, 3, 2), 10, unit=university)
    served(sem, date(2025, 5, 6), 6, unit=enterprise, amount="720.00", rating=5, project_name="稀土抛光粉研发")
    served(sem, date(2025, 11, 20), 4, unit=enterprise, amount="480.00")
    served(sem, date(2024, 12, 30), 5, unit=enterprise, amount="600.00")
    served(tem, date(2025, 7, 1), 8, unit=institute)
    return {"university": university, "institute": institute, "sem": sem, "tem": tem}


def run_pack(django_capture_on_commit_callbacks, user, scope_kind, scope_id=None) -> ReportRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = report_run_start(
            actor=user, kind="data_pack", period=period_year(2025), scope_kind=scope_kind, scope_id=scope_id
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def sheet_rows(run, title):
    with run.file.open("rb") as handle:
        workbook = load_workbook(handle, read_only=True)
        rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
        names = workbook.sheetnames
    return names, rows


def test_the_platform_pack_has_a_sheet_per_table(year_data, officer, media, django_capture_on_commit_callbacks):
    run = run_pack(django_capture_on_commit_callbacks, officer, ScopeKind.PLATFORM)
    assert run.file.name.endswith("data-pack-2025-platform.xlsx")
    names, instruments = sheet_rows(run, "仪器 Instruments")
    assert names == ["仪器 Instruments", "服务记录 Service records", "单位指标 Unit indicators"]
    header = instruments[0]
    assert header[:4] == [
        "所属单位 Owner unit",
        "所属单位统一社会信用代码 Owner unit credit code",
        "资产编号 Asset number",
        "中文名称 Chinese name",
    ]
    assert "主要技术指标 Main technical indicators" in header and "共享模式 Sharing mode" in header
    assert not any("预约" in h for h in header)  # the portal's booking settings are not national fields
    # One row per instrument in service in 2025 (not the one retired in 2024).
    assert sorted((r[0], r[2]) for r in instruments[1:]) == sorted(
        [("内蒙古科技大学", "ZC-001"), ("包头稀土研究院", "ZC-100")]
    )
    row = next(r for r in instruments[1:] if r[2] == "ZC-001")
    assert row[1] == "12150000460040097L"
    assert row[header.index("原值（元） Original value (yuan)")] == 3850000
    assert row[header.index("共享模式 Sharing mode")] == "外部共享"

    _names, records = sheet_rows(run, "服务记录 Service records")
    assert records[0][0] == "所属单位 Owner unit" and "服务方式 Service way" in records[0]
    assert len(records) == 1 + 4  # the four services begun in 2025
    h = records[0]
    sem_rows = [r for r in records[1:] if r[1] == "ZC-001"]
    assert [r[h.index("服务机时 Service hours")] for r in sem_rows] == [10, 6, 4]
    assert sem_rows[0][h.index("开始时间 Started at")] == datetime(2025, 3, 2, 9, 0)  # Shanghai wall time
    assert sem_rows[1][h.index("对外服务 External")] == "是" and sem_rows[0][h.index("对外服务 External")] == "否"
    assert sem_rows[1][h.index("评价 Rating")] == "非常满意"
    assert sem_rows[1][h.index("支撑项目 Supported project")] == "稀土抛光粉研发"
    assert sem_rows[1][h.index("服务方式 Service way")] == "委托共享"

    _names, units = sheet_rows(run, "单位指标 Unit indicators")
    by_name = {r[0]: r for r in units[1:]}
    assert set(by_name) == {"内蒙古科技大学", "包头稀土研究院"}
    # University: 1 instrument in service in 2025, 10 + 6 + 4 = 20 h, 10 h external, rate 0.5,
    # 3 services, 720 + 480 = 1,200.00 yuan external income.
    assert by_name["内蒙古科技大学"][2:] == [1, 20, 10, 0.5, 3, 1200]
    assert by_name["包头稀土研究院"][2:] == [1, 8, 0, 0, 1, 0]

    figures = {key: value for key, value, _fmt in run.result["figures"]}
    assert figures["instruments"] == 2 and figures["services"] == 4
    assert figures["effective_hours"] == "28.00" and figures["external_income"] == "1200.00"
    assert run.result["tables"][0]["key"] == "by_unit" and run.row_count == 2


def test_a_unit_pack_holds_only_that_unit(year_data, media, django_capture_on_commit_callbacks):
    from tests.factories import MembershipFactory

    unit = year_data["institute"]
    admin = MembershipFactory(unit=unit, role="admin").user
    run = run_pack(django_capture_on_commit_callbacks, admin, ScopeKind.UNIT, unit.pk)
    assert run.file.name.endswith(f"data-pack-2025-unit-{unit.pk}.xlsx")
    _names, instruments = sheet_rows(run, "仪器 Instruments")
    assert [r[2] for r in instruments[1:]] == ["ZC-100"]
    _names, records = sheet_rows(run, "服务记录 Service records")
    assert [r[1] for r in records[1:]] == ["ZC-100"]
    _names, units = sheet_rows(run, "单位指标 Unit indicators")
    assert [r[0] for r in units[1:]] == ["包头稀土研究院"]


def test_a_unit_administrator_cannot_pack_another_unit(year_data, media):
    from tests.factories import MembershipFactory

    admin = MembershipFactory(unit=year_data["institute"], role="admin").user
    with pytest.raises(DomainError):
        report_run_start(
            actor=admin,
            kind="data_pack",
            period=period_year(2025),
            scope_kind=ScopeKind.UNIT,
            scope_id=year_data["university"].pk,
        )
