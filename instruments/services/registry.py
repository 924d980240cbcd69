"""Every write a manager makes to the instrument registry, one function per use case.

Each service checks ``is_unit_manager`` first, validates everything (``full_clean()`` plus
the rules below) before writing anything, runs in one transaction, keeps the search document in
step and leaves a history record with who did it and why. The rules are public functions
(``validate_subject_areas``, ``clean_fee_items`` …) so that forms show the same messages beside
the fields before the service is even called.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.permissions import is_unit_manager
from members.validators import normalise_phone

from .. import images
from ..exceptions import DomainError, InstrumentRetired, InvalidTransition, PermissionDenied, RowsInvalid
from ..invalidation import catalogue_changed
from ..models import FeeItem, Instrument, OpeningHours, Photo
from ..search import search_document_for
from .rules import (
    FEE_ITEM_FIELDS,
    INSTRUMENT_FIELDS,
    OPERATING_STATUS_TRANSITIONS,
    REASON_MAX_LENGTH,
    clean_fee_items,
    clean_opening_hours,
    normalise_asset_number,
    street_address_once,
    validate_asset_number,
    validate_slot_range,
    validate_subject_areas,
)


def _check_field_names(fields: dict, service: str) -> None:
    unknown = set(fields) - set(INSTRUMENT_FIELDS)
    if unknown:
        raise TypeError(f"{service}() got unexpected fields: {sorted(unknown)}")


def _normalise(fields: dict) -> dict:
    fields = dict(fields)
    for name in ("asset_number", "name", "name_en", "model", "contact_phone", "contact_email"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if isinstance(fields.get("asset_number"), str):
        fields["asset_number"] = normalise_asset_number(fields["asset_number"])
    if isinstance(fields.get("contact_phone"), str):
        fields["contact_phone"] = normalise_phone(fields["contact_phone"])
    return fields


def _instrument_errors(instrument: Instrument) -> dict:
    """Every problem of the record, by field: the model's own checks, then the registry's rules."""
    errors: dict = {}
    try:
        instrument.full_clean(validate_constraints=False)
    except ValidationError as err:
        errors = err.update_error_dict(errors)
    rules = [
        (
            ("subject_areas",),
            lambda: setattr(instrument, "subject_areas", validate_subject_areas(instrument.subject_areas)),
        ),
        (
            ("min_slot_minutes", "max_slot_minutes"),
            lambda: validate_slot_range(instrument.min_slot_minutes, instrument.max_slot_minutes),
        ),
        (
            ("asset_number",),
            lambda: validate_asset_number(
                unit=instrument.unit, asset_number=instrument.asset_number, instrument_pk=instrument.pk
            ),
        ),
    ]
    for names, rule in rules:
        if any(name in errors for name in names):
            continue
        try:
            rule()
        except ValidationError as err:
            errors.setdefault(names[-1], []).extend(err.error_list)
    return errors


def _clean_rows(errors: dict, cleaner, rows):
    """Run a row cleaner, adding its messages to ``errors``; None when there are no rows to write."""
    if rows is None:
        return None
    try:
        return cleaner(list(rows))
    except RowsInvalid as err:
        errors.setdefault(err.field, []).extend(err.error_dict[err.field])
        return None


def _prepare_photos(errors: dict, photos) -> list:
    prepared = []
    for index, entry in enumerate(photos or []):
        file, caption = (entry.get("image"), entry.get("caption", "")) if isinstance(entry, dict) else (entry, "")
        try:
            prepared.append((images.prepare_photo(file), caption))
        except ValidationError as err:
            name = getattr(file, "name", "") or str(index + 1)
            for message in err.messages:
                errors.setdefault("photos", []).append(f"{name}: {message}")
    return prepared


def _reason(keys: list[str], text: str = "") -> str:
    reason = "+".join(keys)
    if text.strip():
        reason = f"{reason}: {' '.join(text.split())}"
    return reason[:REASON_MAX_LENGTH]


def _save(instrument: Instrument, *, actor, keys: list[str], text: str = "") -> None:
    instrument._history_user = actor
    instrument._change_reason = _reason(keys, text)
    instrument.save()
    catalogue_changed()


def _refresh_search_document(instrument: Instrument) -> None:
    """Rebuilt after the related rows are written, so the document may use them too."""
    instrument.search_document = search_document_for(instrument)
    Instrument.objects.filter(pk=instrument.pk).update(search_document=instrument.search_document)
    catalogue_changed()  # an update() sends no signal


def _locked_for_manager(actor, instrument: Instrument) -> Instrument:
    """The instrument's row under a lock, after the permission and state checks."""
    locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if not is_unit_manager(actor, locked.unit):
        raise PermissionDenied
    if locked.is_retired:
        raise InstrumentRetired(_("This instrument is retired; its record can no longer be changed."))
    return locked


def _same_fee_item(a: FeeItem, b: FeeItem) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in FEE_ITEM_FIELDS)


def _plan_fee_items(instrument: Instrument, items: list[FeeItem]) -> tuple[list[FeeItem], list[FeeItem]]:
    """What makes the instrument's fee items exactly ``items``: (rows to save, rows to delete).

    Rows given with their id are updated in place, so their history shows a change rather than
    a removal and an addition; unchanged rows are left alone.
    """
    existing = {item.pk: item for item in instrument.fee_items.all()}
    kept, saves = set(), []
    for item in items:
        current = existing.get(item.pk) if item.pk not in kept else None
        if current is not None:
            kept.add(current.pk)
            if _same_fee_item(current, item):
                continue
            for name in FEE_ITEM_FIELDS:
                setattr(current, name, getattr(item, name))
            saves.append(current)
        else:
            item.pk = None
            item.instrument = instrument
            saves.append(item)
    return saves, [item for pk, item in existing.items() if pk not in kept]


def _apply_fee_items(plan, actor) -> None:
    saves, deletes = plan
    for item in saves:
        item._history_user = actor
        item.full_clean()
        item.save()
    for item in deletes:
        item._history_user = actor
        item.delete()


def _period_key(period: OpeningHours):
    return (period.weekday, period.opens, period.closes)


def _opening_hours_differ(instrument: Instrument, periods: list[OpeningHours]) -> bool:
    current = sorted(_period_key(p) for p in instrument.opening_hours.all())
    return current != sorted(_period_key(p) for p in periods)


def _replace_opening_hours(instrument: Instrument, periods: list[OpeningHours]) -> None:
    instrument.opening_hours.all().delete()
    for period in periods:
        period.pk = None
        period.instrument = instrument
        period.full_clean()
    OpeningHours.objects.bulk_create(periods)
    catalogue_changed()  # a bulk_create() sends no signal


def _photo_create(instrument: Instrument, prepared: images.PreparedPhoto, caption: str, order: int) -> Photo:
    photo = Photo(instrument=instrument, caption=(caption or "").strip(), order=order)
    photo.image.save(prepared.image.name, prepared.image, save=False)
    photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
    photo.full_clean()
    photo.save()
    return photo


# --- Instruments ------------------------------------------------------------------------------


@transaction.atomic
def instrument_create(
    *,
    actor,
    unit,
    fields: dict,
    fee_items: list[dict] | None = None,
    opening_hours: list[dict] | None = None,
    photos: list | None = None,
) -> Instrument:
    """Register an instrument of ``unit`` with its fee items, weekly opening hours and photos.

    ``photos`` are uploaded files, or dicts ``{"image": file, "caption": "…"}``. Nothing is
    written unless every part is valid; a ``ValidationError`` maps each problem to its field
    (``fee_items``, ``opening_hours`` and ``photos`` for the lists).
    """
    if not is_unit_manager(actor, unit):
        raise PermissionDenied
    _check_field_names(fields, "instrument_create")
    instrument = Instrument(unit=unit, **_normalise(fields))
    instrument.street_address = street_address_once(instrument)
    errors = _instrument_errors(instrument)
    items = _clean_rows(errors, clean_fee_items, fee_items)
    periods = _clean_rows(errors, clean_opening_hours, opening_hours)
    if len(photos or []) > images.MAX_PHOTOS_PER_INSTRUMENT:
        errors.setdefault("photos", []).append(
            _("An instrument has at most %(max)d photos.") % {"max": images.MAX_PHOTOS_PER_INSTRUMENT}
        )
    prepared = _prepare_photos(errors, photos)
    if errors:
        raise ValidationError(errors)
    instrument.validate_constraints()
    # The instrument is saved first, so the history of its fee items follows its own record.
    _save(instrument, actor=actor, keys=["created"])
    if items:
        _apply_fee_items(_plan_fee_items(instrument, items), actor)
    if periods:
        _replace_opening_hours(instrument, periods)
    for order, (photo, caption) in enumerate(prepared):
        _photo_create(instrument, photo, caption, order)
    _refresh_search_document(instrument)
    return instrument


@transaction.atomic
def instrument_update(
    *,
    actor,
    instrument: Instrument,
    fields: dict,
    fee_items: list[dict] | None = None,
    opening_hours: list[dict] | None = None,
    reason: str = "",
) -> Instrument:
    """Edit an instrument's record and booking settings.

    Only the fields given change. ``fee_items`` / ``opening_hours``: None leaves them as they
    are, a list (even empty) replaces them. A retired instrument cannot be edited.
    """
    _check_field_names(fields, "instrument_update")
    locked = _locked_for_manager(actor, instrument)
    fields = _normalise(fields)
    before = {name: locked._meta.get_field(name).value_from_object(locked) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.street_address = street_address_once(locked)
    errors = _instrument_errors(locked)
    items = _clean_rows(errors, clean_fee_items, fee_items)
    periods = _clean_rows(errors, clean_opening_hours, opening_hours)
    if errors:
        raise ValidationError(errors)
    locked.validate_constraints()
    fee_plan = _plan_fee_items(locked, items) if items is not None else ([], [])
    hours_changed = periods is not None and _opening_hours_differ(locked, periods)
    keys = []
    if any(locked._meta.get_field(name).value_from_object(locked) != old for name, old in before.items()):
        keys.append("updated")
    if fee_plan[0] or fee_plan[1]:
        keys.append("fee_items")
    if hours_changed:
        keys.append("opening_hours")
    if not keys:
        return locked
    # The instrument is saved first, so the history of its fee items follows its own record.
    _save(locked, actor=actor, keys=keys, text=reason)
    _apply_fee_items(fee_plan, actor)
    if hours_changed:
        _replace_opening_hours(locked, periods)
    _refresh_search_document(locked)
    return locked


@transaction.atomic
def instrument_set_status(*, actor, instrument: Instrument, operating_status: str, reason: str = "") -> Instrument:
    """Record the instrument's operating status (正常, 待机, 待修 …)."""
    locked = _locked_for_manager(actor, instrument)
    try:
        target = Instrument.OperatingStatus(operating_status)
    except ValueError as err:
        raise ValidationError({"operating_status": _("Choose one of the listed operating statuses.")}) from err
    if target not in OPERATING_STATUS_TRANSITIONS[locked.operating_status]:
        raise InvalidTransition(
            _("The instrument is already “%(status)s”.") % {"status": locked.get_operating_status_display()}
        )
    locked.operating_status = target
    locked.full_clean()
    _save(locked, actor=actor, keys=["status"], text=reason)
    _refresh_search_document(locked)
    return locked


@transaction.atomic
def instrument_retire(*, actor, instrument: Instrument, reason: str = "") -> Instrument:
    """Take an instrument out of service for good: it leaves the catalogue and cannot be booked
    or edited; its record and history stay."""
    locked = _locked_for_manager(actor, instrument)
    locked.retired_at = timezone.now()
    locked.full_clean()
    _save(locked, actor=actor, keys=["retired"], text=reason)
    _refresh_search_document(locked)
    return locked


# --- Photos -----------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, actor, instrument: Instrument, image_file, caption: str = "") -> Photo:
    """Add a JPEG or PNG photo (checked by content, at most 5 MB) and make its thumbnail."""
    locked = _locked_for_manager(actor, instrument)
    count = locked.photos.count()
    if count >= images.MAX_PHOTOS_PER_INSTRUMENT:
        raise DomainError(
            _("An instrument has at most %(max)d photos; remove one first.") % {"max": images.MAX_PHOTOS_PER_INSTRUMENT}
        )
    try:
        prepared = images.prepare_photo(image_file)
    except ValidationError as err:
        raise ValidationError({"image": err.error_list}) from err
    photo = _photo_create(locked, prepared, caption, order=count)
    _save(locked, actor=actor, keys=["photo_added"], text=photo.caption)
    return photo


@transaction.atomic
def photo_remove(*, actor, photo: Photo) -> None:
    """Remove a photo; its files are deleted once the removal is committed."""
    locked = _locked_for_manager(actor, photo.instrument)
    photo = Photo.objects.get(pk=photo.pk, instrument=locked)
    storage = photo.image.storage
    names = [name for name in (photo.image.name, photo.thumbnail.name) if name]
    caption = photo.caption
    photo.delete()
    _save(locked, actor=actor, keys=["photo_removed"], text=caption)
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
