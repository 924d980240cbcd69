"""A run's downloads: the CSV of a table or of the figures (UTF-8 with BOM, translated headers,
the exact values), and the XLSX workbook (a figures sheet and one sheet per table)."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reports.exporting import sheet_title

from .conftest import done_run

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_tables_csv_has_translated_headers_and_the_exact_values(client, officer):
    run = done_run(rows=3)
    client.force_login(officer)
    response = client.get(reverse("reports:run_export_csv", args=[run.pk]) + "?table=instruments")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["仪器编号", "仪器", "单位", "原值", "有效工作机时", "利用率", "对外服务收入"]
    assert rows[1] == ["1", "扫描电镜1", "测试大学", "1200000.00", "100.50", "0.0628", "'=SUM(A1)"]
    assert [row[1] for row in rows[1:]] == ["扫描电镜1", "扫描电镜2", "扫描电镜3"]


def test_the_figures_csv_and_an_unknown_table(client, officer):
    run = done_run(rows=1)
    client.force_login(officer)
    rows = csv_rows(client.get(reverse("reports:run_export_csv", args=[run.pk]) + "?table=figures"))
    assert rows[0] == ["指标", "数值"]
    assert ["有效工作机时", "1455.50"] in rows and ["平均评价", ""] in rows
    assert client.get(reverse("reports:run_export_csv", args=[run.pk]) + "?table=nope").status_code == 404


def test_the_csv_headers_follow_the_readers_language(client, officer):
    run = done_run(rows=1)
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    rows = csv_rows(client.get(reverse("reports:run_export_csv", args=[run.pk]) + "?table=instruments"))
    assert rows[0][:2] == ["Instrument no.", "Instrument"]


def test_the_workbook_has_a_figures_sheet_and_a_sheet_per_table(client, officer):
    run = done_run(rows=4)
    client.force_login(officer)
    response = client.get(reverse("reports:run_export_xlsx", args=[run.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["主要指标", "仪器"]
    figures = list(book["主要指标"].iter_rows(values_only=True))
    assert figures[0] == ("指标", "数值")
    assert ("有效工作机时", Decimal("1455.50")) in figures or ("有效工作机时", 1455.5) in figures
    table = list(book["仪器"].iter_rows(values_only=True))
    assert table[0][:3] == ("仪器编号", "仪器", "单位")
    assert len(table) == 5
    assert table[1][0] == 1 and table[1][1] == "扫描电镜1" and float(table[1][4]) == 100.5
    assert table[1][6] == "=SUM(A1)"  # text, never a formula
    assert book["仪器"]["G2"].data_type == "s"


def test_a_run_not_done_has_no_downloads(client, officer):
    from reports.models import ReportRun

    from .conftest import make_run

    run = make_run(status=ReportRun.Status.RUNNING)
    client.force_login(officer)
    assert client.get(reverse("reports:run_export_xlsx", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:run_export_csv", args=[run.pk])).status_code == 404


def test_sheet_titles_are_valid_and_unique():
    taken = set()
    title = sheet_title("按单位/按区域: [2026]?", taken)
    assert title.startswith("按单位 按区域") and not set("[]:*?/\\") & set(title)
    long = "A very long table title that goes past the limit"
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
