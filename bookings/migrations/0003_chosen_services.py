"""Chosen services: bookings and service records keep the fee items the user asked for.

Until now every fee item of an instrument was added up. The items are alternatives (DOMAIN.md
§3), so each existing booking and service record gets one chosen service: the instrument's first
fee item by pk, priced internal or external for its unit as the services do. The booking's
``fee_estimate`` and the record's ``computed_amount`` are recomputed from it; a record's
``amount`` follows when it equalled the old computed amount and had no override reason. Rows of
instruments without fee items keep no choice and their amounts (0.00 already).

The arithmetic is repeated here on purpose: a migration must not change when the app code does.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000
FEN = Decimal("0.01")


def _yuan(value):
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _amount(item, *, external, hours, samples, start, end):
    price = item.external_price if external else item.internal_price
    if item.basis == "hour":
        quantity = Decimal(hours)
    elif item.basis == "sample":
        quantity = Decimal(samples)
    else:  # day: every 24 hours begun
        quantity = Decimal(max(1, math.ceil((end - start).total_seconds() / 86400)) if end > start else 1)
    return price, _yuan(price * quantity)


def _first_items(apps):
    first = {}
    for item in apps.get_model("instruments", "FeeItem").objects.order_by("instrument_id", "pk").iterator():
        first.setdefault(item.instrument_id, item)
    owners = dict(apps.get_model("instruments", "Instrument").objects.values_list("pk", "unit_id"))
    return first, owners


def _flush(ChosenService, Model, services, rows, fields):
    ChosenService.objects.bulk_create(services, batch_size=BATCH)
    Model.objects.bulk_update(rows, fields, batch_size=BATCH)
    services.clear()
    rows.clear()


def give_one_chosen_service(apps, schema_editor):
    """Each booking and service record of an instrument with fee items chooses its first one."""
    ChosenService = apps.get_model("bookings", "ChosenService")
    Booking = apps.get_model("bookings", "Booking")
    ServiceRecord = apps.get_model("bookings", "ServiceRecord")
    first, owners = _first_items(apps)
    services, rows = [], []
    for booking in Booking.objects.filter(instrument_id__in=first).order_by("pk").iterator(chunk_size=BATCH):
        item = first[booking.instrument_id]
        external = booking.unit_id != owners[booking.instrument_id]
        hours = Decimal(int((booking.ends_at - booking.starts_at).total_seconds())) / Decimal(3600)
        price, booking.fee_estimate = _amount(
            item, external=external, hours=hours, samples=booking.sample_count, start=booking.starts_at,
            end=booking.ends_at,
        )  # fmt: skip
        services.append(
            ChosenService(booking=booking, fee_item=item, name=item.name, basis=item.basis, unit_price=price)
        )
        rows.append(booking)
        if len(rows) >= BATCH:
            _flush(ChosenService, Booking, services, rows, ["fee_estimate"])
    _flush(ChosenService, Booking, services, rows, ["fee_estimate"])
    records = ServiceRecord.objects.filter(instrument_id__in=first).order_by("pk")
    for record in records.iterator(chunk_size=BATCH):
        item = first[record.instrument_id]
        external = record.user_unit_id is None or record.user_unit_id != owners[record.instrument_id]
        old = record.computed_amount
        price, record.computed_amount = _amount(
            item, external=external, hours=record.hours, samples=record.sample_count, start=record.started_at,
            end=record.ended_at,
        )  # fmt: skip
        if record.amount == old and not record.amount_reason:
            record.amount = record.computed_amount
        services.append(
            ChosenService(service_record=record, fee_item=item, name=item.name, basis=item.basis, unit_price=price)
        )
        rows.append(record)
        if len(rows) >= BATCH:
            _flush(ChosenService, ServiceRecord, services, rows, ["computed_amount", "amount"])
    _flush(ChosenService, ServiceRecord, services, rows, ["computed_amount", "amount"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_slot_hold_exclusion"),
        ("instruments", "0004_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChosenService",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="service")),
                (
                    "basis",
                    models.CharField(
                        choices=[("hour", "per hour"), ("sample", "per sample"), ("day", "per day")],
                        max_length=10,
                        verbose_name="charged",
                    ),
                ),
                (
                    "unit_price",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="unit price (yuan)",
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chosen_services",
                        to="bookings.booking",
                    ),
                ),
                (
                    "fee_item",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="instruments.feeitem",
                        verbose_name="fee item",
                    ),
                ),
                (
                    "service_record",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chosen_services",
                        to="bookings.servicerecord",
                    ),
                ),
            ],
            options={
                "verbose_name": "chosen service",
                "verbose_name_plural": "chosen services",
                "ordering": ["pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("booking__isnull", False), ("service_record__isnull", True)),
                            models.Q(("booking__isnull", True), ("service_record__isnull", False)),
                            _connector="OR",
                        ),
                        name="chosenservice_one_owner",
                    )
                ],
            },
        ),
        migrations.RunPython(give_one_chosen_service, migrations.RunPython.noop),
    ]
