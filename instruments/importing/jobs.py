"""The import of a spreadsheet as a job: upload, dry run, confirm (or cancel), write.

States (``ImportJob.Status``): validating → validated → importing → done; validated → cancelled;
validating or importing → failed. The dry run and the write are Celery tasks that record their
progress on the job, so a 10,000-row file never holds a web request.

Confirming writes every valid row **in one transaction** and skips the rows with errors (they are
listed in the report). The rows are checked again at confirm time, so a registry changed since
the dry run is judged as it is now. Inside that transaction the job row cannot show progress to
other connections, so progress is also kept in the cache, which the status page reads first
(``core.jobs``: the background-job base that holds the status steps and the progress).
"""

import logging
import os

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.jobs import (
    job_enqueue,
    job_mark_failed,
    job_mark_finished,
    job_mark_started,
    job_progress,
    job_progress_set,
    percent_of,
)
from members.models import Unit
from members.permissions import is_unit_manager

from ..models import ImportJob
from .columns import is_header_row
from .readers import Sheet, SheetError
from .rows import CHUNK_SIZE, RowChecker, Summary, chunked, write_results

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 100,000 full rows of CSV fit; bigger files are split
MAX_ROWS = 100_000
ACTIVE = ImportJob.ACTIVE_STATUSES


# --- The one way in ----------------------------------------------------------------------------


def import_job_get(*, unit: Unit, pk) -> ImportJob:
    """An import of a unit reached through ``selectors.unit_get_for_instrument_manager``."""
    job = ImportJob.objects.filter(unit=unit, pk=pk).first()
    if job is None:
        raise Http404
    return job


def import_job_list(*, unit: Unit):
    return ImportJob.objects.filter(unit=unit).select_related("created_by")


# --- Services ----------------------------------------------------------------------------------


def import_job_start(*, actor, unit: Unit, uploaded_file, language: str | None = None) -> ImportJob:
    """Store an uploaded CSV/XLSX and queue its dry run; nothing in the registry changes."""
    if not is_unit_manager(actor, unit):
        raise PermissionDenied(_("You cannot manage this unit's instruments."))
    name = os.path.basename(uploaded_file.name or "")
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise DomainError(_("Upload the filled template as .xlsx or .csv."))
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB; split it into several files.") % {"mb": MAX_UPLOAD_BYTES >> 20}
        )
    with transaction.atomic():
        job = ImportJob(
            unit=unit,
            created_by=actor,
            original_name=name[:200],
            status=ImportJob.Status.VALIDATING,
            report={"language": language or get_language()},
        )
        job.file.save(name, uploaded_file, save=False)
        job.full_clean()
        job.save()
        _enqueue("validate", job)
    return job


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Queue the write of a checked file's valid rows, by this user."""
    if not is_unit_manager(actor, job.unit):
        raise PermissionDenied(_("You cannot manage this unit's instruments."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("unit").get(pk=job.pk)
        if job.status != ImportJob.Status.VALIDATED:
            raise DomainError(_("This import is not waiting for confirmation."))
        if not (job.to_create or job.to_update):
            raise DomainError(_("There is nothing to write: every row is unchanged or has errors."))
        report = {
            **job.report,
            "confirmed_by": actor.pk,
            "confirmed_at": timezone.now().isoformat(),
            "dry_run": {"create": job.to_create, "update": job.to_update, "errors": job.error_count},
        }
        job_mark_started(job, to=ImportJob.Status.IMPORTING, actor=actor, report=report, processed_rows=0)
        _enqueue("apply", job)
    return job


def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Drop a checked file without writing it."""
    if not is_unit_manager(actor, job.unit):
        raise PermissionDenied(_("You cannot manage this unit's instruments."))
    return spreadsheet_cancel(job=job, actor=actor)


def spreadsheet_cancel(*, job, actor):
    """Drop a checked file of any ``SpreadsheetImport`` (the caller checked who may)."""
    try:
        job_mark_finished(job, to=job.Status.CANCELLED, actor=actor)
    except InvalidTransition as err:
        raise DomainError(_("Only an import waiting for confirmation can be cancelled.")) from err
    return job


def spreadsheet_enqueue(job, task) -> None:
    """Queue a ``SpreadsheetImport``'s task on commit; a broker that is down fails the job with a message."""
    job_enqueue(
        job,
        task,
        error=_("The import could not be started (the task queue is unavailable). Upload the file again."),
    )


def _enqueue(step: str, job: ImportJob):
    from .. import tasks

    spreadsheet_enqueue(job, tasks.import_validate_task if step == "validate" else tasks.import_apply_task)


# --- The work the tasks do ---------------------------------------------------------------------


def import_job_validate(*, job_id: int) -> ImportJob | None:
    """The dry run: check every row and record what would happen. Idempotent."""
    job = ImportJob.objects.select_related("unit").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.VALIDATING:
        return job
    job_mark_started(job)
    with override(job.report.get("language")):
        try:
            summary, checker = _run(job, write=None)
        except SheetError as err:
            return job_mark_failed(job, error=err.message)
        except Exception:
            logger.exception("The dry run of import %s failed", job.pk)
            return job_mark_failed(job, error=_("The file could not be checked because of an internal error."))
    try:
        job_mark_finished(job, to=ImportJob.Status.VALIDATED, **_stored(job, summary, checker))
    except InvalidTransition:  # a second delivery of the task finished first
        job.refresh_from_db()
    return job


def import_job_apply(*, job_id: int) -> ImportJob | None:
    """Write every valid row of a confirmed import in one transaction. Idempotent: a job that is
    no longer ``importing`` is left alone, and a failed run leaves nothing behind."""
    User = get_user_model()
    first = ImportJob.objects.filter(pk=job_id).first()
    if first is None or first.status != ImportJob.Status.IMPORTING:
        return first
    with override(first.report.get("language")):
        try:
            with transaction.atomic():
                job = ImportJob.objects.select_for_update().select_related("unit").get(pk=job_id)
                if job.status != ImportJob.Status.IMPORTING:
                    return job
                actor = User.objects.filter(pk=job.report.get("confirmed_by")).first()
                if actor is None or not is_unit_manager(actor, job.unit):
                    raise DomainError(_("The person who confirmed this import may no longer manage the unit."))
                summary, checker = _run(
                    job, write=lambda results: write_results(results, actor=actor, file_name=job.original_name)
                )
                job_mark_finished(job, to=ImportJob.Status.DONE, actor=actor, **_stored(job, summary, checker))
        except (SheetError, DomainError) as err:
            return job_mark_failed(first, error=err.message)
        except DatabaseError:
            logger.exception("Import %s was rolled back", job_id)
            return job_mark_failed(
                first,
                error=_(
                    "Nothing was imported: the registry changed while the file was being written. Upload it again."
                ),
            )
    return job


def _run(job: ImportJob, *, write):
    """Read the job's file chunk by chunk, check (and, with ``write``, write) each chunk."""
    summary = Summary()
    with job.file.open("rb"), Sheet(job.file.file, is_header=is_header_row) as sheet:
        checker = RowChecker(unit=job.unit, header_cells=sheet.header, skipped_rows=sheet.skipped_rows)
        total = sheet.count_rows()
        if total > MAX_ROWS:
            raise SheetError(
                _("The file has %(rows)s rows; import at most %(max)s at a time.") % {"rows": total, "max": MAX_ROWS}
            )
        _progress(job, 0, total)
        for chunk in chunked(sheet.rows(), CHUNK_SIZE):
            results = checker.check(chunk)
            for result in results:
                summary.add(result, checker.headers)
            if write is not None:
                write(results)
            _progress(job, summary.rows, total)
    return summary, checker


def _stored(job: ImportJob, summary: Summary, checker: RowChecker) -> dict:
    """The fields a finished run saves on the job: counts and the report."""
    return {
        "total_rows": summary.rows,
        "processed_rows": summary.rows,
        "to_create": summary.create,
        "to_update": summary.update,
        "error_count": summary.error_rows,
        "report": _report(job, summary, checker),
    }


def _report(job: ImportJob, summary: Summary, checker: RowChecker) -> dict:
    return {
        **job.report,
        "columns": [header for _index, _column, header in checker.columns],
        "ignored_columns": checker.ignored,
        "skipped_rows": checker.skipped_rows,
        "notes": summary.notes,
        "note_total": summary.note_total,
        "missing_columns": [c.header for c in checker.missing_required],
        "unchanged": summary.unchanged,
        "error_total": summary.error_total,
        "created": summary.created,
        "updated": summary.updated,
        "errors": summary.errors,
    }


# --- Progress ----------------------------------------------------------------------------------


def _progress(job: ImportJob, processed: int, total: int):
    """Rows done of the file's rows, visible to the status page at once (``core.jobs``)."""
    job_progress_set(job, done=processed, total=total, processed_rows=processed, total_rows=total)


def spreadsheet_progress(job, **extra) -> dict:
    """What the status page of any ``SpreadsheetImport`` and its JSON show: state, row counts and
    the progress of a running step, plus the job kind's own ``extra`` counts."""
    state = job_progress(job)
    processed, total = state.get("processed_rows", job.processed_rows), state.get("total_rows", job.total_rows)
    return {
        **state,
        "processed_rows": processed,
        "total_rows": total,
        "percent": percent_of(processed, total) if state["running"] and total else state["percent"],
        "to_create": job.to_create,
        "error_rows": job.error_count,
        **extra,
    }


def import_job_progress(job: ImportJob) -> dict:
    """The instrument import's status: ``spreadsheet_progress`` with updates and unchanged rows."""
    return spreadsheet_progress(job, to_update=job.to_update, unchanged=job.report.get("unchanged", 0))
