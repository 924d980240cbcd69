"""Importing service records from a spreadsheet: a dry run writes nothing; confirm writes all or none."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from bookings import importing
from bookings.exceptions import DomainError, PermissionDenied
from bookings.models import ServiceRecord, ServiceRecordImport

from .factories import member_of

pytestmark = pytest.mark.django_db

HEADER = [h for _f, h, _r in importing.COLUMNS]


def row(asset, **overrides):
    values = {
        "资产编号": asset,
        "开始时间": "2030-01-05 09:00",
        "结束时间": "2030-01-05 12:00",
        "服务内容": "委托检测",
        "服务方式": "委托共享",
        "准备机时": "0.5",
        "测量机时": "2",
        "后处理机时": "0.5",
        "样品数": "4",
        "用户姓名": "王工",
        "用户单位": "包头稀宝新材料科技有限公司",
        "支撑项目": "高性能磁材",
        "经费来源": "企业自筹",
        "收费金额": "",
        "金额说明": "",
    }
    values.update(overrides)
    return [values[h] for h in HEADER]


def csv_file(rows, name="records.csv"):
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_file(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("records.xlsx", buf.getvalue())


def test_dry_run_then_confirm(instrument, manager, enterprise, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    job = importing.import_check(
        actor=manager, unit=instrument.unit, upload=csv_file([row(instrument.asset_number)] * 2)
    )
    assert (job.total_rows, job.error_count, job.status) == (2, 0, "checked")
    assert not ServiceRecord.objects.exists()  # the dry run wrote nothing
    job = importing.import_confirm(actor=manager, job=job)
    assert job.created_count == 2
    record = ServiceRecord.objects.first()
    assert (record.hours, record.amount, record.user_unit, record.is_external) == (
        Decimal("3.00"),
        Decimal("1200.00"),
        enterprise,
        True,
    )
    with pytest.raises(DomainError):
        importing.import_confirm(actor=manager, job=job)


def test_errors_are_reported_per_row_and_block_the_import(client, instrument, manager, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    upload = xlsx_file(
        [
            row(instrument.asset_number),
            row("NO-SUCH"),
            row(instrument.asset_number, 服务方式="随便"),
            row(instrument.asset_number, 收费金额="100"),  # differs from the fee items without a reason
            row(instrument.asset_number, 开始时间="明天"),
        ]
    )
    client.force_login(manager)
    response = client.post(reverse("bookings:record_import"), {"unit": instrument.unit.pk, "file": upload})
    job = ServiceRecordImport.objects.get()
    assert response.status_code == 302
    assert job.error_count == 4 and [e["row"] for e in job.report["errors"]] == [3, 4, 5, 6]
    page = client.get(reverse("bookings:record_import_review", args=[job.pk]))
    assert not page.context["can_confirm"]
    client.post(reverse("bookings:record_import_review", args=[job.pk]), {"confirm": "1"})
    assert not ServiceRecord.objects.exists()


def test_only_the_units_managers_import(instrument, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDenied):
        importing.import_check(
            actor=member_of(instrument.unit), unit=instrument.unit, upload=csv_file([row(instrument.asset_number)])
        )


def test_a_file_without_the_columns_is_refused(instrument, manager):
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    with pytest.raises(DomainError, match="missing"):
        importing.import_check(actor=manager, unit=instrument.unit, upload=upload)


def test_the_template_downloads(client, manager):
    client.force_login(manager)
    response = client.get(reverse("bookings:record_import_template"))
    assert response.status_code == 200 and "资产编号" in response.content.decode("utf-8-sig")
