"""Report runs on real Celery workers and real Redis: progress seen rising while a run goes on, and a
worker killed mid-run (SIGKILL) whose run is computed again to the same checksum as an undisturbed one.

Each step of a run pauses ``REPORTS_STEP_PAUSE`` seconds here, so a run lasts long enough to be
watched and to be killed in the middle."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from core.jobs import job_progress, progress_key
from reports.models import ReportRun
from reports.periods import period_year
from reports.services import report_run_start
from tests.bookings.factories import InstrumentFactory, ServiceRecordFactory
from tests.conftest import reset_celery_connections, wait_for
from tests.factories import UnitFactory

ROOT = Path(__file__).resolve().parents[2]
TZ = dt.timezone(dt.timedelta(hours=8))
PAUSE = 1.5  # seconds per progress step: the utilisation report has four


def some_use():
    """Two units' instruments used in 2025, one service across midnight and one across a month's end."""
    owner, other = UnitFactory(name="内蒙古科技大学"), UnitFactory(name="包头稀宝新材料科技有限公司")
    instruments = [InstrumentFactory(unit=owner, commissioned_on=dt.date(2020, 1, 1)) for _ in range(3)]
    starts = [dt.datetime(2025, m, 10, 9, tzinfo=TZ) for m in range(1, 13)]
    starts += [dt.datetime(2025, 3, 4, 22, tzinfo=TZ), dt.datetime(2025, 4, 30, 20, tzinfo=TZ)]
    for n, start in enumerate(starts):
        hours = Decimal(2 + n % 5)
        ServiceRecordFactory(
            instrument=instruments[n % 3],
            started_at=start,
            ended_at=start + dt.timedelta(hours=int(hours)),
            measurement_hours=hours,
            hours=hours,
            user_unit=other if n % 2 else owner,
            user_unit_name=(other if n % 2 else owner).name,
            is_external=bool(n % 2),
            amount=Decimal(400 * int(hours)) if n % 2 else Decimal(0),
        )


def finished(run_id: int, timeout: float = 90) -> ReportRun:
    assert wait_for(lambda: not ReportRun.objects.get(pk=run_id).is_active, timeout=timeout, interval=0.2)
    return ReportRun.objects.get(pk=run_id)


@pytest.mark.celery_worker
def test_a_run_on_a_real_worker_shows_its_progress_rising_and_ends_with_a_checksum(celery_worker, settings):
    settings.REPORTS_STEP_PAUSE = PAUSE
    some_use()
    run = report_run_start(actor=None, kind="utilisation", period=period_year(2025))

    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        current = ReportRun.objects.get(pk=run.pk)
        if not current.is_active:
            break
        if current.status == ReportRun.Status.RUNNING:
            percent = job_progress(current)["percent"]
            if not seen or seen[-1] != percent:
                seen.append(percent)
        time.sleep(0.1)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert len(run.checksum) == 64 and run.row_count > 0
    assert len(set(seen)) >= 3, seen  # 0, 40, 60, 80 while it ran
    assert seen == sorted(seen), seen
    assert job_progress(run)["percent"] == 100


# --- A worker process killed mid-run ---------------------------------------------------------------


def pool_children(pid: int) -> list[int]:
    """The processes a worker forked (its pool), read from /proc (psutil is not installed)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(child) for child in task.read_text().split()]
    return children


@pytest.fixture
def worker_process(postgres, transactional_db, django_db_serialized_rollback, redis_url, settings, tmp_path):
    """A real ``celery worker`` process (prefork pool, one child) on the test database and on Redis;
    tasks published by this process go to it. Yields (worker Popen, the worker's log file)."""
    from platform_site.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=redis_url, task_always_eager=False, result_backend=None)
    reset_celery_connections(app)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # no stale messages from an earlier run
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    database_url = f"postgres://{db['USER'] or 'postgres'}@{host}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REPORTS_STEP_PAUSE": str(PAUSE),
        "CONN_MAX_AGE": "0",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    log = tmp_path / "worker.log"
    command = [
        str(Path(sys.executable).parent / "celery"),
        *("-A", "platform_site", "worker", "--pool=prefork", "-c", "1", "--loglevel=INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", f"--logfile={log}"),
    ]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        ready = wait_for(lambda: log.exists() and "ready." in log.read_text(), timeout=60, interval=0.2)
        assert ready, log.read_text() if log.exists() else "the worker wrote no log"
        yield worker, log
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        app.conf.update(saved)
        reset_celery_connections(app)


@pytest.mark.celery_worker
@pytest.mark.postgres
def test_a_run_whose_worker_is_killed_mid_run_finishes_on_retry_with_the_same_checksum(worker_process, redis_url):
    worker, log = worker_process
    some_use()
    progress_cache = RedisCache(redis_url, {})  # where the worker records progress inside its transaction
    run = report_run_start(actor=None, kind="utilisation", period=period_year(2025))

    def mid_run():
        current = ReportRun.objects.get(pk=run.pk)
        return (
            current.status == ReportRun.Status.RUNNING
            and (progress_cache.get(progress_key(current)) or {}).get("progress", 0) >= 40
        )

    assert wait_for(mid_run, timeout=60, interval=0.1), log.read_text()
    children = pool_children(worker.pid)
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)

    interrupted = finished(run.pk)
    assert interrupted.status == ReportRun.Status.DONE, (interrupted.error, log.read_text())
    assert interrupted.attempts == 2  # the killed attempt and the one that finished
    assert "SIGKILL" in log.read_text() or "signal 9" in log.read_text()
    assert worker.poll() is None  # the worker itself lives on, with a new pool child

    again = finished(report_run_start(actor=None, kind="utilisation", period=period_year(2025)).pk)
    assert again.status == ReportRun.Status.DONE, again.error
    assert again.attempts == 1
    assert len(interrupted.checksum) == 64
    assert interrupted.checksum == again.checksum
    assert interrupted.row_count == again.row_count
    assert list(interrupted.rows.values_list("table", "position", "values")) == list(
        again.rows.values_list("table", "position", "values")
    )
