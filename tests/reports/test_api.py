"""The reports API: who may start and read runs, the period and scope as a client sends them, a run's
figures and rows, live progress, and the refusals (400 beside the field, 404 for missing and not yours)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.jobs import job_progress_set
from members.models import Unit
from reports.labels import label
from reports.models import ReportRun
from tests.bookings.factories import InstrumentFactory, ServiceRecordFactory, member_of
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
URL = "/api/v1/reports/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client


def service(instrument, *, day, hours, user_unit, amount="0.00"):
    start = dt.datetime(2025, *day, 9, 0, tzinfo=TZ)
    return ServiceRecordFactory(
        instrument=instrument,
        started_at=start,
        ended_at=start + dt.timedelta(hours=float(hours)),
        measurement_hours=Decimal(hours),
        hours=Decimal(hours),
        user_unit=user_unit,
        user_unit_name=user_unit.name,
        is_external=user_unit != instrument.unit,
        amount=Decimal(amount),
    )


@pytest.fixture
def owner():
    return UnitFactory(name="内蒙古科技大学")


@pytest.fixture
def other_unit():
    return UnitFactory(name="包头医学院")


@pytest.fixture
def enterprise():
    return UnitFactory(name="包头稀宝新材料科技有限公司", unit_type=Unit.Type.ENTERPRISE)


@pytest.fixture
def instruments(owner, other_unit, enterprise):
    """Two instruments of the owner unit used in 2025 (one also by an enterprise), one of another unit."""
    sem = InstrumentFactory(unit=owner, name="场发射扫描电镜", commissioned_on=dt.date(2020, 5, 1))
    xrd = InstrumentFactory(unit=owner, name="X射线衍射仪", commissioned_on=dt.date(2021, 3, 1))
    nmr = InstrumentFactory(unit=other_unit, name="核磁共振波谱仪", commissioned_on=dt.date(2019, 1, 1))
    service(sem, day=(3, 2), hours="4.5", user_unit=owner)
    service(sem, day=(3, 9), hours="6", user_unit=enterprise, amount="2400.00")
    service(xrd, day=(7, 1), hours="2", user_unit=owner)
    service(nmr, day=(5, 5), hours="3", user_unit=owner, amount="900.00")
    return sem, xrd, nmr


@pytest.fixture
def unit_admin(owner):
    return MembershipFactory(unit=owner, role="admin", user=UserFactory(name="王主任")).user


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """POST a run (a year's utilisation by default) and let its task run as the commit would."""

    def post(client, **body):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {"kind": "utilisation", "period_kind": "year", "year": 2025, **body}, format="json")

    return post


def finished(client, answer) -> dict:
    """The run a 201 answered, as it is once its task (run in-process) has finished."""
    assert answer.status_code == 201, answer.json()
    return client.get(f"{URL}{answer.json()['id']}/").json()


def test_the_bureau_starts_a_year_report_and_reads_its_figures_and_rows(officer, instruments, start):
    client = client_for(officer)
    answer = start(client)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["status"] == "queued"
    run = finished(client, answer)
    assert run["status"] == "done", run["error"]
    assert run["progress"] == 100
    assert len(run["checksum"]) == 64
    assert run["period"] == {"kind": "year", "start": "2025-01-01", "last_day": "2025-12-31", "label": "2025 年"}
    assert run["scope"] == {"kind": "platform", "id": None, "label": ""}
    figures = {f["key"]: f for f in run["result"]["figures"]}
    assert figures["effective_hours"]["value"] == "15.50"
    assert figures["external_hours"]["value"] == "9.00"  # the enterprise's 6 h and the owner's 3 h elsewhere
    assert figures["instruments"]["value"] == 3
    assert figures["effective_hours"]["label"] == label("effective_hours") != "effective_hours"
    tables = {t["key"]: t for t in run["result"]["tables"]}
    assert tables["instruments"]["count"] == 3
    columns = [c["key"] for c in tables["instruments"]["columns"]]

    rows = client.get(f"{URL}{run['id']}/rows/", {"table": "instruments"}).json()
    assert rows["count"] == 3
    named = [dict(zip(columns, row["values"], strict=True)) for row in rows["results"]]
    by_name = {row["instrument"]: row for row in named}
    assert by_name["场发射扫描电镜"]["effective_hours"] == "10.50"
    assert by_name["场发射扫描电镜"]["external_hours"] == "6.00"
    assert by_name["场发射扫描电镜"]["enterprises"] == 1
    assert [row["position"] for row in rows["results"]] == [0, 1, 2]

    assert client.get(f"{URL}{run['id']}/rows/").json()["count"] == 3  # the first table by default
    units = client.get(f"{URL}{run['id']}/rows/", {"table": "by_unit"}).json()
    assert sorted(row["values"][0] for row in units["results"]) == ["内蒙古科技大学", "包头医学院"]


def test_people_without_a_platform_account_are_counted_by_name_and_unit(officer, owner, start):
    sem = InstrumentFactory(unit=owner, commissioned_on=dt.date(2020, 5, 1))
    for name in ("李娜", "王强", "李娜"):
        record = service(sem, day=(4, 1), hours="1", user_unit=owner)
        ServiceRecordFactory._meta.model.objects.filter(pk=record.pk).update(user=None, user_name=name)
    client = client_for(officer)
    run = finished(client, start(client))
    figures = {f["key"]: f["value"] for f in run["result"]["figures"]}
    assert figures["internal_users"] == 2


def test_rows_come_in_pages(officer, instruments, start):
    client = client_for(officer)
    run = finished(client, start(client))
    first = client.get(f"{URL}{run['id']}/rows/", {"table": "instruments", "page_size": 2}).json()
    second = client.get(f"{URL}{run['id']}/rows/", {"table": "instruments", "page_size": 2, "page": 2}).json()
    assert [r["position"] for r in first["results"]] == [0, 1]
    assert [r["position"] for r in second["results"]] == [2]
    assert first["next"] and second["next"] is None


def test_the_same_parameters_give_the_same_checksum(officer, instruments, start):
    client = client_for(officer)
    first, second = finished(client, start(client)), finished(client, start(client))
    assert first["id"] != second["id"]
    assert first["checksum"] == second["checksum"]


def test_a_custom_period_takes_its_last_day_inclusive(officer, instruments, start):
    client = client_for(officer)
    run = finished(client, start(client, period_kind="custom", year=None, start="2025-03-01", end="2025-03-09"))
    assert run["period"]["last_day"] == "2025-03-09"
    stored = ReportRun.objects.get(pk=run["id"])
    assert stored.period_end == dt.date(2025, 3, 10)
    figures = {f["key"]: f["value"] for f in run["result"]["figures"]}
    assert figures["effective_hours"] == "10.50"  # both services of 2 and 9 March


def test_a_unit_administrator_starts_and_sees_only_the_units_runs(
    officer, unit_admin, owner, other_unit, instruments, start
):
    client = client_for(unit_admin)
    mine = finished(client, start(client, scope_kind="unit", scope_id=owner.pk))
    assert (mine["status"], mine["scope"]["label"]) == ("done", "内蒙古科技大学")
    platform_run = start(client_for(officer)).json()
    other_run = start(client_for(officer), scope_kind="unit", scope_id=other_unit.pk).json()

    listed = client.get(URL).json()
    assert [r["id"] for r in listed["results"]] == [mine["id"]]
    for run in (platform_run, other_run):
        for path in (f"{URL}{run['id']}/", f"{URL}{run['id']}/rows/"):
            answer = client.get(path)
            assert answer.status_code == 404
            assert answer.json()["code"] == "not_found"

    refused = start(client, scope_kind="unit", scope_id=other_unit.pk)
    assert refused.status_code == 400
    assert "scope_id" in refused.json()["fields"]
    assert start(client).status_code == 400  # the whole platform is the bureau's


def test_the_bureau_sees_every_run(officer, unit_admin, owner, instruments, start):
    start(client_for(unit_admin), scope_kind="unit", scope_id=owner.pk)
    start(client_for(officer))
    assert client_for(officer).get(URL).json()["count"] == 2


@pytest.mark.parametrize("who", ["enterprise_user", "manager"])
def test_anyone_else_sees_no_run_and_cannot_start_one(who, officer, owner, enterprise, instruments, start):
    user = member_of(enterprise) if who == "enterprise_user" else member_of(owner, role="manager")
    run = start(client_for(officer)).json()
    client = client_for(user)
    assert client.get(URL).json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(f"{URL}{run['id']}/").status_code == 404
    assert client.get(f"{URL}{run['id']}/rows/").status_code == 404
    assert start(client, scope_kind="unit", scope_id=owner.pk).status_code == 404
    assert ReportRun.objects.count() == 1


def test_an_anonymous_caller_is_refused(officer, instruments, start):
    run = start(client_for(officer)).json()
    client = client_for()
    for answer in (client.get(URL), client.get(f"{URL}{run['id']}/"), start(client)):
        assert answer.status_code in (401, 403)
        assert answer.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 9999}, "year"),
        ({"year": 1999}, "year"),
        ({"year": None}, "year"),
        ({"period_kind": "month"}, "month"),
        ({"period_kind": "month", "month": 13}, "month"),
        ({"period_kind": "quarter", "quarter": 5}, "quarter"),
        ({"period_kind": "custom", "start": "2025-03-01"}, "end"),
        ({"period_kind": "custom", "end": "2025-03-01"}, "start"),
        ({"period_kind": "custom", "start": "2025-03-09", "end": "2025-03-01"}, "end"),
        ({"period_kind": "custom", "start": "2019-01-01", "end": "2025-03-01"}, "end"),
        ({"period_kind": "custom", "start": "1999-12-01", "end": "2000-01-31"}, "start"),
        ({"period_kind": "custom", "start": "2025-03-01T09:00", "end": "2025-03-09"}, "start"),
        ({"period_kind": "custom", "start": "2025-02-30", "end": "2025-03-09"}, "start"),
        ({"period_kind": "week"}, "period_kind"),
        ({"kind": "x" * 5000}, "kind"),
        ({"scope_kind": "unit"}, "scope_id"),
        ({"scope_kind": "unit", "scope_id": 2**63 - 1}, "scope_id"),
        ({"scope_kind": "unit", "scope_id": 2**64}, "scope_id"),
        ({"scope_kind": "galaxy", "scope_id": 1}, "scope_kind"),
        ({"kind": "data_pack", "scope_kind": "instrument", "scope_id": 0}, "scope_id"),
    ],
)
def test_a_request_that_breaks_a_rule_is_refused_beside_its_field(officer, body, field, start):
    answer = start(client_for(officer), **body)
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "invalid"
    assert field in answer.json()["fields"], answer.json()
    assert not ReportRun.objects.exists()


def test_a_data_pack_is_for_a_unit_or_the_platform(officer, instruments, start):
    sem = instruments[0]
    answer = start(client_for(officer), kind="data_pack", scope_kind="instrument", scope_id=sem.pk)
    assert answer.status_code == 400
    assert "scope_kind" in answer.json()["fields"]


@pytest.mark.parametrize("path", ["99999999999999999999999/", "0/", "12345/", "12345/rows/"])
def test_a_run_that_does_not_exist_is_not_found(officer, path):
    answer = client_for(officer).get(URL + path)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_a_table_the_run_does_not_have_is_not_found_and_a_malformed_one_refused(officer, instruments, start):
    client = client_for(officer)
    run = finished(client, start(client))
    missing = client.get(f"{URL}{run['id']}/rows/", {"table": "no_such_table"})
    assert missing.status_code == 404
    assert "no such table" in missing.json()["detail"] or "没有" in missing.json()["detail"]
    malformed = client.get(f"{URL}{run['id']}/rows/", {"table": "Bad Table!"})
    assert malformed.status_code == 400
    assert "table" in malformed.json()["fields"]
    assert client.get(f"{URL}{run['id']}/rows/", {"page": ""}).status_code == 404


def test_a_running_run_shows_its_live_progress(officer):
    run = ReportRun.objects.create(
        kind="utilisation",
        period_kind="year",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 1, 1),
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now(),
        created_by=officer,
    )
    job_progress_set(run, done=2, total=5)
    ReportRun.objects.filter(pk=run.pk).update(progress=0)  # as a worker inside its transaction leaves the row
    client = client_for(officer)
    detail = client.get(f"{URL}{run.pk}/").json()
    assert (detail["status"], detail["progress"], detail["checksum"]) == ("running", 40, "")
    assert detail["result"] == {"figures": [], "tables": [], "charts": [], "errors": [], "notes": []}
    assert client.get(URL).json()["results"][0]["progress"] == 40
    assert client.get(f"{URL}{run.pk}/rows/").status_code == 404  # no tables before it is done


def test_a_failed_run_says_why(officer):
    run = ReportRun.objects.create(
        kind="utilisation",
        period_kind="year",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 1, 1),
        status=ReportRun.Status.FAILED,
        error="数据库不可用",
    )
    detail = client_for(officer).get(f"{URL}{run.pk}/").json()
    assert (detail["status"], detail["error"]) == ("failed", "数据库不可用")


@pytest.mark.parametrize("viewer", ["officer", "unit_admin"])
def test_the_list_takes_the_same_queries_for_one_run_and_for_fifty(viewer, officer, unit_admin, owner):
    user = officer if viewer == "officer" else unit_admin
    InstrumentFactory(unit=owner)  # a unit that shares instruments: its administrators read its reports
    client = client_for(user)

    def queries(n):
        ReportRun.objects.all().delete()
        for _ in range(n):
            ReportRun.objects.create(
                kind="utilisation",
                period_kind="year",
                period_start=dt.date(2025, 1, 1),
                period_end=dt.date(2026, 1, 1),
                scope_kind="unit",
                scope_id=owner.pk,
                scope_label=owner.name,
                status=ReportRun.Status.DONE,
                created_by=officer,
            )
        client.get(URL)  # the viewer's permissions are read once per user and cached
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(URL)
        assert answer.json()["count"] == n
        return len(captured)

    assert queries(1) == queries(50)
