"""The notes the booking services write themselves ("confirmed at once", an outage's cancellation)
were stored already translated, in the language of whoever caused them, so every reader saw them in
that language. They are now stored as keys and shown in the reader's language
(``bookings.models.event_note``); this rewrites the stored ones, in booking events and in the
bookings' history. The labels are frozen here as they were written up to this migration."""

import re

from django.db import migrations

CONFIRMED_AT_ONCE = "confirmed at once"
WRITTEN_CONFIRMED = ("无需审批，已直接确认", "confirmed at once (no approval needed)")
KINDS = {
    "maintenance": ("维护保养", "Maintenance"),
    "repair": ("维修", "Repair"),
    "calibration": ("校准", "Calibration"),
    "other": ("其他", "Other"),
}
LABEL_TO_KIND = {label: kind for kind, labels in KINDS.items() for label in labels}
WRITTEN_OUTAGE = re.compile(r"^(?:停机（(?P<zh>[^）]+)）：|Outage \((?P<en>[^)]+)\): )(?P<reason>.*)$", re.S)


def as_key(text):
    """The key of a note written by a service, or None for a person's own reason."""
    if text in WRITTEN_CONFIRMED:
        return CONFIRMED_AT_ONCE
    match = WRITTEN_OUTAGE.match(text)
    kind = match and LABEL_TO_KIND.get(match.group("zh") or match.group("en"))
    return f"outage {kind}: {match.group('reason')}" if kind else None


def to_keys(apps, schema_editor):
    BookingEvent = apps.get_model("bookings", "BookingEvent")
    changed = []
    for event in BookingEvent.objects.exclude(reason="").only("pk", "reason").iterator(chunk_size=2000):
        key = as_key(event.reason)
        if key is not None:
            event.reason = key
            changed.append(event)
    BookingEvent.objects.bulk_update(changed, ["reason"], batch_size=1000)

    HistoricalBooking = apps.get_model("bookings", "HistoricalBooking")
    changed = []
    rows = HistoricalBooking.objects.filter(history_change_reason__contains=": ").only("pk", "history_change_reason")
    for row in rows.iterator(chunk_size=2000):
        head, _sep, rest = row.history_change_reason.partition(": ")
        key = as_key(rest)
        if key is not None:
            row.history_change_reason = f"{head}: {key}"[:100]
            changed.append(row)
    HistoricalBooking.objects.bulk_update(changed, ["history_change_reason"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0007_slothold_instrument_ends")]

    operations = [migrations.RunPython(to_keys, migrations.RunPython.noop)]
