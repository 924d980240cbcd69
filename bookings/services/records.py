"""Service records: what completed bookings become, records entered without a booking, ratings, payment."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.hooks import run_hooks
from core.money import to_yuan
from instruments.models import Instrument
from members.models import Unit
from members.permissions import is_unit_manager

from .. import fees
from ..availability import local
from ..exceptions import DomainError, PermissionDenied
from ..models import ChosenService, FundingSource, ServicePurpose, ServiceRecord, ServiceWay
from ..rules import is_external_use

ZERO = Decimal("0")


def compute_record_amount(
    record: ServiceRecord, *, services: list[ChosenService], amount: Decimal | None, amount_reason: str
) -> None:
    """Hours = preparation + measurement + post-processing; the amount comes from the chosen
    services at their basis (hours, samples, days begun) unless overridden with a reason."""
    for name in ("preparation_hours", "measurement_hours", "post_processing_hours"):
        if getattr(record, name) is None:
            setattr(record, name, ZERO)
        if getattr(record, name) < 0:
            raise DomainError(_("Hours cannot be negative."))
    if record.ended_at < record.started_at:
        raise DomainError(_("The actual end must not be before the actual start."))
    record.hours = record.preparation_hours + record.measurement_hours + record.post_processing_hours
    lines = fees.fee_lines(
        services,
        hours=record.hours,
        samples=record.sample_count,
        days=fees.days_begun(record.started_at, record.ended_at) if record.ended_at > record.started_at else 1,
    )
    record.computed_amount = fees.fee_total(lines)
    if amount is None or to_yuan(amount) == record.computed_amount:
        record.amount = record.computed_amount
        record.amount_reason = ""
        return
    if amount < 0:
        raise DomainError(_("The amount cannot be negative."))
    if not amount_reason.strip():
        raise DomainError(
            _("The amount differs from the fee items (%(computed)s yuan): give a reason for the difference.")
            % {"computed": record.computed_amount}
        )
    record.amount = to_yuan(amount)
    record.amount_reason = amount_reason.strip()


def service_record_save(record: ServiceRecord, *, actor, reason: str, services=None) -> ServiceRecord:
    """Validate and save a record (with its chosen services when given, as unsaved snapshots)."""
    record.is_external = is_external_use(user_unit_id=record.user_unit_id, owner_unit_id=record.instrument.unit_id)
    record._history_user = actor
    record._change_reason = reason
    record.full_clean()
    record.save()
    if services is not None:
        for service in services:
            service.pk, service.booking, service.service_record = None, None, record
        ChosenService.objects.bulk_create(services)
    return record


@transaction.atomic
def service_record_create(
    *,
    actor,
    instrument: Instrument,
    started_at: datetime,
    ended_at: datetime,
    service_content: str,
    service_way: str = ServiceWay.COMMISSION,
    purpose: str = ServicePurpose.RD,
    preparation_hours: Decimal = ZERO,
    measurement_hours: Decimal = ZERO,
    post_processing_hours: Decimal = ZERO,
    sample_count: int = 0,
    user_name: str,
    user_unit: Unit | None = None,
    user_unit_name: str = "",
    project_name: str = "",
    funding_source: str = FundingSource.NONE,
    amount: Decimal | None = None,
    amount_reason: str = "",
    fee_items: Sequence | None = None,
    paid_on: date | None = None,
) -> ServiceRecord:
    """The owner enters a service that had no booking (e.g. commissioned testing).

    ``fee_items`` are the services given (FeeItems of the instrument or their ids), priced for
    the user's unit. ``None`` (the spreadsheet import) means the instrument's only item when it
    has exactly one, otherwise no item: the computed amount is then 0.00 and the owner states
    the amount with a reason. An empty list for an instrument with items is an error.
    ``purpose`` is what the service was for (subsidies count research and development only);
    ``paid_on``, when the user has already paid (see ``service_record_mark_paid``).
    """
    if not is_unit_manager(actor, instrument.unit):
        raise PermissionDenied
    chosen = fees.chosen_fee_items(instrument, fee_items, required=False)
    if user_unit is None and not user_unit_name.strip():
        raise DomainError(_("Name the user's unit (choose a member unit or type its name)."))
    record = ServiceRecord(
        instrument=instrument,
        started_at=started_at,
        ended_at=ended_at,
        service_content=service_content.strip(),
        service_way=service_way,
        purpose=purpose,
        preparation_hours=preparation_hours,
        measurement_hours=measurement_hours,
        post_processing_hours=post_processing_hours,
        sample_count=sample_count,
        user_name=user_name.strip(),
        user_unit=user_unit,
        user_unit_name=(user_unit.name if user_unit else user_unit_name).strip(),
        project_name=project_name.strip(),
        funding_source=funding_source,
        created_by=actor,
    )
    external = is_external_use(user_unit_id=user_unit.pk if user_unit else None, owner_unit_id=instrument.unit_id)
    services = fees.snapshots(chosen, external=external)
    compute_record_amount(record, services=services, amount=amount, amount_reason=amount_reason)
    if paid_on is not None:
        check_paid_on(record, paid_on)
        record.paid_on = paid_on
    return service_record_save(record, actor=actor, reason="entered", services=services)


@transaction.atomic
def service_record_rate(*, user, record: ServiceRecord, rating: int, comment: str = "") -> ServiceRecord:
    """The user of a service rates it once (非常满意 … 极差) with an optional comment."""
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if record.user_id is None or record.user_id != user.pk:
        raise PermissionDenied
    if record.rating is not None:
        raise DomainError(_("This service is already rated; a rating cannot be changed."))
    if rating not in ServiceRecord.Rating.values:
        raise DomainError(_("Choose a rating from very satisfied to very poor."))
    record.rating = rating
    record.rating_comment = comment.strip()
    record.rated_at = timezone.now()
    record._history_user = user
    record._change_reason = "rated"
    # Only the rating is checked and written: an imported or demo record (no creator, say) may not
    # pass today's whole-record validation, and rating it must not depend on that.
    rated = ("rating", "rating_comment", "rated_at")
    record.clean_fields(exclude=[f.name for f in record._meta.concrete_fields if f.name not in rated])
    record.save(update_fields=rated)
    return record


def check_paid_on(record: ServiceRecord, paid_on: date) -> None:
    """A payment date is a local date from the day the service started until today."""
    today = local(timezone.now()).date()
    if paid_on > today:
        raise DomainError(_("The payment date cannot be in the future."), field="paid_on")
    started_on = local(record.started_at).date()
    if paid_on < started_on:
        raise DomainError(
            _("The payment date cannot be before the service started (%(day)s).") % {"day": started_on.isoformat()},
            field="paid_on",
        )


@transaction.atomic
def service_record_mark_paid(*, actor, record: ServiceRecord, paid_on: date, invoice_number: str = "") -> ServiceRecord:
    """A manager of the owner unit records that the user paid, on which day, with the invoice number.

    Marking again corrects the date or the number; the history keeps each change.
    """
    record = ServiceRecord.objects.select_for_update(of=("self",)).select_related("instrument__unit").get(pk=record.pk)
    if not is_unit_manager(actor, record.instrument.unit):
        raise PermissionDenied
    check_paid_on(record, paid_on)
    record.paid_on = paid_on
    record.invoice_number = invoice_number.strip()
    record._history_user = actor
    record._change_reason = "paid"
    # Only the payment is checked and written, as with a rating (see service_record_rate).
    paid = ("paid_on", "invoice_number")
    record.clean_fields(exclude=[f.name for f in record._meta.concrete_fields if f.name not in paid])
    record.save(update_fields=paid)
    return record


@transaction.atomic
def service_record_correct_amount(*, actor, record: ServiceRecord, amount: Decimal, reason: str) -> ServiceRecord:
    """A manager of the owner unit corrects the amount charged, with a reason; apps above follow
    the new charge in this transaction (``service_record_charged``: a voucher's draw is adjusted
    with a new ledger entry). A paid record is corrected by its payment, not here."""
    record = ServiceRecord.objects.select_for_update(of=("self",)).select_related("instrument__unit").get(pk=record.pk)
    if not is_unit_manager(actor, record.instrument.unit):
        raise PermissionDenied
    if record.paid_on is not None:
        raise DomainError(_("The user has paid this service; its amount can no longer be corrected."), field="amount")
    amount = to_yuan(amount)
    if amount < 0:
        raise DomainError(_("The amount cannot be negative."), field="amount")
    if not reason.strip():
        raise DomainError(_("Give the reason for the correction (the user sees it)."), field="amount_reason")
    if amount == record.amount:
        return record
    record.amount, record.amount_reason = amount, reason.strip()
    record._history_user, record._change_reason = actor, "amount corrected"
    fields = ("amount", "amount_reason")
    record.clean_fields(exclude=[f.name for f in record._meta.concrete_fields if f.name not in fields])
    record.save(update_fields=fields)
    run_hooks("service_record_charged", record=record, actor=actor)
    return record
