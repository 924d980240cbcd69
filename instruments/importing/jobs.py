"""The import of a spreadsheet as a job: upload, dry run, confirm (or cancel), write.

States (``ImportJob.Status``): validating → validated → importing → done; validated → cancelled;
validating or importing → failed. The dry run and the write are Celery tasks that record their
progress on the job, so a 10,000-row file never holds a web request.

Confirming writes every valid row **in one transaction** and skips the rows with errors (they are
listed in the report). The rows are checked again at confirm time, so a registry changed since
the dry run is judged as it is now. Inside that transaction the job row cannot show progress to
other connections, so progress is also kept in the cache, which the status page reads first.
"""

import logging
import os

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from core.exceptions import DomainError, PermissionDenied
from members.models import Unit
from members.permissions import is_unit_manager

from ..models import ImportJob
from .readers import Sheet, SheetError
from .rows import CHUNK_SIZE, RowChecker, Summary, chunked, write_results

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 100,000 full rows of CSV fit; bigger files are split
MAX_ROWS = 100_000
ACTIVE = (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)


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
        transaction.on_commit(lambda: _enqueue("validate", job))
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
        job.report = {
            **job.report,
            "confirmed_by": actor.pk,
            "confirmed_at": timezone.now().isoformat(),
            "dry_run": {"create": job.to_create, "update": job.to_update, "errors": job.error_count},
        }
        job.status = ImportJob.Status.IMPORTING
        job.processed_rows = 0
        job.save(update_fields=["report", "status", "processed_rows"])
        transaction.on_commit(lambda: _enqueue("apply", job))
    return job


def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Drop a checked file without writing it."""
    if not is_unit_manager(actor, job.unit):
        raise PermissionDenied(_("You cannot manage this unit's instruments."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.VALIDATED:
            raise DomainError(_("Only an import waiting for confirmation can be cancelled."))
        job.status = ImportJob.Status.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
    return job


def _enqueue(step: str, job: ImportJob):
    from ..tasks import import_apply_task, import_validate_task

    task = import_validate_task if step == "validate" else import_apply_task
    try:
        task.delay(job.pk)
    except Exception:  # the broker is down: say so on the job instead of leaving it spinning
        logger.exception("Could not queue the %s step of import %s", step, job.pk)
        _fail(job.pk, _("The import could not be started (the task queue is unavailable). Upload the file again."))


# --- The work the tasks do ---------------------------------------------------------------------


def import_job_validate(*, job_id: int) -> ImportJob | None:
    """The dry run: check every row and record what would happen. Idempotent."""
    job = ImportJob.objects.select_related("unit").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.VALIDATING:
        return job
    with override(job.report.get("language")):
        try:
            summary, checker = _run(job, write=None)
        except SheetError as err:
            return _fail(job.pk, err.message)
        except Exception:
            logger.exception("The dry run of import %s failed", job.pk)
            return _fail(job.pk, _("The file could not be checked because of an internal error."))
    _store(job, summary, checker)
    job.status = ImportJob.Status.VALIDATED
    job.save()
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
                _store(job, summary, checker)
                job.status = ImportJob.Status.DONE
                job.finished_at = timezone.now()
                job.save()
        except (SheetError, DomainError) as err:
            return _fail(job_id, err.message)
        except DatabaseError:
            logger.exception("Import %s was rolled back", job_id)
            return _fail(
                job_id,
                _("Nothing was imported: the registry changed while the file was being written. Upload it again."),
            )
    return job


def _run(job: ImportJob, *, write):
    """Read the job's file chunk by chunk, check (and, with ``write``, write) each chunk."""
    summary = Summary()
    with job.file.open("rb"), Sheet(job.file.file) as sheet:
        checker = RowChecker(unit=job.unit, header_cells=sheet.header)
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


def _store(job: ImportJob, summary: Summary, checker: RowChecker):
    job.total_rows = job.processed_rows = summary.rows
    job.to_create, job.to_update, job.error_count = summary.create, summary.update, summary.error_rows
    job.report = {
        **job.report,
        "columns": [header for _index, _column, header in checker.columns],
        "ignored_columns": checker.ignored,
        "missing_columns": [c.header for c in checker.missing_required],
        "unchanged": summary.unchanged,
        "error_total": summary.error_total,
        "created": summary.created,
        "updated": summary.updated,
        "errors": summary.errors,
    }
    cache.delete(progress_key(job.pk))


def _fail(job_id: int, message: str):
    ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
    )
    cache.delete(progress_key(job_id))
    return ImportJob.objects.filter(pk=job_id).first()


# --- Progress ----------------------------------------------------------------------------------


def progress_key(job_id: int) -> str:
    return f"instruments:import-progress:{job_id}"


def _progress(job: ImportJob, processed: int, total: int):
    cache.set(progress_key(job.pk), (processed, total), timeout=6 * 3600)
    if not connection.in_atomic_block:  # visible to the status page at once
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed, total_rows=total)


def import_job_progress(job: ImportJob) -> dict:
    """What the status page and its JSON show: state, counts and the progress of a running step."""
    processed, total = job.processed_rows, job.total_rows
    if job.status in ACTIVE:
        processed, total = cache.get(progress_key(job.pk)) or (processed, total)
    percent = min(100, round(100 * processed / total)) if total else (100 if job.status not in ACTIVE else 0)
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "running": job.status in ACTIVE,
        "processed_rows": processed,
        "total_rows": total,
        "percent": percent,
        "to_create": job.to_create,
        "to_update": job.to_update,
        "unchanged": job.report.get("unchanged", 0),
        "error_rows": job.error_count,
        "message": job.message,
    }
