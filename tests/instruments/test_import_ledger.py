"""The import of an equipment office's own ledger: title rows, decorated and synonym headers,
month-only dates, full-width digits, and the rows such a ledger gets wrong."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from instruments.importing.columns import column_for_header, parse_ledger_date
from instruments.models import ImportJob, Instrument
from tests.instruments.factories import InstrumentFactory
from tests.instruments.import_fixtures import (
    confirm,
    csv_upload,
    ensure_classification,
    errors_of,
    upload_and_check,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db

# Headers as an equipment office writes them: synonyms, （必填）, *, colons, full-width forms.
LEDGER_HEADERS = [
    "序号",
    "资产编号（必填）",
    "*设备名称",
    "分类代码",
    "单价（元）",
    "国别",
    "生产厂商(required)",
    "型号规格：",
    "购置日期＊",
    "技术参数",
    "主要用途",
    "存放地点",
    "设备管理员",
    "联系电话",
]


def ledger_row(n, **overrides):
    row = {
        "序号": n,
        "资产编号（必填）": f"ZC2023{n:03d}",
        "*设备名称": f"扫描电子显微镜{n}",
        "分类代码": "0101",
        "单价（元）": "1,280,000.00",
        "国别": "日本",
        "生产厂商(required)": "日本电子株式会社",
        "型号规格：": "JSM-7610F",
        "购置日期＊": "2011年9月",
        "技术参数": "分辨率 1.0 nm",
        "主要用途": "形貌观察",
        "存放地点": "材料楼 101",
        "设备管理员": "赵老师",
        "联系电话": "0472-5951234",
    }
    row.update(overrides)
    return [row[h] for h in LEDGER_HEADERS]


def ledger(rows):
    """The sheet as the office keeps it: a title and a date line above the headers."""
    return [
        ["内蒙古科技大学仪器设备台账", *[None] * (len(LEDGER_HEADERS) - 1)],
        ["制表单位：资产处", None, None, "制表日期：2026年11月"],
        list(LEDGER_HEADERS),
        *rows,
    ]


@pytest.fixture(autouse=True)
def classification(db):
    ensure_classification()


@pytest.fixture
def check(manager, unit, django_capture_on_commit_callbacks):
    def run(rows, upload=xlsx_upload):
        return upload_and_check(
            actor=manager, unit=unit, upload=upload(rows), callbacks=django_capture_on_commit_callbacks
        )

    return run


@pytest.fixture
def write(manager, django_capture_on_commit_callbacks):
    return lambda job: confirm(actor=manager, job=job, callbacks=django_capture_on_commit_callbacks)


def next_year():
    return str(timezone.localdate().year + 1)


def test_a_ledger_imports_its_valid_rows_and_names_each_bad_cell(check, write, unit, client, manager):
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    rows = ledger(
        [
            ledger_row(1, **{"资产编号（必填）": "ZC２０２３ 001"}),  # full-width digits and a space
            ledger_row(2, **{"购置日期＊": "2015年", "联系电话": "+86 138 0013 8000"}),
            ledger_row(3, **{"购置日期＊": "2018-03", "联系电话": "（0472）5951234 转 801"}),
            ledger_row(4, **{"购置日期＊": 2019.9, "单价（元）": 356000, "联系电话": "０４７２－５９５１２３４"}),
            ledger_row(5, **{"购置日期＊": future}),
            ledger_row(6, **{"联系电话": "请联系赵老师"}),
            ledger_row(7, **{"购置日期＊": f"{next_year()}年5月"}),
        ]
    )

    job = check(rows)

    assert job.status == ImportJob.Status.VALIDATED, job.error
    assert (job.to_create, job.error_count) == (4, 3), job.report["errors"]
    assert job.report["skipped_rows"] == [1, 2]
    assert job.report["ignored_columns"] == ["序号"]
    errors = errors_of(job)
    # Spreadsheet rows: the headers are row 3, so the fifth data row is row 8.
    assert [(row, column) for row, column, _m in errors] == [(8, "购置日期＊"), (9, "联系电话"), (10, "购置日期＊")]
    assert "in the future" in errors[0][2] and future in errors[0][2]
    assert "请联系赵老师" in errors[1][2] and "area code" in errors[1][2]
    notes = {(n["row"], n["column"]): n["message"] for n in job.report["notes"]}
    assert "Only the month was given (2011年9月)" in notes[(4, "购置日期＊")]
    assert "Only the year was given (2015年)" in notes[(5, "购置日期＊")]
    assert not Instrument.objects.exists()  # nothing before confirm

    client.force_login(manager)
    url = reverse("instruments:import_detail", args=[unit.pk, job.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rows 1–2 above the headers were skipped." in page
    assert "Only the month was given (2011年9月)" in page and "请联系赵老师" in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已跳过表头上方的第 1–2 行。" in page and "按说明读取的单元格" in page

    write(job)

    stored = {i.asset_number: i for i in Instrument.objects.filter(unit=unit)}
    assert sorted(stored) == ["ZC2023001", "ZC2023002", "ZC2023003", "ZC2023004"]
    first = stored["ZC2023001"]
    assert first.commissioned_on == datetime.date(2011, 9, 1)
    assert first.original_value == Decimal("1280000.00")
    assert (first.name, first.manufacturer, first.model) == ("扫描电子显微镜1", "日本电子株式会社", "JSM-7610F")
    assert (first.street_address, first.contact_person) == ("材料楼 101", "赵老师")
    assert stored["ZC2023002"].commissioned_on == datetime.date(2015, 1, 1)
    assert stored["ZC2023003"].commissioned_on == datetime.date(2018, 3, 1)
    assert stored["ZC2023004"].commissioned_on == datetime.date(2019, 9, 1)
    assert stored["ZC2023004"].original_value == Decimal("356000.00")
    assert stored["ZC2023004"].contact_phone == "0472-5951234"
    assert stored["ZC2023003"].contact_phone == "(0472)5951234 转 801"


def test_the_import_page_lists_the_accepted_ledger_headers(client, manager, unit):
    client.force_login(manager)
    page = client.get(reverse("instruments:import_start", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "也可以直接使用您单位台账的表头" in html
    assert "设备名称" in html and "型号规格" in html and "购置日期" in html and "存放地点" in html


def test_the_same_asset_typed_with_normal_digits_is_the_same_instrument(check, write, unit):
    write(check(ledger([ledger_row(1, **{"资产编号（必填）": "ZC２０２３ 001"})])))
    again = check(ledger([ledger_row(1, **{"资产编号（必填）": "ZC2023001", "型号规格：": "JSM-7610FPlus"})]))
    assert (again.to_create, again.to_update, again.error_count) == (0, 1, 0), again.report["errors"]
    write(again)
    assert list(Instrument.objects.filter(unit=unit).values_list("asset_number", "model")) == [
        ("ZC2023001", "JSM-7610FPlus")
    ]
    # And once more, unchanged: idempotent.
    assert check(ledger([ledger_row(1, **{"型号规格：": "JSM-7610FPlus"})])).report["unchanged"] == 1


def test_an_original_value_in_ten_thousand_yuan_is_stored_in_yuan(check, write, unit):
    rows = ledger([ledger_row(1, **{"单价（元）": "268.5"}), ledger_row(2, **{"单价（元）": 12})])
    rows[2] = ["原值（万元）" if h == "单价（元）" else h for h in rows[2]]
    write(check(rows, upload=csv_upload))
    assert sorted(Instrument.objects.filter(unit=unit).values_list("original_value", flat=True)) == [
        Decimal("120000.00"),
        Decimal("2685000.00"),
    ]


def test_a_title_row_over_a_file_without_asset_numbers_names_the_missing_column(check):
    rows = ledger([ledger_row(1)])
    index = LEDGER_HEADERS.index("资产编号（必填）")
    for row in rows[2:]:
        del row[index]
    job = check(rows)
    assert job.status == ImportJob.Status.FAILED
    assert "no asset number column" in job.error


def test_a_file_whose_headers_are_the_first_row_skips_nothing(check):
    job = check(ledger([ledger_row(1)])[2:])
    assert job.status == ImportJob.Status.VALIDATED, job.error
    assert (job.to_create, job.report["skipped_rows"]) == (1, [])


def test_an_existing_instrument_keeps_matching_under_decorated_headers(check, unit):
    InstrumentFactory(unit=unit, asset_number="ZC2023001", name="扫描电子显微镜1")
    job = check(ledger([ledger_row(1, **{"资产编号（必填）": "ＺＣ2023001"})]))
    assert (job.to_create, job.to_update, job.error_count) == (0, 1, 0), job.report["errors"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("设备名称", "name"),
        ("型号规格", "model"),
        ("生产厂商", "manufacturer"),
        ("生产厂家", "manufacturer"),
        ("购置日期", "commissioned_on"),
        ("购入日期", "commissioned_on"),
        ("单价（元）", "original_value"),
        ("单价", "original_value"),
        ("原值(万元)", "original_value"),
        ("存放地点", "street_address"),
        ("设备管理员", "contact_person"),
        ("负责人", "contact_person"),
        ("资产编号", "asset_number"),
        ("资产编码", "asset_number"),
        ("设备编号", "asset_number"),
        ("资产编号（必填）", "asset_number"),
        ("资产编号(必填)", "asset_number"),
        ("Asset number (required)", "asset_number"),
        ("＊资产编号：", "asset_number"),
        ("资产编号 *", "asset_number"),
    ],
)
def test_ledger_headers_map_to_their_fields(header, field):
    assert column_for_header(header).field == field


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2011年9月", datetime.date(2011, 9, 1)),
        ("2011-09", datetime.date(2011, 9, 1)),
        ("2011.9", datetime.date(2011, 9, 1)),
        ("２０１１年９月", datetime.date(2011, 9, 1)),
        ("2011年", datetime.date(2011, 1, 1)),
        ("2011", datetime.date(2011, 1, 1)),
        (2011, datetime.date(2011, 1, 1)),
    ],
)
def test_month_and_year_only_dates_are_their_first_day_with_a_note(cell, day):
    value, note = parse_ledger_date(cell)
    assert value == day and note


def test_a_full_date_has_no_note_and_an_excel_number_that_loses_october_is_refused(check):
    assert parse_ledger_date("2011-09-15") == (datetime.date(2011, 9, 15), "")
    job = check(ledger([ledger_row(1, **{"购置日期＊": 2011.1})]))
    assert "January or October" in errors_of(job)[0][2]
