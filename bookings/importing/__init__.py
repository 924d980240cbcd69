"""Spreadsheet import of service records (.xlsx or .csv), on the instrument import's pipeline.

``columns`` is the file format (the template's Chinese headers and the words of its choices),
``rows`` turns the rows of a streamed ``instruments.importing.Sheet`` into the keyword arguments
of ``service_record_create``, chunk by chunk. The services (start, confirm, cancel) and the work
of the Celery tasks (dry run, write) are in ``bookings.services.imports``.
"""

from .columns import COLUMNS, FUNDING, PURPOSES, SERVICE_WAYS, template_csv
from .rows import CHUNK_SIZE, LIST_CAP, RowParser, Summary

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "FUNDING",
    "LIST_CAP",
    "PURPOSES",
    "SERVICE_WAYS",
    "RowParser",
    "Summary",
    "template_csv",
]
