"""The run task: transient database errors are retried, anything else fails the run with its
reason, a run that keeps dying is given up, and runs left "running" by a lost task are failed."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.test import TestCase
from django.utils import timezone

from reports import services
from reports.models import ReportRun
from reports.periods import period_year
from reports.tasks import MAX_RETRIES, report_run_task

pytestmark = pytest.mark.django_db


def queued_run() -> ReportRun:
    return ReportRun.objects.create(
        kind="platform", period_kind="year", period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 1, 1)
    )


def test_a_transient_database_error_is_retried_and_the_run_finishes(monkeypatch):
    real = services.runs.report_run_execute
    calls = []

    def flaky(*, run_id):
        calls.append(run_id)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(run_id=run_id)

    monkeypatch.setattr(services, "report_run_execute", flaky)
    run = queued_run()
    report_run_task.apply(args=[run.pk])
    run.refresh_from_db()
    assert len(calls) == 3
    assert run.status == ReportRun.Status.DONE and run.checksum


def test_a_database_that_stays_down_fails_the_run_with_the_reason(monkeypatch):
    def down(*, run_id):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "report_run_execute", down)
    run = queued_run()
    report_run_task.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "could not connect to server" in run.error
    assert MAX_RETRIES >= 3


def test_a_run_that_keeps_dying_is_given_up_after_the_attempts():
    run = queued_run()
    ReportRun.objects.filter(pk=run.pk).update(attempts=services.MAX_ATTEMPTS, status=ReportRun.Status.RUNNING)
    services.report_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert str(services.MAX_ATTEMPTS) in run.error


def test_a_finished_run_is_not_computed_again():
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.report_run_start(actor=None, kind="platform", period=period_year(2025))
    run.refresh_from_db()
    finished_at, checksum = run.finished_at, run.checksum
    report_run_task.apply(args=[run.pk])  # a redelivered message
    run.refresh_from_db()
    assert (run.finished_at, run.checksum, run.attempts) == (finished_at, checksum, 1)


def test_runs_left_running_by_a_lost_task_are_failed_with_the_reason():
    stale, fresh = queued_run(), queued_run()
    ReportRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=7))
    assert services.report_runs_fail_stale(older_than=timezone.now() - dt.timedelta(hours=6)) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ReportRun.Status.FAILED and "任务丢失" in stale.error  # the platform language: Chinese
    assert fresh.status == ReportRun.Status.QUEUED


def test_a_run_reads_on_a_session_tuned_for_aggregates_and_leaves_it_as_it_was(postgres, monkeypatch, settings):
    """While a run computes, its connection has the report's work_mem and no JIT; afterwards the
    worker's connection is back to the server's settings for the next task."""
    settings.REPORTS_WORK_MEM = "48MB"

    def show(name):
        with postgres.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    before = (show("work_mem"), show("jit"))
    seen = []
    real = services.runs.compute_function

    def watching(kind):
        def compute(ctx):
            seen.append((show("work_mem"), show("jit")))
            return real(kind)(ctx)

        return compute

    monkeypatch.setattr(services.runs, "compute_function", watching)
    run = queued_run()
    services.report_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert seen == [("48MB", "off")]
    assert (show("work_mem"), show("jit")) == before != ("48MB", "off")
