"""Importing service records from a spreadsheet as a background job: the dry run writes nothing and
reports errors by row; confirming writes every valid row; cancel; who may; 10,000 rows; progress."""

import csv
import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from openpyxl import Workbook

from bookings import importing, services
from bookings.exceptions import DomainError, PermissionDenied
from bookings.models import ServiceRecord, ServiceRecordImport
from bookings.services import imports as import_services
from tests.factories import UnitFactory

from .conftest import local_dt
from .factories import InstrumentFactory, member_of

pytestmark = pytest.mark.django_db

HEADER = [h for _f, h, _r in importing.COLUMNS]
Status = ServiceRecordImport.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
        "服务用途": "",
        "付款日期": "",
    }
    values.update(overrides)
    return [values[h] for h in HEADER]


def csv_file(rows, name="records.csv", header=None):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADER)
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


def start(callbacks, *, actor, unit, upload):
    """Upload and run the dry run (the task runs eagerly when the upload commits)."""
    with callbacks(execute=True):
        job = services.service_record_import_start(actor=actor, unit=unit, uploaded_file=upload, language="en")
    job.refresh_from_db()
    return job


def confirm(callbacks, *, actor, job):
    with callbacks(execute=True):
        services.service_record_import_confirm(actor=actor, job=job)
    job.refresh_from_db()
    return job


def test_the_dry_run_writes_nothing_and_confirming_writes_every_row(
    instrument, manager, enterprise, django_capture_on_commit_callbacks
):
    upload = csv_file([row(instrument.asset_number)] * 2)
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=upload)
    assert (job.status, job.total_rows, job.to_create, job.error_count, job.progress) == (
        Status.VALIDATED,
        2,
        2,
        0,
        100,
    )
    assert job.started_at is not None and job.finished_at is None  # waiting for confirmation
    assert not ServiceRecord.objects.exists()  # the dry run wrote nothing

    job = confirm(django_capture_on_commit_callbacks, actor=manager, job=job)
    assert (job.status, job.created_count, job.progress) == (Status.DONE, 2, 100)
    assert job.finished_at is not None
    record = ServiceRecord.objects.first()
    assert (record.hours, record.amount, record.user_unit, record.is_external) == (
        Decimal("3.00"),
        Decimal("1200.00"),
        enterprise,
        True,
    )
    assert record.started_at == local_dt(date(2030, 1, 5), 9)  # the platform's time zone
    assert [h.history_change_reason for h in job.history.order_by("history_id")][-2:] == ["importing", "done"]
    with pytest.raises(DomainError):
        services.service_record_import_confirm(actor=manager, job=job)


def test_errors_are_reported_by_row_and_confirming_writes_only_the_valid_rows(
    instrument, manager, django_capture_on_commit_callbacks
):
    upload = xlsx_file(
        [
            row(instrument.asset_number),
            row("NO-SUCH"),
            row(instrument.asset_number, 服务方式="随便"),
            row(instrument.asset_number, 收费金额="100"),  # differs from the fee items without a reason
            row(instrument.asset_number, 开始时间="明天", 测量机时="两小时"),
            row(instrument.asset_number, 样品数="4"),
        ]
    )
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=upload)
    assert (job.status, job.total_rows, job.to_create, job.error_count) == (Status.VALIDATED, 6, 2, 4)
    errors = [(e["row"], e["column"]) for e in job.report["errors"]]
    assert errors == [(3, "资产编号"), (4, "服务方式"), (5, ""), (6, "开始时间"), (6, "测量机时")]
    assert "give a reason" in job.report["errors"][2]["message"]
    assert not ServiceRecord.objects.exists()

    job = confirm(django_capture_on_commit_callbacks, actor=manager, job=job)
    assert (job.status, job.created_count, job.error_count) == (Status.DONE, 2, 4)
    assert ServiceRecord.objects.count() == 2


def test_a_cancelled_import_writes_nothing_and_cannot_be_confirmed(
    instrument, manager, django_capture_on_commit_callbacks
):
    upload = csv_file([row(instrument.asset_number)])
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=upload)
    services.service_record_import_cancel(actor=manager, job=job)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.finished_at is not None
    with pytest.raises(DomainError, match="not waiting for confirmation"):
        services.service_record_import_confirm(actor=manager, job=job)
    with pytest.raises(DomainError, match="Only an import waiting"):
        services.service_record_import_cancel(actor=manager, job=job)
    assert not ServiceRecord.objects.exists()


def test_only_the_units_managers_start_and_confirm(instrument, manager, django_capture_on_commit_callbacks):
    outsider = member_of(instrument.unit)  # a plain member does not manage the unit
    with pytest.raises(PermissionDenied):
        services.service_record_import_start(
            actor=outsider, unit=instrument.unit, uploaded_file=csv_file([row(instrument.asset_number)])
        )
    job = start(
        django_capture_on_commit_callbacks,
        actor=manager,
        unit=instrument.unit,
        upload=csv_file([row(instrument.asset_number)]),
    )
    with pytest.raises(PermissionDenied):
        services.service_record_import_confirm(actor=outsider, job=job)
    with pytest.raises(PermissionDenied):
        services.service_record_import_cancel(actor=outsider, job=job)
    job.refresh_from_db()
    assert job.status == Status.VALIDATED


def test_the_pages_of_an_import_are_404_for_someone_who_does_not_manage_its_unit(
    client, instrument, manager, django_capture_on_commit_callbacks
):
    job = start(
        django_capture_on_commit_callbacks,
        actor=manager,
        unit=instrument.unit,
        upload=csv_file([row(instrument.asset_number)]),
    )
    other_manager = member_of(UnitFactory(), role="manager")
    client.force_login(other_manager)
    assert client.get(reverse("bookings:record_import_review", args=[job.pk])).status_code == 404
    assert client.get(reverse("bookings:record_import_status", args=[job.pk])).status_code == 404
    response = client.post(reverse("bookings:record_import_review", args=[job.pk]), {"confirm": "1"})
    assert response.status_code == 404
    # Nor can they upload into a unit they do not manage: the form offers only their own units.
    response = client.post(
        reverse("bookings:record_import"),
        {"unit": instrument.unit.pk, "file": csv_file([row(instrument.asset_number)])},
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert ServiceRecordImport.objects.count() == 1
    job.refresh_from_db()
    assert job.status == Status.VALIDATED


def test_a_file_without_the_columns_fails_with_a_message(instrument, manager, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=upload)
    assert job.status == Status.FAILED and "missing" in job.error and "资产编号" in job.error
    assert job.finished_at is not None


def test_a_broker_that_is_down_fails_the_job(instrument, manager, django_capture_on_commit_callbacks, monkeypatch):
    from bookings import tasks

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.service_record_import_validate_task, "delay", down)
    job = start(
        django_capture_on_commit_callbacks,
        actor=manager,
        unit=instrument.unit,
        upload=csv_file([row(instrument.asset_number)]),
    )
    assert job.status == Status.FAILED and "task queue is unavailable" in job.error


def test_each_step_runs_once_even_if_delivered_twice(instrument, manager, django_capture_on_commit_callbacks):
    upload = csv_file([row(instrument.asset_number)])
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=upload)
    assert services.service_record_import_validate(job_id=job.pk).status == Status.VALIDATED
    job = confirm(django_capture_on_commit_callbacks, actor=manager, job=job)
    assert services.service_record_import_apply(job_id=job.pk).status == Status.DONE
    assert ServiceRecord.objects.count() == 1


def test_ten_thousand_rows_go_through_the_tasks(owner_unit, manager, django_capture_on_commit_callbacks):
    instruments = [InstrumentFactory(unit=owner_unit, asset_number=f"SEM-{n:03d}") for n in range(10)]
    rows = [row(instruments[n % 10].asset_number) for n in range(10_000)]
    rows[4321] = row(instruments[0].asset_number, 结束时间="后天")
    upload = csv_file(rows, name="ten-thousand.csv")
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=owner_unit, upload=upload)
    assert job.status == Status.VALIDATED, job.error
    assert (job.total_rows, job.to_create, job.error_count) == (10_000, 9_999, 1)
    assert job.report["errors"][0]["row"] == 4323
    assert services.service_record_import_progress(job)["percent"] == 100

    job = confirm(django_capture_on_commit_callbacks, actor=manager, job=job)
    assert job.status == Status.DONE, job.error
    assert (job.created_count, job.processed_rows) == (9_999, 10_000)
    assert services.service_record_import_progress(job)["percent"] == 100
    assert ServiceRecord.objects.count() == 9_999


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_from_another_connection_while_a_job_runs(instrument, manager, monkeypatch):
    """Another connection (a second web process) polls the job while the task works: it sees the
    rows done so far, in the dry run and inside the write's one long transaction."""
    monkeypatch.setattr(import_services, "CHUNK_SIZE", 2)
    seen = {"validating": [], "importing": []}
    real_create = import_services.service_record_create

    def observe():
        try:
            polled = ServiceRecordImport.objects.get()  # read through this thread's own connection
            state = services.service_record_import_progress(polled)
            seen[polled.status].append((state["processed_rows"], state["total_rows"]))
        finally:
            connections.close_all()

    def spy(**kwargs):
        poller = threading.Thread(target=observe)
        poller.start()
        poller.join(timeout=30)
        return real_create(**kwargs)

    monkeypatch.setattr(import_services, "service_record_create", spy)
    upload = csv_file([row(instrument.asset_number)] * 5)
    job = services.service_record_import_start(actor=manager, unit=instrument.unit, uploaded_file=upload)
    job.refresh_from_db()
    assert job.status == Status.VALIDATED, job.error
    services.service_record_import_confirm(actor=manager, job=job)
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert seen["validating"] == [(0, 5), (0, 5), (2, 5), (2, 5), (4, 5)]
    assert seen["importing"] == [(0, 5), (0, 5), (2, 5), (2, 5), (4, 5)]
    assert ServiceRecord.objects.count() == 5


def test_the_page_flow_upload_review_with_polling_then_confirm(
    client, instrument, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    upload = csv_file([row(instrument.asset_number)] * 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bookings:record_import"), {"unit": instrument.unit.pk, "file": upload})
    job = ServiceRecordImport.objects.get()
    review = reverse("bookings:record_import_review", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == review

    status = client.get(reverse("bookings:record_import_status", args=[job.pk])).json()
    assert (status["status"], status["running"], status["percent"], status["to_create"]) == ("validated", False, 100, 3)
    page = client.get(review)
    assert page.status_code == 200 and page.context["can_confirm"]
    assert not ServiceRecord.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review, {"confirm": "1"})
    assert response.status_code == 302
    status = client.get(reverse("bookings:record_import_status", args=[job.pk])).json()
    assert (status["status"], status["created_count"], status["percent"]) == ("done", 3, 100)
    assert ServiceRecord.objects.count() == 3
    assert not client.get(review).context["can_confirm"]


def test_a_running_import_page_polls_its_progress(client, instrument, manager):
    job = ServiceRecordImport.objects.create(
        unit=instrument.unit,
        created_by=manager,
        original_name="big.csv",
        file="imports/x/big.csv",
        status=Status.IMPORTING,
        total_rows=10_000,
        processed_rows=2_500,
    )
    client.force_login(manager)
    html = client.get(reverse("bookings:record_import_review", args=[job.pk])).content.decode()
    assert '<progress id="import-progress" max="100" value="25"' in html
    assert reverse("bookings:record_import_status", args=[job.pk]) in html
    assert 'http-equiv="refresh"' in html  # without JavaScript the page refreshes itself


def test_the_template_downloads(client, manager):
    client.force_login(manager)
    response = client.get(reverse("bookings:record_import_template"))
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and text.splitlines()[0] == ",".join(HEADER)
