"""The background-job base (core.jobs): status steps through the transitions map, start and finish
times, the error text of a failure, progress that other connections can read, a broker that is down.

The concrete job here is the instrument import (the lowest app with one); the base knows nothing
of imports.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from core import jobs
from core.exceptions import InvalidTransition
from instruments.models import ImportJob
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = ImportJob.Status


@pytest.fixture
def job():
    return ImportJob.objects.create(
        unit=UnitFactory(), created_by=UserFactory(), original_name="a.csv", file="imports/x/a.csv"
    )


def test_an_illegal_step_is_refused_and_changes_nothing(job):
    with translation.override("en"), pytest.raises(InvalidTransition, match="cannot become"):
        jobs.job_mark_finished(job, to=Status.DONE)  # checking → done skips the confirmation
    job.refresh_from_db()
    assert (job.status, job.progress, job.finished_at) == (Status.VALIDATING, 0, None)


def test_starting_and_finishing_set_the_times_and_the_progress(job):
    jobs.job_mark_started(job)
    job.refresh_from_db()
    started = job.started_at
    assert started is not None and job.progress == 0

    jobs.job_mark_finished(job, to=Status.VALIDATED, to_create=3)
    job.refresh_from_db()
    assert (job.status, job.progress, job.to_create) == (Status.VALIDATED, 100, 3)
    assert job.finished_at is None  # waiting for confirmation is a pause, not the end

    jobs.job_mark_started(job, to=Status.IMPORTING, actor=job.created_by)
    jobs.job_mark_finished(job, to=Status.DONE, actor=job.created_by)
    job.refresh_from_db()
    assert job.started_at == started  # the work first began then
    assert job.finished_at >= started and job.is_final and not job.is_active
    reasons = list(job.history.order_by("history_id").values_list("history_change_reason", "history_user"))
    assert reasons == [(None, None), ("validated", None), ("importing", job.created_by.pk), ("done", job.created_by.pk)]


def test_a_failure_keeps_its_error_text_and_a_finished_job_stays_finished(job):
    jobs.job_mark_started(job)
    failed = jobs.job_mark_failed(job, error="The file is damaged.")
    assert (failed.status, failed.error) == (Status.FAILED, "The file is damaged.")
    assert failed.finished_at is not None
    assert jobs.job_progress(failed)["error"] == "The file is damaged."

    again = jobs.job_mark_failed(job, error="Something else.")  # no longer active: left alone
    assert (again.status, again.error) == (Status.FAILED, "The file is damaged.")


def test_progress_inside_a_transaction_is_read_from_the_cache(job):
    with transaction.atomic():
        assert jobs.job_progress_set(job, done=30, total=120, processed_rows=30) == 25
        # The row is not touched inside the transaction; a fresh copy (another request) reads
        # the progress from the cache while the job is active.
        assert ImportJob.objects.filter(pk=job.pk).values_list("progress", flat=True).get() == 0
        state = jobs.job_progress(ImportJob.objects.get(pk=job.pk))
        assert (state["percent"], state["processed_rows"], state["running"]) == (25, 30, True)


def test_progress_outside_a_transaction_is_written_to_the_row_as_well(job, monkeypatch):
    class NotInTransaction:
        in_atomic_block = False

    monkeypatch.setattr(jobs.transaction, "get_connection", lambda using=None: NotInTransaction())
    jobs.job_progress_set(job, done=1, total=4, processed_rows=1)
    cache.delete(jobs.progress_key(job))
    job.refresh_from_db()
    assert (job.progress, job.processed_rows) == (25, 1)


def test_a_broker_that_is_down_fails_the_job_instead_of_leaving_it_waiting(job, django_capture_on_commit_callbacks):
    class Down:
        name = "down"

        def delay(self, *args):
            raise ConnectionError("redis down")

    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_enqueue(job, Down(), error="Try again later.")
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "Try again later.")


def test_percent_of():
    assert [jobs.percent_of(d, t) for d, t in ((0, 10), (5, 10), (10, 10), (11, 10), (0, 0))] == [0, 50, 100, 100, 100]
