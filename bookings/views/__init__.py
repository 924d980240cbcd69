"""Pages for booking instruments, the owner's queue, outages, service records and iCal feeds.

Each view parses input, calls one service or selector, and renders.
"""

from .booking_pages import booking_action, cancel, decide, detail, my_bookings, requests_queue
from .calendar import calendar
from .feeds import feed_instrument, feed_user, feeds
from .outages import outage_withdraw, outages
from .records import (
    record_correct_amount,
    record_create,
    record_detail,
    record_import,
    record_import_review,
    record_import_template,
    record_list,
    record_mark_paid,
)

__all__ = [
    "booking_action",
    "calendar",
    "cancel",
    "decide",
    "detail",
    "feed_instrument",
    "feed_user",
    "feeds",
    "my_bookings",
    "outage_withdraw",
    "outages",
    "record_create",
    "record_detail",
    "record_import",
    "record_import_review",
    "record_import_template",
    "record_list",
    "record_correct_amount",
    "record_mark_paid",
    "requests_queue",
]
