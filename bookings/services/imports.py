"""The import of a spreadsheet of service records as a job: upload, dry run, confirm (or cancel), write.

States (``ServiceRecordImport.Status``): validating → validated → importing → done; validated →
cancelled; validating or importing → failed. The dry run and the write are Celery tasks
(``bookings.tasks``) that record their progress on the job (``core.jobs``), so a 10,000-row file
never holds a web request.

Every row goes through ``service_record_create``, the service of the form: in the dry run inside
a transaction that is always rolled back, at confirmation for real. Confirming writes every valid
row **in one transaction** and skips the rows with errors (they are listed in the report); rows
are checked again then, so a record refused by a rule changed since the dry run is skipped too.
"""

import logging
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from core.jobs import (
    job_mark_failed,
    job_mark_finished,
    job_mark_started,
    job_progress_set,
)
from instruments.importing.jobs import (
    ALLOWED_EXTENSIONS,
    MAX_UPLOAD_BYTES,
    spreadsheet_cancel,
    spreadsheet_enqueue,
    spreadsheet_progress,
)
from instruments.importing.readers import Sheet, SheetError
from instruments.importing.rows import chunked
from members.models import Unit
from members.permissions import is_unit_manager

from ..exceptions import DomainError, InvalidTransition, PermissionDenied
from ..importing.columns import HEADERS
from ..importing.rows import CHUNK_SIZE, RowParser, Summary
from ..models import ServiceRecordImport
from .records import service_record_create

logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
Status = ServiceRecordImport.Status


def _require_manager(actor, unit: Unit):
    if not is_unit_manager(actor, unit):
        raise PermissionDenied(_("You cannot manage this unit's service records."))


# --- Services ----------------------------------------------------------------------------------


def service_record_import_start(
    *, actor, unit: Unit, uploaded_file, language: str | None = None
) -> ServiceRecordImport:
    """Store an uploaded CSV/XLSX and queue its dry run; no service record is written."""
    _require_manager(actor, unit)
    name = os.path.basename(uploaded_file.name or "")
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise DomainError(_("Upload an .xlsx or .csv file (see the template)."))
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB; split it into several files.") % {"mb": MAX_UPLOAD_BYTES >> 20}
        )
    with transaction.atomic():
        job = ServiceRecordImport(
            unit=unit,
            created_by=actor,
            original_name=name[:200],
            status=Status.VALIDATING,
            report={"language": language or get_language()},
        )
        job.file.save(name, uploaded_file, save=False)
        job.full_clean()
        job.save()
        _enqueue("validate", job)
    return job


def service_record_import_confirm(*, actor, job: ServiceRecordImport) -> ServiceRecordImport:
    """Queue the write of a checked file's valid rows, by this user."""
    _require_manager(actor, job.unit)
    with transaction.atomic():
        job = ServiceRecordImport.objects.select_for_update().select_related("unit").get(pk=job.pk)
        if job.status != Status.VALIDATED:
            raise DomainError(_("This import is not waiting for confirmation."))
        if not job.to_create:
            raise DomainError(_("There is nothing to write: every row has errors."))
        report = {
            **job.report,
            "confirmed_by": actor.pk,
            "confirmed_at": timezone.now().isoformat(),
            "dry_run": {"create": job.to_create, "errors": job.error_count},
        }
        job_mark_started(job, to=Status.IMPORTING, actor=actor, report=report, processed_rows=0)
        _enqueue("apply", job)
    return job


def service_record_import_cancel(*, actor, job: ServiceRecordImport) -> ServiceRecordImport:
    """Drop a checked file without writing it."""
    _require_manager(actor, job.unit)
    return spreadsheet_cancel(job=job, actor=actor)


def _enqueue(step: str, job: ServiceRecordImport):
    from .. import tasks

    task = tasks.service_record_import_validate_task if step == "validate" else tasks.service_record_import_apply_task
    spreadsheet_enqueue(job, task)


# --- The work the tasks do ---------------------------------------------------------------------


def service_record_import_validate(*, job_id: int) -> ServiceRecordImport | None:
    """The dry run: check every row with the real service, write nothing. Idempotent."""
    job = ServiceRecordImport.objects.select_related("unit", "created_by").filter(pk=job_id).first()
    if job is None or job.status != Status.VALIDATING:
        return job
    job_mark_started(job)
    with override(job.report.get("language")):
        try:
            if job.created_by is None or not is_unit_manager(job.created_by, job.unit):
                raise DomainError(_("The person who uploaded this file may no longer manage the unit."))
            summary, parser = _run(job, actor=job.created_by, write=False)
        except (SheetError, DomainError) as err:
            return job_mark_failed(job, error=err.message)
        except Exception:
            logger.exception("The dry run of service record import %s failed", job.pk)
            return job_mark_failed(job, error=_("The file could not be checked because of an internal error."))
    try:
        job_mark_finished(job, to=Status.VALIDATED, **_stored(job, summary, parser))
    except InvalidTransition:  # a second delivery of the task finished first
        job.refresh_from_db()
    return job


def service_record_import_apply(*, job_id: int) -> ServiceRecordImport | None:
    """Write every valid row of a confirmed import in one transaction. Idempotent: a job that is
    no longer ``importing`` is left alone, and a failed run leaves nothing behind."""
    first = ServiceRecordImport.objects.filter(pk=job_id).first()
    if first is None or first.status != Status.IMPORTING:
        return first
    with override(first.report.get("language")):
        try:
            with transaction.atomic():
                job = ServiceRecordImport.objects.select_for_update().select_related("unit").get(pk=job_id)
                if job.status != Status.IMPORTING:
                    return job
                actor = get_user_model().objects.filter(pk=job.report.get("confirmed_by")).first()
                if actor is None or not is_unit_manager(actor, job.unit):
                    raise DomainError(_("The person who confirmed this import may no longer manage the unit."))
                summary, parser = _run(job, actor=actor, write=True)
                stored = _stored(job, summary, parser)
                job_mark_finished(job, to=Status.DONE, actor=actor, created_count=summary.created, **stored)
        except (SheetError, DomainError) as err:
            return job_mark_failed(first, error=err.message)
        except DatabaseError:
            logger.exception("Service record import %s was rolled back", job_id)
            return job_mark_failed(
                first, error=_("Nothing was imported: the records changed while the file was being written.")
            )
    return job


def _run(job: ServiceRecordImport, *, actor, write: bool):
    """Read the job's file chunk by chunk; check each row through the service (and write it)."""
    summary = Summary()
    with job.file.open("rb"), Sheet(job.file.file) as sheet:
        parser = RowParser(unit=job.unit, header_cells=sheet.header)
        total = sheet.count_rows()
        if total > MAX_ROWS:
            raise SheetError(
                _("The file has %(rows)s rows; import at most %(max)s at a time.") % {"rows": total, "max": MAX_ROWS}
            )
        _progress(job, 0, total)
        for chunk in chunked(sheet.rows(), CHUNK_SIZE):
            rows = parser.parse(chunk)
            with transaction.atomic():
                for row in rows:
                    written = row.kwargs is not None and _create(row, actor=actor)
                    summary.add(row, written=written and write)
                if not write:
                    transaction.set_rollback(True)  # the dry run writes nothing
            _progress(job, summary.rows, total)
    return summary, parser


def _create(row, *, actor) -> bool:
    """One row through ``service_record_create`` (its own savepoint); a refused row keeps the error."""
    try:
        service_record_create(actor=actor, **row.kwargs)
    except ValidationError as err:
        row.fail("", "; ".join(err.messages))
    except DomainError as err:
        row.fail(HEADERS.get(err.field, ""), err.message)
    else:
        return True
    return False


def _stored(job: ServiceRecordImport, summary: Summary, parser: RowParser) -> dict:
    """The fields a finished run saves on the job: counts and the report."""
    return {
        "total_rows": summary.rows,
        "processed_rows": summary.rows,
        "to_create": summary.valid,
        "error_count": summary.error_rows,
        "report": {
            **job.report,
            "ignored_columns": parser.ignored,
            "error_total": summary.error_total,
            "errors": summary.errors,
        },
    }


# --- Progress ----------------------------------------------------------------------------------


def _progress(job: ServiceRecordImport, processed: int, total: int):
    job_progress_set(job, done=processed, total=total, processed_rows=processed, total_rows=total)


def service_record_import_progress(job: ServiceRecordImport) -> dict:
    """What the review page and its JSON show (``spreadsheet_progress``, with records created)."""
    return spreadsheet_progress(job, created_count=job.created_count)
