"""Bulk import of a unit's instruments from the spreadsheet template (CSV or XLSX).

``columns`` is the file format (shared with ``instruments.exporting``), ``readers`` streams the
rows of an upload, ``rows`` checks and writes them chunk by chunk, ``jobs`` holds the services
(start, confirm, cancel) and the work of the Celery tasks (dry run, write).
"""

from .columns import COLUMNS, REGISTRY_COLUMNS, Column
from .jobs import (
    import_job_apply,
    import_job_cancel,
    import_job_confirm,
    import_job_get,
    import_job_list,
    import_job_progress,
    import_job_start,
    import_job_validate,
)
from .readers import Sheet, SheetError

__all__ = [
    "COLUMNS",
    "REGISTRY_COLUMNS",
    "Column",
    "Sheet",
    "SheetError",
    "import_job_apply",
    "import_job_cancel",
    "import_job_confirm",
    "import_job_get",
    "import_job_list",
    "import_job_progress",
    "import_job_start",
    "import_job_validate",
]
