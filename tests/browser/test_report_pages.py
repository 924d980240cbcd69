"""A bureau officer's report journey in Chromium at phone width (390 px): start the yearly
utilisation report, watch its progress bar move while the run is computed and the page reload
to the result, open a chart's numbers, compare with the previous year and download the workbook.
Every page passes axe-core's WCAG 2.1 A/AA rules, loads nothing the content security policy
refuses, and does not scroll sideways (wide tables scroll inside their own box).

To watch the bar, the run's task is held back (``job_enqueue`` replaced) and computed by the test
itself step by step; the comparison's run is computed eagerly, as on the embedded default."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from core.jobs import job_progress_set
from reports.models import ReportRun
from reports.services import report_run_execute
from tests.bookings.factories import InstrumentFactory, ServiceRecordFactory
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def serious(page) -> list[str]:
    return [v for v in axe_violations(page) if "(serious)" in v or "(critical)" in v]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def use_in_two_years(db):
    """Two instruments of a university with services in 2025 and in 2026."""
    tz = timezone.get_default_timezone()
    university = UnitFactory(name="内蒙古科技大学")
    client_unit = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    instruments = [
        InstrumentFactory(unit=university, name=name, commissioned_on=dt.date(2020, 1, 1))
        for name in ("扫描电子显微镜", "X射线衍射仪")
    ]
    for year, hours in ((2025, Decimal("8.00")), (2026, Decimal("9.00"))):
        for month in (2, 5, 9):
            for instrument in instruments:
                start = dt.datetime(year, month, 10, 9, 0, tzinfo=tz)
                ServiceRecordFactory(
                    instrument=instrument,
                    started_at=start,
                    ended_at=start + dt.timedelta(hours=int(hours)),
                    hours=hours,
                    user_unit=client_unit,
                    is_external=True,
                    amount=Decimal("1600.00"),
                )
    return instruments


def test_start_watch_open_a_chart_compare_and_download(
    page, live_server, screenshot, officer, use_in_two_years, monkeypatch
):
    held = []
    monkeypatch.setattr("reports.services.runs.job_enqueue", lambda run, task, **kw: held.append(run.pk))
    base = live_server.url
    blocked = csp_errors(page)
    log_in(page, base, officer.email)

    page.goto(f"{base}/reports/")
    assert serious(page) == [] and no_sideways_scroll(page)
    screenshot(page, "runs")
    page.select_option("#id_kind", "utilisation")
    page.select_option("#id_period_kind", "year")
    page.fill("#id_year", "2026")
    page.select_option("#id_scope_kind", "platform")
    page.click("#start-report")
    page.wait_for_selector("#run-progress")
    run = ReportRun.objects.get(pk=held[0])
    assert page.url.endswith(f"/reports/{run.pk}/")
    assert page.text_content("#run-percent") == "0%"
    assert serious(page) == []
    screenshot(page, "queued")

    job_progress_set(run, done=1, total=2)  # the worker is half way: the bar follows
    page.wait_for_function("() => document.getElementById('run-progress').value === 50")
    assert page.text_content("#run-percent") == "50%"
    screenshot(page, "half-way")

    report_run_execute(run_id=run.pk)  # the worker finishes: the page reloads to the result
    page.wait_for_selector("#figures-title", timeout=20000)
    assert "#run-progress" not in page.content() and page.query_selector("#run-progress") is None
    assert page.locator("#figure-instruments .number").text_content() == "2"
    assert page.locator("#figure-effective_hours .number").text_content() == "54.00 小时"
    assert serious(page) == [] and no_sideways_scroll(page)
    screenshot(page, "done")

    chart = page.locator("#chart-monthly_hours")
    assert chart.locator("figure[role=img] svg").is_visible()
    chart.locator("summary").click()
    numbers = chart.locator("details table")
    assert numbers.is_visible() and "2026-09" in numbers.text_content()
    chart.scroll_into_view_if_needed()
    screenshot(page, "chart-numbers")

    page.emulate_media(media="print")  # the printout: no navigation or buttons, every chart's numbers
    assert not page.locator(".site-header").is_visible() and not page.locator("#compare-previous").is_visible()
    assert page.locator("#chart-utilisation_bands details table").is_visible()
    assert page.locator("#table-instruments thead").is_visible()
    page.pdf(path=str(screenshot(page, "print").with_suffix(".pdf")), format="A4")
    page.emulate_media(media="screen")

    monkeypatch.undo()  # the previous year is computed at once (eager Celery)
    page.click("#compare-previous")
    page.wait_for_selector("#comparison")
    previous = ReportRun.objects.exclude(pk=run.pk).get()
    assert (previous.period_start, previous.status) == (dt.date(2025, 1, 1), ReportRun.Status.DONE)
    # 54 hours in 2026 against 48 in 2025: +12.5%
    assert page.locator("#compare-effective_hours .change").text_content() == "+12.5%"
    assert serious(page) == [] and no_sideways_scroll(page)
    screenshot(page, "compare")

    page.goto(f"{base}/reports/{run.pk}/")
    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:  # Playwright's file has no extension
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames[0] == "主要指标" and "仪器" in book.sheetnames
    assert blocked == []
