"""Bookings of instrument time, outages, the slot holds that keep them apart, and service records.

A slot of an instrument is held by a ``SlotHold`` row: one per booking that holds its slot
(requested or approved) and one per outage in force. Bookings and outages keep their own rows;
the hold row exists exactly while the range is held, so one PostgreSQL exclusion constraint on
the hold table (added by migration 0002, PostgreSQL only) keeps bookings apart from each other
and from outages. On SQLite the booking service checks and inserts inside one IMMEDIATE
transaction.
"""

from .booking import (
    CONFIRMED_AT_ONCE,
    OUTAGE_NOTE,
    Booking,
    BookingEvent,
    BookingQuerySet,
    Outage,
    OutageQuerySet,
    SlotHold,
    SlotHoldQuerySet,
    event_note,
)
from .choices import HOURS, FundingSource, ServicePurpose, ServiceWay
from .other import CalendarFeedToken, ServiceRecordImport, import_file_path, new_feed_token
from .records import ChosenService, ServiceRecord, ServiceRecordQuerySet

__all__ = [
    "CONFIRMED_AT_ONCE",
    "OUTAGE_NOTE",
    "event_note",
    "HOURS",
    "Booking",
    "BookingEvent",
    "BookingQuerySet",
    "CalendarFeedToken",
    "ChosenService",
    "FundingSource",
    "Outage",
    "OutageQuerySet",
    "ServiceRecord",
    "ServiceRecordImport",
    "ServicePurpose",
    "ServiceRecordQuerySet",
    "ServiceWay",
    "SlotHold",
    "SlotHoldQuerySet",
    "import_file_path",
    "new_feed_token",
]
