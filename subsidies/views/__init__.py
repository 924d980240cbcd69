"""Pages of the subsidies app: each view parses input, calls one service or selector, and renders."""

from .applications import application_action, application_detail, apply, index
from .edit import application_edit, evidence_remove, evidence_upload
from .evidence import evidence_file
from .provider import line_action, provider_queue
from .public import notice, statement
from .redemptions import redemption_create, redemption_detail, redemption_list, redemption_submit
from .vouchers import voucher_apply, voucher_detail, voucher_list

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
    "redemption_create",
    "redemption_detail",
    "redemption_list",
    "redemption_submit",
    "statement",
    "voucher_apply",
    "voucher_detail",
    "voucher_list",
]
