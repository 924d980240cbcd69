"""Reads of the instrument registry for managers: the one way in to a unit's instruments, the
unit's list with each record's completeness, and an instrument's change history.

(The public catalogue's search lives in ``instruments/catalogue.py``.)
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from members.models import District, Unit
from members.permissions import is_unit_manager

from .models import Category, FeeItem, Instrument, Photo
from .search import search_filter
from .services.rules import RECORD_FIELDS

# --- Access -----------------------------------------------------------------------------------


def unit_get_for_instrument_manager(*, user, pk) -> Unit:
    """A unit whose instruments the user manages; 404 alike for missing and not-yours."""
    unit = Unit.objects.with_related().filter(pk=pk).first()
    if unit is None or not is_unit_manager(user, unit):
        raise Http404
    return unit


def instrument_get_for_manager(*, user, pk) -> Instrument:
    """An instrument of a unit the user manages (retired ones too, for their history); the same
    404 whether it is missing, another unit's, or the unit is not approved."""
    instrument = Instrument.objects.with_related().filter(pk=pk).first()
    if instrument is None or not is_unit_manager(user, instrument.unit):
        raise Http404
    return instrument


def photo_get_for_manager(*, instrument: Instrument, pk) -> Photo:
    """A photo of an instrument the caller already reached through ``instrument_get_for_manager``."""
    photo = Photo.objects.filter(instrument=instrument, pk=pk).first()
    if photo is None:
        raise Http404
    photo.instrument = instrument
    return photo


# --- Completeness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordField:
    """One item of the national record (DOMAIN.md §3) and how to tell it is filled."""

    name: str
    label: str
    filled: Q | Exists | None  # None: the model requires it, so it is always filled


def _text(name):
    return ~Q(**{name: ""})


def _has_fee_items():
    return Exists(FeeItem.objects.filter(instrument=OuterRef("pk")))


def _has_photo():
    return Exists(Photo.objects.filter(instrument=OuterRef("pk")))


def record_fields() -> list[RecordField]:
    """The items of the national record in the order of DOMAIN.md §3."""
    label = lambda name: Instrument._meta.get_field(name).verbose_name  # noqa: E731
    optional = {
        "name_en": _text("name_en"),
        "subject_areas": _text("subject_areas"),
        "service_content": _text("service_content"),
        "typical_results": _text("typical_results"),
        "sharing_rules": _text("sharing_rules"),
        "reference_fees": _text("reference_fees") | Q(_has_fee_items()),
        "province": _text("province"),
        "city": _text("city"),
        "district": Q(district__isnull=False),
        "street_address": _text("street_address"),
        "contact_email": _text("contact_email"),
    }
    # Every other field of the record is required by the model, so "filled" needs no condition.
    required = [name for name in RECORD_FIELDS if name not in optional]
    items = [RecordField(name, label(name), None) for name in required]
    items += [RecordField(name, label(name), condition) for name, condition in optional.items()]
    items.append(RecordField("photo", _("photo"), Q(_has_photo())))
    return items


def _filled_expression():
    total = Value(0)
    for item in record_fields():
        if item.filled is None:
            total = total + Value(1)
        else:
            total = total + Case(When(item.filled, then=Value(1)), default=Value(0), output_field=IntegerField())
    return total


def with_completeness(queryset):
    """Annotate ``completeness``: the percentage of the national record's items filled in, computed
    by the database in the same query as the rows."""
    return queryset.annotate(
        completeness=ExpressionWrapper(_filled_expression() * 100 / len(record_fields()), output_field=IntegerField())
    )


def instrument_missing_fields(*, instrument: Instrument) -> list[str]:
    """Labels of the record's items still empty, for the edit page (one instrument, one query)."""
    missing = [item for item in record_fields() if item.filled is not None]
    flags = (
        Instrument.objects.filter(pk=instrument.pk)
        .annotate(
            **{f"has_{item.name}": ExpressionWrapper(Q(item.filled), output_field=BooleanField()) for item in missing}
        )
        .values(*(f"has_{item.name}" for item in missing))
        .first()
        or {}
    )
    return [item.label for item in missing if not flags.get(f"has_{item.name}")]


# --- Lists ------------------------------------------------------------------------------------


def instrument_list_for_unit(*, unit: Unit, retired: bool = False, query: str = ""):
    """The unit's instruments (in service, or the retired ones) with their completeness, newest
    first; one query whatever the number of rows. With a ``query``, only those the catalogue's
    free-text search finds (``search.search_filter``), title matches first.

    The value in 万元 is computed at the edge (``core.money.to_wan`` / the ``wan`` filter): a
    division in SQL would be integer division on SQLite (227.00 for 2,276,600.00 yuan)."""
    queryset = Instrument.objects.owned_by(unit).select_related("category")
    queryset = queryset.filter(retired_at__isnull=not retired)
    searched = search_filter(queryset, query)
    ordering = ["-created_at", "-pk"] if searched is queryset else ["-search_rank", "-created_at", "-pk"]
    return with_completeness(searched).order_by(*ordering)


def instrument_counts_for_unit(*, unit: Unit) -> dict:
    """How many instruments the unit has in service and retired, in one query."""
    return Instrument.objects.owned_by(unit).aggregate(
        active=Count("pk", filter=Q(retired_at__isnull=True)),
        retired=Count("pk", filter=Q(retired_at__isnull=False)),
    )


def unit_address_initial(*, unit: Unit) -> dict:
    """Where a new instrument of the unit probably stands, for the form to offer: the unit's
    district and street, and the province and city of its latest instrument that names them
    (a unit records neither). One query."""
    latest = (
        Instrument.objects.owned_by(unit)
        .exclude(province="", city="")
        .order_by("-created_at", "-pk")
        .values("province", "city")
        .first()
    ) or {}
    return {
        "province": latest.get("province", ""),
        "city": latest.get("city", ""),
        "district": unit.district_id,
        "street_address": unit.address,
    }


# --- History ----------------------------------------------------------------------------------

# Change reasons are stored as keys (see services.registry._reason); these are their words.
REASON_LABELS = {
    "created": _("Registered"),
    "updated": _("Record edited"),
    "fee_items": _("Fee items changed"),
    "opening_hours": _("Opening hours changed"),
    "status": _("Operating status changed"),
    "retired": _("Retired"),
    "photo_added": _("Photo added"),
    "photo_removed": _("Photo removed"),
}
HISTORY_EXCLUDED_FIELDS = ("id", "created_at", "unit")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One change of an instrument: who, when, why, and which fields changed from what to what."""

    date: datetime
    user: object
    kind: str  # "+" registered, "~" changed, "-" deleted
    reasons: list[str]
    note: str
    changes: list[Change] = field(default_factory=list)
    fee_changes: list[dict] = field(default_factory=list)


def instrument_history(*, instrument: Instrument):
    """The instrument's history records, newest first, with the person who made each."""
    return instrument.history.select_related("history_user").order_by("-history_id")


def history_reason_parts(reason: str | None) -> tuple[list[str], str]:
    if not reason:
        return [], ""
    head, _sep, text = reason.partition(": ")
    keys = head.split("+")
    if all(key in REASON_LABELS for key in keys):
        return [str(REASON_LABELS[key]) for key in keys], text
    return [], reason


class _Displayer:
    """Turns stored values into what people read: choice labels, names of classes and districts."""

    def __init__(self, records):
        ids = {"category": set(), "district": set()}
        for record in records:
            for name in ids:
                value = getattr(record, f"{name}_id")
                if value is not None:
                    ids[name].add(value)
        self.names = {
            "category": {c.pk: str(c) for c in Category.objects.filter(pk__in=ids["category"])},
            "district": {d.pk: str(d) for d in District.objects.filter(pk__in=ids["district"])},
        }

    def __call__(self, model, name, value) -> str:
        if value is None or value == "":
            return "—"
        if name in self.names:
            return self.names[name].get(value, f"#{value}")
        model_field = model._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, datetime):
            return formats.localize(timezone.localtime(value), use_l10n=True)
        if isinstance(value, date | Decimal):
            return formats.localize(value, use_l10n=True)
        return str(value)


def instrument_history_entries(*, instrument: Instrument, records) -> list[HistoryEntry]:
    """Readable entries for a page of ``instrument_history`` records (newest first): each is
    compared with the record before it, and carries the fee-item changes made in the same step.

    A fixed number of queries whatever the page size: the record before the page, the one after
    it, the fee-item history in that window, and the names of classes and districts.
    """
    records = list(records)
    if not records:
        return []
    history = instrument.history.all()
    before = history.filter(history_id__lt=records[-1].history_id).order_by("-history_id").first()
    after = history.filter(history_id__gt=records[0].history_id).order_by("history_id").first()
    display = _Displayer([*records, *([before] if before else [])])
    fee_rows = _fee_changes(instrument, records[-1].history_date, after.history_date if after else None)

    entries = []
    chain = [*records, before]
    for index, record in enumerate(records):
        previous = chain[index + 1]
        reasons, note = history_reason_parts(record.history_change_reason)
        entry = HistoryEntry(
            date=record.history_date, user=record.history_user, kind=record.history_type, reasons=reasons, note=note
        )
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=HISTORY_EXCLUDED_FIELDS)
            for change in delta.changes:
                entry.changes.append(
                    Change(
                        label=str(Instrument._meta.get_field(change.field).verbose_name),
                        old=display(Instrument, change.field, change.old),
                        new=display(Instrument, change.field, change.new),
                    )
                )
        newer = records[index - 1].history_date if index else (after.history_date if after else None)
        entry.fee_changes = [
            row for row in fee_rows if row["date"] >= record.history_date and (newer is None or row["date"] < newer)
        ]
        entries.append(entry)
    return entries


def _fee_changes(instrument: Instrument, start, end) -> list[dict]:
    """Fee-item changes of the instrument between two moments, each with what it changed."""
    rows = FeeItem.history.filter(instrument_id=instrument.pk, history_date__gte=start)
    if end is not None:
        rows = rows.filter(history_date__lt=end)
    rows = list(rows.order_by("history_id"))
    changed_ids = {row.id for row in rows if row.history_type == "~"}
    earlier = {}
    if changed_ids:
        for old in FeeItem.history.filter(id__in=changed_ids, history_id__lt=rows[-1].history_id).order_by(
            "history_id"
        ):
            earlier.setdefault(old.id, []).append(old)
    display = _Displayer([])
    result = []
    for row in rows:
        item = {
            "date": row.history_date,
            "kind": row.history_type,
            "name": row.name,
            "summary": _fee_summary(row, display),
            "changes": [],
        }
        if row.history_type == "~":
            previous = [old for old in earlier.get(row.id, []) if old.history_id < row.history_id]
            if previous:
                delta = row.diff_against(previous[-1], excluded_fields=("id", "instrument"))
                item["changes"] = [
                    Change(
                        label=str(FeeItem._meta.get_field(c.field).verbose_name),
                        old=display(FeeItem, c.field, c.old),
                        new=display(FeeItem, c.field, c.new),
                    )
                    for c in delta.changes
                ]
        result.append(item)
    return result


def _fee_summary(row, display) -> str:
    return _("internal %(internal)s, external %(external)s yuan %(basis)s") % {
        "internal": display(FeeItem, "internal_price", row.internal_price),
        "external": display(FeeItem, "external_price", row.external_price),
        "basis": display(FeeItem, "basis", row.basis),
    }
