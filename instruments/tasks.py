"""Celery tasks of the instruments app: thin wrappers around the import steps.

Each takes a job id and calls a service in ``instruments.importing``; both steps are idempotent
(they act only on a job in the matching state), so a redelivered task does no harm.
"""

from celery import shared_task

from . import importing


@shared_task(acks_late=True)
def import_validate_task(job_id: int) -> str | None:
    """The dry run of an uploaded spreadsheet."""
    job = importing.import_job_validate(job_id=job_id)
    return job.status if job else None


@shared_task(acks_late=True)
def import_apply_task(job_id: int) -> str | None:
    """The confirmed write of a checked spreadsheet, in one transaction."""
    job = importing.import_job_apply(job_id=job_id)
    return job.status if job else None


@shared_task(acks_late=True)
def search_documents_refresh_task() -> int:
    """Nightly: rebuild search documents that no longer match their record.

    The members app cannot call this app when a unit is renamed (layers), so the owner unit's
    name reaches the search documents here; only rows whose document changed are written.
    """
    from .invalidation import catalogue_changed
    from .models import Instrument
    from .search import search_documents_refresh

    changed = search_documents_refresh(Instrument.objects.active())
    if changed:
        catalogue_changed()  # written in bulk: no signals; the search finds other instruments now
    return changed
