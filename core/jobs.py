"""The background-job base: a row that Celery tasks move through its states and on which they
record their progress, so a page can poll it while the work goes on (imports, report runs).

A concrete job subclasses ``BackgroundJob`` (``class Meta(BackgroundJob.Meta)``), may declare its
own ``Status`` choices and ``status`` field, and must give its ``TRANSITIONS`` map,
``ACTIVE_STATUSES`` (the work is queued or going on) and ``FAILED_STATUS``. Every status step goes
through ``core.transitions.transition``; add ``HistoricalRecords`` to keep a history row per step.

Progress is a percentage. A task that writes inside one long transaction cannot show a changed
row to other connections before it commits, so progress goes to the cache (shared by every
process when Redis is configured) and, when no transaction is open, to the row as well; a status
page reads the cache first while the job is active.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator
from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .broker import task_publish
from .exceptions import InvalidTransition
from .transitions import transition

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 6 * 3600  # seconds a running job's progress stays in the cache


class BackgroundJob(models.Model):
    """Status, progress 0–100, times, error text and who started it; abstract."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED, Status.CANCELLED},
        Status.RUNNING: {Status.DONE, Status.FAILED},
    }
    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    FAILED_STATUS = Status.FAILED

    status = models.CharField(
        gettext_lazy("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        gettext_lazy("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    error = models.TextField(gettext_lazy("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("started by"),
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="%(app_label)s_%(class)s_progress_0_100"),
        ]

    @property
    def is_active(self) -> bool:
        """The work is queued or going on: progress comes from the cache."""
        return self.status in type(self).ACTIVE_STATUSES

    @property
    def is_final(self) -> bool:
        """No step leads out of the status (done, failed, cancelled)."""
        return not type(self).TRANSITIONS.get(self.status)


# --- Progress ----------------------------------------------------------------------------------


def progress_key(job) -> str:
    return f"jobs:{job._meta.label_lower}:{job.pk}:progress"


def percent_of(done: int, total: int) -> int:
    """``done`` of ``total`` as a whole percentage, 0–100 (100 for nothing to do)."""
    if total <= 0:
        return 100
    return max(0, min(100, (100 * done) // total))


def job_progress_set(job: BackgroundJob, *, done: int, total: int, **counts) -> int:
    """Record that ``done`` of ``total`` steps are finished, with any count fields of the job
    (``processed_rows=…``), so other connections see them at once. Returns the percentage.

    Inside an open transaction the row is left alone (its update would stay invisible until the
    commit and would hold the row's lock); the cache carries the progress meanwhile.
    """
    values = {"progress": percent_of(done, total), **counts}
    for name, value in values.items():
        setattr(job, name, value)
    cache.set(progress_key(job), values, PROGRESS_TIMEOUT)
    model = type(job)
    if not transaction.get_connection(router.db_for_write(model)).in_atomic_block:
        model._default_manager.filter(pk=job.pk).update(**values)
    return values["progress"]


def job_progress_clear(job: BackgroundJob) -> None:
    cache.delete(progress_key(job))


def job_live_values(job: BackgroundJob) -> dict:
    """The progress and counts last recorded for an active job (cache first, then the row)."""
    values = {"progress": job.progress}
    if job.is_active:
        values.update(cache.get(progress_key(job)) or {})
    return values


def job_progress(job: BackgroundJob) -> dict:
    """What a status page and its JSON show: state, percentage, error and times, plus the counts
    recorded with the progress while the job is active."""
    values = job_live_values(job)
    return {
        **values,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "running": job.is_active,
        "percent": values["progress"],
        "error": job.error,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


# --- Steps -------------------------------------------------------------------------------------


def job_mark_started(job: BackgroundJob, *, to=None, actor=None, reason: str = "", **changes) -> BackgroundJob:
    """The work of ``job`` begins: progress 0, no error, ``started_at`` set the first time.

    With ``to``, the job steps into that (active) status through its ``TRANSITIONS`` map; without
    it, the job was created in its active status and only the start is noted.
    """
    changes = {"progress": 0, "error": "", **changes}
    if job.started_at is None:
        changes["started_at"] = timezone.now()
    if to is None:
        if not job.is_active:
            raise InvalidTransition(_("Only an active job can start its work."))
        for name, value in changes.items():
            setattr(job, name, value)
        type(job)._default_manager.filter(pk=job.pk).update(**changes)
    else:
        transition(job, to=to, actor=actor, reason=reason, **changes)
    job_progress_clear(job)
    return job


def job_mark_finished(job: BackgroundJob, *, to, actor=None, reason: str = "", **changes) -> BackgroundJob:
    """A run of the work has finished: step to ``to`` with progress 100. ``finished_at`` is set
    when ``to`` is final (the map lets it go nowhere), not for a pause such as "waiting for
    confirmation"."""
    changes = {"progress": 100, **changes}
    if not type(job).TRANSITIONS.get(to):
        changes["finished_at"] = timezone.now()
    transition(job, to=to, actor=actor, reason=reason, **changes)
    # Until the commit, other connections still see the job active and read the cache.
    transaction.on_commit(lambda: job_progress_clear(job))
    return job


def job_mark_failed(job: BackgroundJob, *, error: str, actor=None) -> BackgroundJob:
    """The work failed: an active job becomes failed with the error text kept for the page.

    Idempotent and safe after a rollback: the row is read afresh, and a job that is no longer
    active (finished, cancelled, failed already) is returned unchanged.
    """
    model = type(job)
    fresh = model._default_manager.filter(pk=job.pk).first()
    if fresh is None or not fresh.is_active:
        return fresh
    try:
        transition(fresh, to=model.FAILED_STATUS, actor=actor, reason=error, error=error, finished_at=timezone.now())
    except InvalidTransition:  # it finished or failed in another process meanwhile
        fresh.refresh_from_db()
    transaction.on_commit(lambda: job_progress_clear(fresh))
    return fresh


def job_enqueue(job: BackgroundJob, task, *, error: str | None = None) -> None:
    """Queue ``task(job.pk)`` once the current transaction commits. If the broker cannot take
    it, the job fails with ``error`` instead of waiting forever; a broker that already failed in
    this request fails it at once (``core.broker.task_publish``)."""

    def send():
        try:
            task_publish(task, job.pk)
        except Exception:  # the broker is down: say so on the job instead of leaving it spinning
            logger.exception("Could not queue %s for %s %s", getattr(task, "name", task), job._meta.label, job.pk)
            job_mark_failed(job, error=error or _("The work could not be started: the task queue is unavailable."))

    transaction.on_commit(send)
