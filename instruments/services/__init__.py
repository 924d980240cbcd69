"""Every write a manager makes to the instrument registry, one function per use case.

``registry`` holds the services, ``classification`` the operator's class edits, ``rules`` the
checks they share with the forms and the import; all are re-exported here, so callers write
``from instruments import services``.
"""

from .classification import CATEGORY_FIELDS, category_update
from .registry import (
    instrument_create,
    instrument_retire,
    instrument_set_status,
    instrument_update,
    photo_add,
    photo_remove,
)
from .rules import (
    BOOKING_FIELDS,
    FEE_ITEM_FIELDS,
    INSTRUMENT_FIELDS,
    MAX_SUBJECT_AREAS,
    OPENING_HOURS_FIELDS,
    OPERATING_STATUS_TRANSITIONS,
    REASON_MAX_LENGTH,
    RECORD_FIELDS,
    clean_fee_items,
    clean_opening_hours,
    normalise_asset_number,
    street_address_once,
    validate_asset_number,
    validate_slot_range,
    validate_subject_areas,
)

__all__ = [
    "CATEGORY_FIELDS",
    "BOOKING_FIELDS",
    "FEE_ITEM_FIELDS",
    "INSTRUMENT_FIELDS",
    "MAX_SUBJECT_AREAS",
    "OPENING_HOURS_FIELDS",
    "OPERATING_STATUS_TRANSITIONS",
    "REASON_MAX_LENGTH",
    "RECORD_FIELDS",
    "clean_fee_items",
    "category_update",
    "clean_opening_hours",
    "instrument_create",
    "instrument_retire",
    "instrument_set_status",
    "instrument_update",
    "normalise_asset_number",
    "photo_add",
    "photo_remove",
    "street_address_once",
    "validate_asset_number",
    "validate_slot_range",
    "validate_subject_areas",
]
