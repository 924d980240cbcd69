"""The import as Celery tasks: a real worker on Redis, 10,000 rows, progress while writing,
idempotent steps, and a broker that is down."""

from unittest import mock

import pytest

from instruments import importing
from instruments.importing import jobs as import_jobs
from instruments.models import ImportJob, Instrument
from tests.conftest import wait_for
from tests.instruments.import_fixtures import (
    confirm,
    csv_upload,
    ensure_classification,
    good_row,
    table,
    upload_and_check,
)


@pytest.fixture(autouse=True)
def classification(db):
    ensure_classification()


@pytest.mark.celery_worker
def test_a_real_worker_checks_and_writes_an_import(celery_worker, unit, manager):
    """Published to Redis, consumed by a worker thread: the page would poll the job row."""
    rows = [good_row(n) for n in range(1, 21)] + [good_row(21, original_value="坏")]
    job = importing.import_job_start(actor=manager, unit=unit, uploaded_file=csv_upload(table(rows)), language="en")

    assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.VALIDATING, timeout=60)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED, job.error
    assert (job.total_rows, job.processed_rows, job.to_create, job.error_count) == (21, 21, 20, 1)
    assert not Instrument.objects.exists()

    importing.import_job_confirm(actor=manager, job=job)
    assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.IMPORTING, timeout=60)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert Instrument.objects.filter(unit=unit).count() == 20


@pytest.mark.django_db
def test_ten_thousand_rows_go_through_the_tasks(unit, manager, django_capture_on_commit_callbacks):
    rows = [good_row(n) for n in range(1, 10_001)]
    rows[4321]["commissioned_on"] = "去年"
    job = upload_and_check(
        actor=manager,
        unit=unit,
        upload=csv_upload(table(rows), name="ten-thousand.csv"),
        callbacks=django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.VALIDATED, job.error
    assert (job.total_rows, job.to_create, job.error_count) == (10_000, 9_999, 1)
    assert job.report["errors"][0]["row"] == 4323
    assert len(job.report["created"]) == 500  # listed rows are capped, the counts are not

    job = confirm(actor=manager, job=job, callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.error
    assert Instrument.objects.filter(unit=unit).count() == 9_999
    assert Instrument.history.count() == 9_999
    assert not Instrument.objects.filter(search_document="").exists()


@pytest.mark.django_db
def test_progress_is_visible_while_the_write_transaction_is_open(
    unit, manager, monkeypatch, django_capture_on_commit_callbacks
):
    """The job row cannot show progress from inside the transaction; the cache does."""
    monkeypatch.setattr(import_jobs, "CHUNK_SIZE", 2)
    job = upload_and_check(
        actor=manager,
        unit=unit,
        upload=csv_upload(table([good_row(n) for n in range(1, 6)])),
        callbacks=django_capture_on_commit_callbacks,
    )
    seen = []
    real_write = import_jobs.write_results

    def spy(results, **kwargs):
        seen.append(importing.import_job_progress(ImportJob.objects.get(pk=job.pk))["processed_rows"])
        return real_write(results, **kwargs)

    monkeypatch.setattr(import_jobs, "write_results", spy)
    job = confirm(actor=manager, job=job, callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert seen == [0, 2, 4]
    assert importing.import_job_progress(job)["percent"] == 100


@pytest.mark.django_db
def test_each_step_runs_once_even_if_delivered_twice(unit, manager, django_capture_on_commit_callbacks):
    job = upload_and_check(
        actor=manager, unit=unit, upload=csv_upload(table([good_row(1)])), callbacks=django_capture_on_commit_callbacks
    )
    assert importing.import_job_validate(job_id=job.pk).status == ImportJob.Status.VALIDATED
    job = confirm(actor=manager, job=job, callbacks=django_capture_on_commit_callbacks)
    again = importing.import_job_apply(job_id=job.pk)
    assert again.status == ImportJob.Status.DONE
    assert Instrument.objects.count() == 1
    assert Instrument.history.count() == 1


@pytest.mark.django_db
def test_a_broker_that_is_down_fails_the_job_with_a_message(unit, manager, django_capture_on_commit_callbacks):
    with mock.patch("instruments.tasks.import_validate_task.delay", side_effect=ConnectionError("redis down")):
        job = upload_and_check(
            actor=manager,
            unit=unit,
            upload=csv_upload(table([good_row(1)])),
            callbacks=django_capture_on_commit_callbacks,
        )
    assert job.status == ImportJob.Status.FAILED
    assert "task queue is unavailable" in job.error
