"""Every write a person can make to bookings, outages and service records (re-exported here)."""

from .booking import BOOKING_TRANSITIONS, booking_request, booking_transition
from .decisions import (
    booking_approve,
    booking_cancel,
    booking_complete,
    booking_no_show,
    booking_reject,
    booking_send_reminders,
)
from .feeds import calendar_token_get, calendar_token_reset
from .imports import (
    service_record_import_apply,
    service_record_import_cancel,
    service_record_import_confirm,
    service_record_import_progress,
    service_record_import_start,
    service_record_import_validate,
)
from .outage import outage_create, outage_validate, outage_withdraw
from .records import (
    service_record_correct_amount,
    service_record_create,
    service_record_mark_paid,
    service_record_rate,
)

__all__ = [
    "BOOKING_TRANSITIONS",
    "booking_approve",
    "booking_cancel",
    "booking_complete",
    "booking_no_show",
    "booking_reject",
    "booking_request",
    "booking_send_reminders",
    "booking_transition",
    "calendar_token_get",
    "calendar_token_reset",
    "outage_create",
    "outage_validate",
    "outage_withdraw",
    "service_record_correct_amount",
    "service_record_create",
    "service_record_import_apply",
    "service_record_import_cancel",
    "service_record_import_confirm",
    "service_record_import_progress",
    "service_record_import_start",
    "service_record_import_validate",
    "service_record_mark_paid",
    "service_record_rate",
]
