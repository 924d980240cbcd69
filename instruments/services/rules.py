"""The registry's rules, shared by the services, the forms and the spreadsheet import."""

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.addresses import strip_area_prefix

from ..exceptions import RowsInvalid
from ..models import FeeItem, Instrument, OpeningHours

RECORD_FIELDS = (
    "asset_number",
    "name",
    "name_en",
    "category",
    "source",
    "customs_supervised",
    "original_value",
    "country_of_origin",
    "manufacturer",
    "model",
    "commissioned_on",
    "technical_indicators",
    "functions",
    "subject_areas",
    "service_content",
    "typical_results",
    "operating_status",
    "sharing_mode",
    "sharing_rules",
    "reference_fees",
    "province",
    "city",
    "district",
    "street_address",
    "contact_person",
    "contact_phone",
    "contact_email",
)
# How the bookings app treats the instrument.
BOOKING_FIELDS = (
    "needs_approval",
    "min_slot_minutes",
    "max_slot_minutes",
    "min_lead_hours",
    "max_advance_days",
    "cancel_deadline_hours",
)
INSTRUMENT_FIELDS = RECORD_FIELDS + BOOKING_FIELDS
FEE_ITEM_FIELDS = ("name", "basis", "internal_price", "external_price")
OPENING_HOURS_FIELDS = ("weekday", "opens", "closes")

MAX_SUBJECT_AREAS = 4
SUBJECT_AREA_SEPARATORS = re.compile(r"[;；,，、\n]+")

# Operating status is a description, not a workflow: any status may follow any other, but a
# retired instrument keeps the one it had.
OPERATING_STATUS_TRANSITIONS = {
    status: {other for other in Instrument.OperatingStatus if other != status} for status in Instrument.OperatingStatus
}

# History change reasons are stored as language-neutral keys ("updated+fee_items: text") and
# labelled in the reader's language when shown (see selectors.REASON_LABELS).
REASON_MAX_LENGTH = 100
_CENT = Decimal("0.01")


# --- Rules (shared with the forms) ------------------------------------------------------------


def validate_subject_areas(value: str) -> str:
    """Up to four disciplines separated by ；(or ; , 、); returns them joined by ；."""
    areas = [part.strip() for part in SUBJECT_AREA_SEPARATORS.split(value or "") if part.strip()]
    if len(areas) > MAX_SUBJECT_AREAS:
        raise ValidationError(
            _("Give at most %(max)d subject areas; you gave %(n)d. Keep the main ones.")
            % {"max": MAX_SUBJECT_AREAS, "n": len(areas)},
            code="too_many_subject_areas",
        )
    return "；".join(areas)


def validate_slot_range(min_slot_minutes, max_slot_minutes) -> None:
    """The longest booking may not be shorter than the shortest one."""
    if min_slot_minutes is not None and max_slot_minutes is not None and max_slot_minutes < min_slot_minutes:
        raise ValidationError(
            _("The longest booking (%(max)d min) is shorter than the shortest booking (%(min)d min).")
            % {"max": max_slot_minutes, "min": min_slot_minutes},
            code="slot_range",
        )


def normalise_asset_number(value: str) -> str:
    """An asset number as stored and matched: full-width forms folded (NFKC), no spaces, so
    "ZC２０２３ 001" typed one year and "ZC2023001" the next are the same instrument."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


def street_address_once(instrument: Instrument) -> str:
    """The street as stored: without a leading repeat of the record's own province, city and
    district ("包头市昆都仑区示范路1号" under 包头市 / 昆都仑区 → "示范路1号"), which the page
    shows from their fields. Only names the record holds are taken off, so nothing is lost."""
    district = instrument.district.name if instrument.district_id else ""
    return strip_area_prefix(instrument.street_address, [instrument.province, instrument.city, district])


def validate_asset_number(*, unit, asset_number: str, instrument_pk=None) -> None:
    """An asset number is unique within its unit: it is the key for re-imports."""
    taken = Instrument.objects.filter(unit=unit, asset_number=asset_number)
    if instrument_pk is not None:
        taken = taken.exclude(pk=instrument_pk)
    if asset_number and taken.exists():
        raise ValidationError(
            _("Your unit already has an instrument with asset number %(number)s. Check the number or edit that record.")
            % {"number": asset_number},
            code="duplicate_asset_number",
        )


def clean_fee_items(rows: list[dict]) -> list[FeeItem]:
    """Unsaved fee items built from rows of {name, basis, internal_price, external_price[, id]}.

    Prices are yuan with two decimals and not negative. Raises ``RowsInvalid`` naming each wrong row.
    """
    items, errors = [], {}
    for index, row in enumerate(rows):
        item = FeeItem(**{name: row[name] for name in FEE_ITEM_FIELDS if name in row})
        item.pk = row.get("id") or None
        try:
            item.full_clean(exclude=["instrument"], validate_unique=False)
        except ValidationError as err:
            errors[index] = err
        else:
            for price in ("internal_price", "external_price"):
                setattr(item, price, getattr(item, price).quantize(_CENT))
        items.append(item)
    if errors:
        raise RowsInvalid("fee_items", errors)
    return items


def clean_opening_hours(rows: list[dict]) -> list[OpeningHours]:
    """Unsaved weekly opening periods from rows of {weekday, opens, closes}.

    Each period closes after it opens, and periods of the same day do not overlap (one may start
    when the previous ends). Raises ``RowsInvalid`` naming each wrong row.
    """
    periods, errors = [], {}
    for index, row in enumerate(rows):
        period = OpeningHours(**{name: row[name] for name in OPENING_HOURS_FIELDS if name in row})
        try:
            period.full_clean(exclude=["instrument"], validate_constraints=False)
            if period.closes <= period.opens:
                raise ValidationError(
                    {
                        "closes": ValidationError(
                            _("The closing time must be later than the opening time (%(opens)s)."),
                            params={"opens": f"{period.opens:%H:%M}"},
                            code="closes_before_opens",
                        )
                    }
                )
        except ValidationError as err:
            errors[index] = err
        periods.append(period)
    errors.update(_overlap_errors(periods, skip=set(errors)))
    if errors:
        raise RowsInvalid("opening_hours", errors)
    return periods


def _overlap_errors(periods: list[OpeningHours], *, skip: set[int]) -> dict[int, ValidationError]:
    """Periods that start before an earlier period of the same day has closed, by row index."""
    by_day = defaultdict(list)
    for index, period in enumerate(periods):
        if index not in skip:
            by_day[period.weekday].append((period.opens, period.closes, index))
    errors = {}
    for day, day_periods in by_day.items():
        day_periods.sort()
        reach = None  # the period reaching furthest into the day so far
        for opens, closes, index in day_periods:
            if reach is not None and opens < reach[1]:
                message = ValidationError(
                    _("This period overlaps %(day)s %(opens)s–%(closes)s."),
                    params={
                        "day": OpeningHours.Weekday(day).label,
                        "opens": f"{reach[0]:%H:%M}",
                        "closes": f"{reach[1]:%H:%M}",
                    },
                    code="overlap",
                )
                errors[index] = ValidationError({"opens": message})
            if reach is None or closes > reach[1]:
                reach = (opens, closes)
    return errors


# --- Helpers ----------------------------------------------------------------------------------
