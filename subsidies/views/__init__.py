"""Pages of the subsidies app: each view parses input, calls one service or selector, and renders."""

from .applications import application_action, application_detail, apply, index
from .edit import application_edit, evidence_remove, evidence_upload
from .evidence import evidence_file
from .provider import line_action, provider_queue
from .public import notice, statement

__all__ = [
    "application_action",
    "application_detail",
    "application_edit",
    "apply",
    "evidence_file",
    "evidence_remove",
    "evidence_upload",
    "index",
    "line_action",
    "notice",
    "provider_queue",
    "statement",
]
