"""The report pages through the client: who may see and start what (the same 404 for missing and
not yours), the start form's errors, a run's page (progress, figures, charts, tables), the
comparison with the previous period, the data-pack file, the panels, and a fixed query count."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from reports.models import ReportRun
from reports.panels import dashboard_panel, home_panel
from tests.instruments.catalogue_factories import ensure_classification

from .conftest import done_run, make_run

pytestmark = pytest.mark.django_db
RUNS = reverse("reports:runs")


def detail(run):
    return reverse("reports:run_detail", args=[run.pk])


def start_data(**changes):
    data = {"kind": "utilisation", "period_kind": "year", "year": "2026", "scope_kind": "platform"}
    data.update(changes)
    return data


# --- Who may see what ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    run = done_run()
    for url in (RUNS, detail(run), reverse("reports:run_export_xlsx", args=[run.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_people_without_reports_get_404_everywhere(client, enterprise_user, manager):
    run = done_run(rows=2)
    urls = [
        RUNS,
        detail(run),
        reverse("reports:run_progress", args=[run.pk]),
        reverse("reports:run_export_csv", args=[run.pk]) + "?table=instruments",
        reverse("reports:run_export_xlsx", args=[run.pk]),
    ]
    for user in (enterprise_user, manager):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(RUNS, start_data()).status_code == 404
        assert client.post(reverse("reports:run_compare_start", args=[run.pk])).status_code == 404
    assert ReportRun.objects.count() == 1


def test_the_bureau_sees_every_run_newest_first(client, officer, unit):
    older = done_run(year=2025)
    newer = done_run(scope_kind="unit", scope_id=unit.pk, scope_label=unit.name)
    client.force_login(officer)
    response = client.get(RUNS)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(detail(newer)) < html.index(detail(older))
    assert "内蒙古科技大学" in html
    assert client.get(detail(older)).status_code == 200


def test_a_unit_administrator_sees_only_their_units_runs(client, unit, other_unit, unit_admin):
    own = done_run(scope_kind="unit", scope_id=unit.pk, scope_label=unit.name, rows=1)
    theirs = done_run(scope_kind="unit", scope_id=other_unit.pk, scope_label=other_unit.name, rows=1)
    platform = done_run(rows=1)
    client.force_login(unit_admin)
    html = client.get(RUNS).content.decode()
    assert detail(own) in html
    assert detail(theirs) not in html and detail(platform) not in html
    assert client.get(detail(own)).status_code == 200
    for run in (theirs, platform):
        for url in (
            detail(run),
            reverse("reports:run_progress", args=[run.pk]),
            reverse("reports:run_export_xlsx", args=[run.pk]),
            reverse("reports:run_export_csv", args=[run.pk]),
            reverse("reports:run_compare", args=[own.pk, run.pk]),
        ):
            assert client.get(url).status_code == 404, url
    missing = ReportRun.objects.order_by("-pk").first().pk + 100
    assert client.get(reverse("reports:run_detail", args=[missing])).status_code == 404


# --- Starting a run -------------------------------------------------------------------------------


def test_the_bureau_starts_a_yearly_report_and_lands_on_its_page(client, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, start_data())
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(run)
    assert (run.kind, run.period_start, run.period_end, run.created_by) == (
        "utilisation",
        dt.date(2026, 1, 1),
        dt.date(2027, 1, 1),
        officer,
    )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE  # the task ran eagerly
    page = client.get(detail(run)).content.decode()
    assert 'id="compare-previous"' in page and "<svg" in page


def test_a_unit_administrators_scope_is_their_unit(client, unit, other_unit, unit_admin):
    client.force_login(unit_admin)
    page = client.get(RUNS).content.decode()
    assert 'name="district"' not in page and 'name="instrument"' not in page
    assert "包头医学院" not in page
    response = client.post(RUNS, start_data(scope_kind="unit", unit=str(unit.pk)))
    run = ReportRun.objects.get()
    assert response["Location"] == detail(run) and (run.scope_kind, run.scope_id) == ("unit", unit.pk)
    response = client.post(RUNS, start_data(scope_kind="platform", unit=str(other_unit.pk)))
    assert response.status_code == 200 and ReportRun.objects.count() == 1
    assert set(response.context["form"].errors) == {"scope_kind", "unit"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"period_kind": "quarter"}, "quarter", "季度"),
        ({"period_kind": "month", "year": ""}, "year", "年份"),
        ({"period_kind": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "end", "早于"),
        ({"scope_kind": "district"}, "district", "区"),
        ({"scope_kind": "instrument", "instrument": "999999"}, "instrument", "没有这个仪器"),
        ({"kind": "nonsense"}, "kind", ""),
    ],
)
def test_invalid_input_shows_the_form_with_the_reason(client, officer, changes, field, message):
    client.force_login(officer)
    response = client.post(RUNS, start_data(**changes))
    assert response.status_code == 200
    assert ReportRun.objects.count() == 0
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert 'role="alert"' in response.content.decode()


# --- A run's page ----------------------------------------------------------------------------------


def test_a_running_run_shows_a_moving_progress_bar(client, officer):
    run = make_run(status=ReportRun.Status.RUNNING, progress=40)
    client.force_login(officer)
    html = client.get(detail(run)).content.decode()
    assert '<progress id="run-progress" max="100" value="40">' in html
    assert 'aria-live="polite"' in html and "reports/reports.js" in html
    assert 'id="compare-previous"' not in html
    state = client.get(reverse("reports:run_progress", args=[run.pk])).json()
    assert state["percent"] == 40 and state["running"] is True


def test_a_done_run_shows_figures_charts_and_tables(client, officer):
    run = done_run(rows=3)
    client.force_login(officer)
    html = client.get(detail(run)).content.decode()
    assert "1,455.50 小时" in html  # hours, two places
    assert "45.3%" in html  # a rate
    assert "12,345.60元" in html  # yuan
    assert "120.00万元" in html  # an instrument's value in 万元
    assert html.count('<figure role="img"') == 2 and html.count("<svg") == 2
    assert "<script type" not in html.split("<svg", 1)[1]  # pygal's script removed
    assert "25% 以下" in html  # a band's label translated, in the chart's table
    assert "扫描电镜3" in html and "<progress" not in html
    assert state_of(client, run)["running"] is False


def state_of(client, run):
    return client.get(reverse("reports:run_progress", args=[run.pk])).json()


def test_tables_page_by_fifty_rows(client, officer):
    run = done_run(rows=60)
    client.force_login(officer)
    first = client.get(detail(run)).content.decode()
    assert "扫描电镜50<" in first and "扫描电镜51<" not in first
    second = client.get(detail(run) + "?table=instruments&page=2").content.decode()
    assert "扫描电镜51<" in second and "扫描电镜60<" in second and "扫描电镜50<" not in second


def test_a_failed_run_shows_its_error(client, officer):
    run = make_run(status=ReportRun.Status.FAILED, error="The report failed: division by zero")
    client.force_login(officer)
    html = client.get(detail(run)).content.decode()
    assert "division by zero" in html and 'id="run-error"' in html
    assert 'id="download-xlsx"' not in html


def test_the_runs_list_takes_the_same_queries_for_one_or_twenty_runs(client, officer):
    client.force_login(officer)
    done_run(created_by=officer)
    client.get(RUNS)  # warm the per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(RUNS).status_code == 200
    for year in range(2006, 2025):
        done_run(year=year, created_by=officer)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(RUNS)
    assert len(response.context["runs"]) == 20
    assert len(twenty) == len(one), [q["sql"] for q in twenty.captured_queries]


# --- Comparing with the previous period ------------------------------------------------------------


def figures(effective, utilisation, services, rating="4.50"):
    return [
        ["effective_hours", effective, "hours"],
        ["utilisation", utilisation, "rate"],
        ["services", services, "int"],
        ["rating", rating, "rating"],
        ["unit", "测试大学", "text"],
    ]


def test_compare_finds_the_previous_years_run_and_shows_the_changes(client, officer):
    this = done_run(year=2026, figures=figures("1125.00", "0.4850", 0))
    done_run(year=2025, figures=figures("900.00", "0.5000", 0), finished_at=None)
    previous = done_run(year=2025, figures=figures("1000.00", "0.5000", 0, rating=None))
    done_run(year=2025, kind="idle")  # another report: not compared
    client.force_login(officer)
    response = client.post(reverse("reports:run_compare_start", args=[this.pk]))
    assert response["Location"] == reverse("reports:run_compare", args=[this.pk, previous.pk])
    response = client.get(response["Location"])
    html = response.content.decode()
    rows = {row["key"]: row for row in response.context["rows"]}
    # (1125 − 1000) ÷ 1000 = +12.5%; (0.4850 − 0.5) ÷ 0.5 = −3.0%; 0 before → "—"
    assert 'id="compare-effective_hours"' in html
    assert "+12.5%" in html and "\u22123.0%" in html
    assert str(rows["effective_hours"]["change"]) == "12.5"
    assert str(rows["utilisation"]["change"]) == "-3.0"
    assert rows["services"]["change"] is None and rows["rating"]["change"] is None
    assert rows["unit"]["change"] is None
    assert ReportRun.objects.count() == 4  # nothing started


def test_compare_starts_the_previous_period_when_there_is_none(client, officer, django_capture_on_commit_callbacks):
    this = done_run(year=2026)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:run_compare_start", args=[this.pk]))
    other = ReportRun.objects.exclude(pk=this.pk).get()
    assert (other.kind, other.period_start, other.period_end) == (
        "utilisation",
        dt.date(2025, 1, 1),
        dt.date(2026, 1, 1),
    )
    assert response["Location"] == reverse("reports:run_compare", args=[this.pk, other.pk])
    assert client.get(response["Location"]).status_code == 200
    # Asking again compares with the same run instead of starting another.
    client.post(reverse("reports:run_compare_start", args=[this.pk]))
    assert ReportRun.objects.count() == 2


def test_compare_shows_the_progress_of_a_previous_period_still_running(client, officer):
    this = done_run(year=2026)
    other = make_run(year=2025, status=ReportRun.Status.RUNNING, progress=10)
    client.force_login(officer)
    response = client.post(reverse("reports:run_compare_start", args=[this.pk]))
    assert response["Location"] == reverse("reports:run_compare", args=[this.pk, other.pk])
    html = client.get(response["Location"]).content.decode()
    assert reverse("reports:run_progress", args=[other.pk]) in html and "<progress" in html


# --- The data pack's file --------------------------------------------------------------------------


def test_a_data_pack_file_is_served_only_to_viewers(client, officer, enterprise_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = done_run(kind="data_pack")
    run.file.save("pack-2026.zip", ContentFile(b"PK\x03\x04 data"), save=True)
    url = reverse("reports:run_file", args=[run.pk])
    client.force_login(officer)
    assert url in client.get(detail(run)).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"PK\x03\x04 data"
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("reports:run_file", args=[done_run().pk])).status_code == 404


# --- Panels -----------------------------------------------------------------------------------------


def test_the_dashboard_panel_lists_the_latest_three_runs_for_those_who_may_see_them(rf, officer, enterprise_user):
    runs = [done_run(year=year) for year in (2022, 2023, 2024, 2025)]
    request = rf.get("/")
    request.user = officer
    template, context = dashboard_panel(request)
    assert template == "reports/dashboard_panel.html"
    assert [run for run, _label in context["report_runs"]] == runs[::-1][:3]
    request.user = enterprise_user
    assert dashboard_panel(request) is None


def test_the_home_panel_shows_the_latest_platform_figures(client, rf, officer):
    request = rf.get("/")
    assert home_panel(request) is None
    charts = [
        {"key": "monthly_services", "kind": "bar", "labels": ["2026-01"], "series": [["services", [12]]]},
        {
            "key": "value_by_category",
            "kind": "hbar",
            "labels": ["01 分析仪器"],
            "series": [["original_value", ["5000000.00"]]],
        },
        {"key": "other", "kind": "bar", "labels": ["x"], "series": [["services", [1]]]},
    ]
    done_run(kind="platform", year=2025, figures=[["instruments", 900, "int"]], charts=charts)
    latest = done_run(kind="platform", year=2026, figures=[["instruments", 945, "int"]], charts=charts)
    template, context = home_panel(request)
    assert context["run"] == latest
    assert [chart["key"] for chart in context["charts"]] == ["monthly_services", "value_by_category"]
    from django.template.loader import render_to_string

    html = render_to_string(template, context)
    assert "945" in html and html.count("<svg") == 2


def test_the_home_panel_looks_up_english_names_once_for_its_charts(rf, django_assert_num_queries):
    """Both home charts name classes: an English reader's panel looks them up in one query."""
    ensure_classification()
    charts = [
        {"key": key, "kind": "hbar", "labels": ["01 分析仪器"], "series": [["original_value", ["5.00"]]]}
        for key in ("monthly_services", "value_by_category")
    ]
    done_run(kind="platform", year=2026, figures=[], charts=charts)
    with translation.override("en"), django_assert_num_queries(2):  # the run, then the classes' names
        _template, context = home_panel(rf.get("/"))
    assert all("01 Analytical" in chart["svg"] and "分析仪器" not in chart["svg"] for chart in context["charts"])


def test_a_table_sorts_by_a_number_column_largest_first(client, officer):
    run = done_run(rows=60)  # effective hours 100.50, 101.50, … 159.50
    client.force_login(officer)
    html = client.get(detail(run)).content.decode()
    assert "?table=instruments&amp;sort=effective_hours" in html
    assert "sort=instrument&" not in html  # text columns are not sortable
    sorted_page = client.get(detail(run) + "?table=instruments&sort=effective_hours").content.decode()
    assert 'aria-sort="descending"' in sorted_page
    assert sorted_page.index("扫描电镜60<") < sorted_page.index("扫描电镜59<")
    assert "扫描电镜10<" not in sorted_page  # on the second page now
    second = client.get(detail(run) + "?table=instruments&sort=effective_hours&page=2").content.decode()
    assert "扫描电镜10<" in second and "扫描电镜1<" in second and "扫描电镜60<" not in second
    # An unknown column keeps the order of the run.
    plain = client.get(detail(run) + "?table=instruments&sort=nope").content.decode()
    assert plain.index("扫描电镜1<") < plain.index("扫描电镜2<")


def test_the_dashboard_shows_the_reports_panel_to_the_bureau_only(client, officer, enterprise_user):
    run = done_run()
    client.force_login(officer)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="reports-panel"' in html and detail(run) in html
    client.force_login(enterprise_user)
    assert 'id="reports-panel"' not in client.get(reverse("dashboard")).content.decode()


def test_only_administrators_of_units_that_share_instruments_see_their_reports(client, unit, unit_admin, manager):
    """An enterprise sees nothing here; a pending membership or a pending unit gives nothing either."""
    from members.models import Membership, Unit
    from reports.permissions import administered_unit_ids
    from tests.factories import MembershipFactory, UnitFactory
    from tests.instruments.factories import InstrumentFactory

    InstrumentFactory(unit=unit)
    user_only = UnitFactory(unit_type=Unit.Type.ENTERPRISE)
    MembershipFactory(user=unit_admin, unit=user_only, role="admin")
    pending_unit = UnitFactory(status=Unit.Status.PENDING)
    InstrumentFactory(unit=pending_unit)
    MembershipFactory(user=unit_admin, unit=pending_unit, role="admin")
    sharing = UnitFactory()
    InstrumentFactory(unit=sharing)
    MembershipFactory(user=unit_admin, unit=sharing, role="admin", status=Membership.Status.PENDING)
    assert administered_unit_ids(unit_admin) == [unit.pk]
    assert administered_unit_ids(manager) == []
    enterprise_admin = MembershipFactory(unit=user_only, role="admin").user
    client.force_login(enterprise_admin)
    assert client.get(reverse("reports:runs")).status_code == 404
    # An enterprise sees nothing here even when it shares instruments of its own.
    InstrumentFactory(unit=user_only)
    assert administered_unit_ids(enterprise_admin) == []
    assert client.get(reverse("reports:runs")).status_code == 404


def test_an_english_reader_sees_the_stored_names_in_english(client, officer, django_assert_max_num_queries):
    """A run keeps the Chinese names it was computed with (its exports carry them); an English page
    shows the English names of classes, units and instruments that have one, in its tables and
    charts, with a fixed number of queries; names without an English one stay as stored."""
    from instruments.models import Category
    from tests.bookings.factories import InstrumentFactory
    from tests.factories import UnitFactory

    UnitFactory(name="测试大学", name_en="Test University")
    InstrumentFactory(name="扫描电镜1", name_en="Scanning electron microscope")
    main_class = Category.objects.get(code="01")
    run = done_run(
        rows=2,
        charts=[
            {
                "key": "value_by_category",
                "kind": "hbar",
                "labels": [f"01 {main_class.name}", "99 未知大类"],
                "series": [["original_value", ["120.00", "3.00"]]],
            }
        ],
    )
    client.force_login(officer)
    english = client.get(detail(run), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"01 {main_class.name_en}" in english and main_class.name not in english
    assert "Scanning electron microscope" in english and "扫描电镜1<" not in english
    assert "扫描电镜2" in english  # no English name: as stored
    assert "Test University" in english and "测试大学" not in english
    assert "99 未知大类" in english
    chinese = client.get(detail(run), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"01 {main_class.name}" in chinese and "扫描电镜1<" in chinese and "Test University" not in chinese
    with CaptureQueriesContext(connection) as chinese_queries:
        client.get(detail(run), HTTP_ACCEPT_LANGUAGE="zh-hans")
    with django_assert_max_num_queries(len(chinese_queries) + 4):  # a class, district, unit, instrument lookup
        client.get(detail(run), HTTP_ACCEPT_LANGUAGE="en")
