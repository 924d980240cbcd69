"""Exports: a unit's instruments in the template's format (re-importing is a no-op), the bureau's
registry and the Uniquip CSV, streamed with a fixed number of queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from instruments import exporting
from instruments.importing.columns import COLUMNS, REGISTRY_COLUMNS
from instruments.models import Instrument
from tests.factories import DistrictFactory
from tests.instruments.factories import InstrumentFactory
from tests.instruments.import_fixtures import ensure_classification, upload_and_check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def classification(db):
    ensure_classification()


TEMPLATE_HEADER = [c.header for c in COLUMNS]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response, sheet=0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    rows = list(workbook.worksheets[sheet].iter_rows(values_only=True))
    workbook.close()
    return rows


@pytest.fixture
def instruments(unit):
    district = DistrictFactory(name="昆都仑区")
    return [
        InstrumentFactory(unit=unit, asset_number="A-2", district=district, customs_supervised=True),
        InstrumentFactory(unit=unit, asset_number="A-1", name_en="", operating_status="standby"),
    ]


def test_the_template_has_one_bilingual_column_per_field():
    rows = csv_rows(exporting.template_response("csv"))
    assert rows == [TEMPLATE_HEADER]
    assert rows[0][:2] == ["资产编号 Asset number", "中文名称 Chinese name"]
    workbook = xlsx_rows(exporting.template_response("xlsx"))
    assert list(workbook[0]) == TEMPLATE_HEADER
    notes = xlsx_rows(exporting.template_response("xlsx"), sheet=1)
    assert notes[1][:2] == ("资产编号 Asset number", "是 required")


def test_the_templates_notes_list_the_ledger_headers_the_import_also_takes():
    notes = {row[0]: row for row in xlsx_rows(exporting.template_response("xlsx"), sheet=1)}
    assert "也可用的表头" in notes["列 Column"][3]
    assert "设备名称" in notes["中文名称 Chinese name"][3]
    assert "单价（元）" in notes["原值（元） Original value (yuan)"][3]
    assert "原值（万元）" in notes["原值（元） Original value (yuan)"][3]
    assert "设备管理员" in notes["联系人 Contact person"][3]
    assert "2011年9月" in notes["启用日期 Commissioning date"][2]


def test_a_units_csv_export_is_the_template_with_its_instruments(unit, other_unit, instruments):
    InstrumentFactory(unit=other_unit, asset_number="B-1")
    response = exporting.unit_export_response(unit, "csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == TEMPLATE_HEADER
    assert [r[0] for r in rows[1:]] == ["A-1", "A-2"]
    a2 = dict(zip(TEMPLATE_HEADER, rows[2], strict=True))
    assert a2["原值（元） Original value (yuan)"] == "3850000.00"
    assert a2["启用日期 Commissioning date"] == "2021-06-18"
    assert a2["仪器分类 Instrument class"] == "0101 电子光学仪器"
    assert a2["海关监管 Under customs supervision"] == "是"
    assert a2["运行状态 Operating status"] == "正常"
    assert a2["区县 District"] == "昆都仑区"


def test_a_units_xlsx_export_keeps_numbers_and_dates_typed(unit, instruments):
    rows = xlsx_rows(exporting.unit_export_response(unit, "xlsx"))
    assert list(rows[0]) == TEMPLATE_HEADER
    a1 = dict(zip(TEMPLATE_HEADER, rows[1], strict=True))
    assert a1["原值（元） Original value (yuan)"] == 3850000
    assert a1["启用日期 Commissioning date"] == datetime.datetime(2021, 6, 18)
    assert a1["运行状态 Operating status"] == "待机"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_is_a_no_op(fmt, unit, manager, instruments, django_capture_on_commit_callbacks):
    InstrumentFactory(unit=unit, asset_number="=A-3", name="=HYPERLINK(1)", contact_phone="+86 472 5951234")
    history = Instrument.history.count()
    content = body(exporting.unit_export_response(unit, fmt))

    job = upload_and_check(
        actor=manager,
        unit=unit,
        upload=SimpleUploadedFile(f"export.{fmt}", content),
        callbacks=django_capture_on_commit_callbacks,
    )

    assert job.report["errors"] == []
    assert (job.to_create, job.to_update, job.report["unchanged"]) == (0, 0, 3)
    assert Instrument.history.count() == history


def test_formula_looking_text_is_defused_in_csv(unit):
    InstrumentFactory(unit=unit, asset_number="A-1", name="=1+2", contact_phone="+86 472 5951234")
    row = dict(zip(TEMPLATE_HEADER, csv_rows(exporting.unit_export_response(unit, "csv"))[1], strict=True))
    assert row["中文名称 Chinese name"] == "'=1+2"
    assert row["联系电话 Contact phone"] == "'+86 472 5951234"


def test_formula_looking_text_stays_text_in_xlsx(unit):
    InstrumentFactory(unit=unit, asset_number="A-1", name="=1+2")
    content = body(exporting.unit_export_response(unit, "xlsx"))
    workbook = load_workbook(io.BytesIO(content))
    cell = workbook.worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ("=1+2", "s")


def test_the_registry_export_puts_the_owner_first(unit, other_unit, instruments):
    InstrumentFactory(unit=other_unit, asset_number="B-1")
    rows = csv_rows(exporting.registry_export_response(Instrument.objects.all(), "csv"))
    assert rows[0] == [c.header for c in REGISTRY_COLUMNS]
    owners = {(r[0], r[1], r[2]) for r in rows[1:]}
    assert owners == {
        (unit.name, unit.credit_code, "A-1"),
        (unit.name, unit.credit_code, "A-2"),
        (other_unit.name, other_unit.credit_code, "B-1"),
    }
    xlsx = xlsx_rows(exporting.registry_export_response(Instrument.objects.all(), "xlsx"))
    assert len(xlsx) == 4


def test_the_uniquip_csv(unit, instruments):
    response = exporting.registry_export_response(
        Instrument.objects.filter(asset_number="A-2"), "uniquip", base_url="https://ic.example.cn/"
    )
    rows = csv_rows(response)
    assert rows[0] == list(exporting.UNIQUIP_HEADER)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Type"] == "equipment"
    assert row["ID"] == f"{unit.credit_code}/A-2"
    assert row["Name"] == "场发射扫描电子显微镜 / Field-emission scanning electron microscope"
    assert row["Manufacturer"] == "日本电子株式会社"
    assert row["Model"] == "JSM-7900F"
    assert row["Commissioned Date"] == "2021-06-18"
    assert row["Contact Email"] == "sem@example.cn"
    assert row["Department"] == unit.name
    assert row["Technique"] == "Electron optics"
    assert "昆都仑区" in row["Location"]
    assert row["URL"] == "https://ic.example.cn" + reverse("instruments:detail", args=[instruments[0].pk])


def test_the_admin_actions_export_the_selection(unit, instruments, officer):
    request = RequestFactory().get("/admin/instruments/instrument/")
    request.user = officer
    selected = Instrument.objects.filter(asset_number="A-1")
    assert len(csv_rows(exporting.export_registry_csv(None, request, selected))) == 2
    assert len(xlsx_rows(exporting.export_registry_xlsx(None, request, selected))) == 2
    assert csv_rows(exporting.export_registry_uniquip(None, request, selected))[1][1].endswith("/A-1")


@pytest.mark.parametrize("count", [1, 50])
def test_an_export_reads_with_a_fixed_number_of_queries(unit, count, django_assert_num_queries):
    InstrumentFactory.create_batch(count, unit=unit)
    response = exporting.unit_export_response(unit, "csv")
    with django_assert_num_queries(1):
        rows = csv_rows(response)
    assert len(rows) == count + 1


def test_money_is_exported_with_two_decimals(unit):
    InstrumentFactory(unit=unit, asset_number="A-1", original_value=Decimal("500000"))
    row = csv_rows(exporting.unit_export_response(unit, "csv"))[1]
    assert row[TEMPLATE_HEADER.index("原值（元） Original value (yuan)")] == "500000.00"
