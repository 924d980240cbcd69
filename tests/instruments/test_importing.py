"""The spreadsheet import: dry run, confirm, re-import, headers, formats and who may import."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import translation

from instruments import importing
from instruments.importing import rows as import_rows
from instruments.models import ImportJob, Instrument
from members.exceptions import DomainError
from tests.factories import DistrictFactory
from tests.instruments.factories import InstrumentFactory
from tests.instruments.import_fixtures import (
    BY_FIELD,
    confirm,
    csv_upload,
    ensure_classification,
    errors_of,
    good_row,
    table,
    upload_and_check,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def classification(db):
    ensure_classification()


ASSET = BY_FIELD["asset_number"].header
VALUE = BY_FIELD["original_value"].header


@pytest.fixture
def check(manager, unit, django_capture_on_commit_callbacks):
    """Upload rows as the unit's manager and return the checked job."""

    def run(rows, *, upload=csv_upload, labels="both", fields=None, actor=None):
        return upload_and_check(
            actor=actor or manager,
            unit=unit,
            upload=upload(table(rows, labels=labels, fields=fields)),
            callbacks=django_capture_on_commit_callbacks,
        )

    return run


@pytest.fixture
def write(manager, django_capture_on_commit_callbacks):
    def run(job, actor=None):
        return confirm(actor=actor or manager, job=job, callbacks=django_capture_on_commit_callbacks)

    return run


# --- Dry run ---------------------------------------------------------------------------------------


def test_dry_run_sorts_rows_into_create_update_and_errors_and_writes_nothing(check, unit):
    existing = InstrumentFactory(unit=unit, asset_number="LC-00002", original_value=Decimal("1000000.00"))
    history_before = Instrument.history.count()
    rows = [
        good_row(1),
        good_row(2),  # same asset number as the existing one: an update (value changes)
        good_row(3, original_value="1,2,3"),
        good_row(4, commissioned_on="2020-13-01", operating_status="坏了"),
        good_row(5, name=""),
    ]

    job = check(rows)

    assert job.status == ImportJob.Status.VALIDATED
    assert (job.total_rows, job.to_create, job.to_update, job.error_count) == (5, 1, 1, 3)
    assert [r["asset_number"] for r in job.report["created"]] == ["LC-00001"]
    assert job.report["updated"] == [
        {"row": 3, "asset_number": "LC-00002", "name": "液相色谱仪2", "fields": _changed_headers(existing)}
    ]
    assert errors_of(job) == [
        (4, VALUE, "“1,2,3” is not an amount in yuan: write it like 1200000.00, 1,200,000.00 or 120万."),
        (
            5,
            BY_FIELD["commissioned_on"].header,
            "“2020-13-01” is not a date: write it as YYYY-MM-DD, for example 2021-06-30.",
        ),
        (
            5,
            BY_FIELD["operating_status"].header,
            "“坏了” is not one of: 正常、待机、远程服务中、偶有故障、故障频繁、待修、待报废.",
        ),
        (6, BY_FIELD["name"].header, "Required; this cell is empty."),
    ]
    # Nothing written: the existing record and the history are as they were.
    assert Instrument.objects.count() == 1
    existing.refresh_from_db()
    assert existing.original_value == Decimal("1000000.00")
    assert Instrument.history.count() == history_before


def _changed_headers(existing):
    """The columns in which good_row(2) differs from the factory's instrument."""
    row = good_row(2)
    return [BY_FIELD[f].header for f in row if f != "asset_number" and _differs(existing, f, row[f])]


def _differs(instrument, field, cell):
    from instruments.importing.columns import format_cell

    current = format_cell(BY_FIELD[field], instrument)
    normalised = {
        "original_value": Decimal("1200000.00"),
        "commissioned_on": datetime.date(2020, 5, 1),
        "category": "0105 色谱仪器",
        "min_slot_minutes": 30,
        "max_slot_minutes": 480,
        "min_lead_hours": 24,
        "max_advance_days": 60,
        "cancel_deadline_hours": 24,
    }.get(field, cell)
    return current != normalised


def test_row_numbers_are_the_spreadsheets_even_with_blank_rows(
    check, unit, manager, django_capture_on_commit_callbacks
):
    rows = table([good_row(1), good_row(2, original_value="很多")])
    rows.insert(2, ["", ""])  # an empty row 3 between the two instruments
    job = upload_and_check(
        actor=manager, unit=unit, upload=xlsx_upload(rows), callbacks=django_capture_on_commit_callbacks
    )
    assert job.total_rows == 2
    assert errors_of(job)[0][:2] == (4, VALUE)


def test_a_second_row_with_the_same_asset_number_is_refused(check):
    job = check([good_row(1), good_row(1, name="另一台")])
    assert errors_of(job) == [
        (3, ASSET, "The asset number LC-00001 is also in row 2; list each instrument once."),
    ]
    assert job.to_create == 1


def test_a_new_instrument_needs_every_required_column(check, unit):
    """A file with only some columns may update, but cannot register a new instrument."""
    InstrumentFactory(unit=unit, asset_number="LC-00001")
    job = check(
        [good_row(1, contact_phone="0472-1111111"), good_row(2, contact_phone="0472-2222222")],
        fields=["asset_number", "contact_phone"],
    )
    assert job.to_update == 1
    assert job.error_count == 1
    messages = {(row, column) for row, column, _m in errors_of(job)}
    assert (3, BY_FIELD["name"].header) in messages
    assert (3, BY_FIELD["category"].header) in messages
    assert job.report["missing_columns"][0] == BY_FIELD["name"].header


def test_a_file_without_an_asset_number_column_fails_as_a_whole(check):
    job = check([good_row(1)], fields=["name", "model"])
    assert job.status == ImportJob.Status.FAILED
    assert "asset number column" in job.error


def test_an_old_xls_file_is_refused_with_a_hint(manager, unit, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    job = upload_and_check(actor=manager, unit=unit, upload=upload, callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert ".xlsx" in job.error


def test_only_csv_and_xlsx_are_accepted(manager, unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError):
        importing.import_job_start(actor=manager, unit=unit, uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF"))
    assert not ImportJob.objects.exists()


# --- Confirm ---------------------------------------------------------------------------------------


def test_confirm_writes_the_valid_rows_with_history_and_search_text(check, write, unit, manager):
    job = write(check([good_row(1), good_row(2, original_value="abc"), good_row(3)]))

    assert job.status == ImportJob.Status.DONE
    assert (job.to_create, job.error_count) == (2, 1)
    written = Instrument.objects.filter(unit=unit).order_by("asset_number")
    assert [i.asset_number for i in written] == ["LC-00001", "LC-00003"]
    first = written[0]
    assert first.original_value == Decimal("1200000.00")
    assert first.commissioned_on == datetime.date(2020, 5, 1)
    assert first.category.code == "0105"
    assert first.sharing_mode == Instrument.SharingMode.EXTERNAL
    assert "液相色谱仪1" in first.search_document and unit.name.lower() in first.search_document
    record = first.history.get()
    assert (record.history_type, record.history_user) == ("+", manager)
    assert record.history_change_reason == "created: instruments.csv"


def test_confirm_writes_everything_in_one_transaction(check, write, unit, monkeypatch):
    """A failure in a late chunk leaves nothing of the early chunks behind."""
    monkeypatch.setattr(import_rows, "CHUNK_SIZE", 2)
    monkeypatch.setattr("instruments.importing.jobs.CHUNK_SIZE", 2)
    job = check([good_row(n) for n in range(1, 6)])
    real_write = import_rows.write_results
    calls = []

    def failing_write(results, **kwargs):
        calls.append(len(results))
        if len(calls) == 3:
            raise IntegrityError("someone registered LC-00005 meanwhile")
        return real_write(results, **kwargs)

    monkeypatch.setattr("instruments.importing.jobs.write_results", failing_write)
    job = write(job)

    assert calls == [2, 2, 1]
    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was imported" in job.error
    assert not Instrument.objects.filter(unit=unit).exists()
    assert not Instrument.history.exists()


def test_confirm_is_refused_twice_and_for_nothing_to_write(check, write, manager):
    job = write(check([good_row(1)]))
    with pytest.raises(DomainError):
        importing.import_job_confirm(actor=manager, job=job)
    again = check([good_row(1)])
    assert (again.to_create, again.to_update, again.report["unchanged"]) == (0, 0, 1)
    with translation.override("en"), pytest.raises(DomainError, match="nothing to write"):
        importing.import_job_confirm(actor=manager, job=again)


def test_cancel_drops_a_checked_file(check, manager):
    job = check([good_row(1)])
    importing.import_job_cancel(actor=manager, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    with pytest.raises(DomainError):
        importing.import_job_confirm(actor=manager, job=job)
    assert not Instrument.objects.exists()


def test_reimporting_the_same_file_updates_instead_of_duplicating(check, write, unit):
    rows = [good_row(n) for n in range(1, 4)]
    write(check(rows))
    history = Instrument.history.count()

    again = check(rows)
    assert (again.to_create, again.to_update, again.report["unchanged"]) == (0, 0, 3)

    rows[1]["original_value"] = "130万"
    changed = write(check(rows))
    assert (changed.to_create, changed.to_update) == (0, 1)
    assert changed.report["updated"][0]["fields"] == [VALUE]
    assert Instrument.objects.filter(unit=unit).count() == 3
    assert Instrument.objects.get(asset_number="LC-00002").original_value == Decimal("1300000.00")
    assert Instrument.history.count() == history + 1
    assert Instrument.history.latest("history_date").history_type == "~"


def test_an_empty_cell_keeps_a_setting_but_clears_an_optional_text(check, write, unit):
    instrument = InstrumentFactory(
        unit=unit, asset_number="LC-00001", sharing_mode=Instrument.SharingMode.INTERNAL, name_en="SEM"
    )
    job = write(check([good_row(1, sharing_mode="", name_en="")]))
    assert job.status == ImportJob.Status.DONE
    instrument.refresh_from_db()
    assert instrument.sharing_mode == Instrument.SharingMode.INTERNAL
    assert instrument.name_en == ""


# --- Headers and cells -------------------------------------------------------------------------------


@pytest.mark.parametrize("labels", ["zh", "en", "both"])
def test_chinese_english_or_combined_headers_in_any_order(check, labels):
    fields = list(good_row(1).keys())
    fields.reverse()
    job = check([good_row(1), good_row(2)], labels=labels, fields=fields)
    assert (job.to_create, job.error_count) == (2, 0), job.report["errors"]


def test_headers_ignore_case_spacing_and_brackets(manager, unit, django_capture_on_commit_callbacks):
    rows = table([good_row(1)], labels="en")
    rows[0] = [f"  {h.upper()} *" for h in rows[0]]
    rows[0][rows[0].index("  ORIGINAL VALUE (YUAN) *")] = "原值(元)"
    rows[0].append("备注 Remarks")
    rows[1].append("随便写")
    job = upload_and_check(
        actor=manager, unit=unit, upload=csv_upload(rows), callbacks=django_capture_on_commit_callbacks
    )
    assert (job.to_create, job.error_count) == (1, 0), job.report["errors"]
    assert job.report["ignored_columns"] == ["备注 Remarks"]


def test_two_headers_for_the_same_field_fail_the_file(manager, unit, django_capture_on_commit_callbacks):
    rows = table([good_row(1)])
    rows[0].append("Chinese name")
    rows[1].append("重复")
    job = upload_and_check(
        actor=manager, unit=unit, upload=csv_upload(rows), callbacks=django_capture_on_commit_callbacks
    )
    assert job.status == ImportJob.Status.FAILED
    assert "Chinese name" in job.error


def test_xlsx_cells_typed_by_excel_are_understood(manager, unit, django_capture_on_commit_callbacks):
    """Excel stores numbers and dates, and drops the leading zero of 0105."""
    row = good_row(
        1,
        asset_number=20230017,
        category=105,
        original_value=1234567.5,
        commissioned_on=datetime.datetime(2019, 12, 31),
        customs_supervised=True,
        min_slot_minutes=60.0,
        contact_phone=13904721234,
    )
    job = upload_and_check(
        actor=manager, unit=unit, upload=xlsx_upload(table([row])), callbacks=django_capture_on_commit_callbacks
    )
    assert (job.to_create, job.error_count) == (1, 0), job.report["errors"]


def test_xlsx_cells_are_written_as_typed(check, write):
    row = good_row(
        1,
        asset_number=20230017,
        category=105,
        original_value=1234567.5,
        commissioned_on=datetime.datetime(2019, 12, 31),
        customs_supervised=True,
        contact_phone=13904721234,
    )
    write(check([row], upload=xlsx_upload))
    instrument = Instrument.objects.get()
    assert instrument.asset_number == "20230017"
    assert instrument.category.code == "0105"
    assert instrument.original_value == Decimal("1234567.50")
    assert instrument.commissioned_on == datetime.date(2019, 12, 31)
    assert instrument.customs_supervised is True
    assert instrument.contact_phone == "13904721234"


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(manager, unit, django_capture_on_commit_callbacks):
    upload = csv_upload(table([good_row(1)], labels="zh"), encoding="gb18030")
    job = upload_and_check(actor=manager, unit=unit, upload=upload, callbacks=django_capture_on_commit_callbacks)
    assert (job.to_create, job.error_count) == (1, 0), job.report["errors"]
    assert job.report["created"][0]["name"] == "液相色谱仪1"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1200000", Decimal("1200000.00")),
        ("1,200,000.00", Decimal("1200000.00")),
        ("¥1,200,000 元", Decimal("1200000.00")),
        ("120万", Decimal("1200000.00")),
        ("120.5 万元", Decimal("1205000.00")),
        ("１２０万", Decimal("1200000.00")),
    ],
)
def test_money_in_yuan_in_the_usual_spellings(check, write, cell, expected):
    write(check([good_row(1, original_value=cell)]))
    assert Instrument.objects.get().original_value == expected


@pytest.mark.parametrize("cell", ["1,2,3", "12,00", "1.2.3", "abc", "1e6"])
def test_money_garbage_is_refused(check, cell):
    job = check([good_row(1, original_value=cell)])
    assert errors_of(job) == [
        (2, VALUE, f"“{cell}” is not an amount in yuan: write it like 1200000.00, 1,200,000.00 or 120万.")
    ]


def test_money_with_more_than_two_decimals_is_refused_by_the_model(check):
    job = check([good_row(1, original_value="1200000.123")])
    assert errors_of(job) == [(2, VALUE, "Ensure that there are no more than 2 decimal places.")]


def test_choices_and_booleans_in_either_language(check, write):
    rows = [
        good_row(1, source="Donated", operating_status="remote service", sharing_mode="internal", needs_approval="no"),
        good_row(2, source="self_built", operating_status="待修", sharing_mode="Not shared", customs_supervised="YES"),
    ]
    write(check(rows))
    first, second = Instrument.objects.order_by("asset_number")
    assert (first.source, first.operating_status, first.sharing_mode, first.needs_approval) == (
        "donated",
        "remote",
        "internal",
        False,
    )
    assert (second.source, second.operating_status, second.sharing_mode, second.customs_supervised) == (
        "self_built",
        "awaiting_repair",
        "none",
        True,
    )


def test_category_by_name_and_district_by_name(check, write):
    district = DistrictFactory(name="昆都仑区", name_en="Kundulun")
    write(check([good_row(1, category="质谱仪器", district="昆都仑区"), good_row(2, category="0102 质谱仪器")]))
    first, second = Instrument.objects.order_by("asset_number")
    assert (first.category.code, first.district) == ("0102", district)
    assert second.category.code == "0102"


def test_unknown_class_and_district_name_the_cell(check):
    job = check([good_row(1, category="9999", district="火星区")])
    assert errors_of(job) == [
        (
            2,
            BY_FIELD["category"].header,
            "Unknown instrument class “9999”: enter its code (for example 0102) or its name.",
        ),
        (2, BY_FIELD["district"].header, "Unknown district “火星区”: enter a district of the platform's city."),
    ]


def test_model_rules_apply_lengths_email_and_slot_range(check):
    job = check(
        [
            good_row(
                1,
                name="名" * 51,
                contact_email="not-an-email",
                functions="功" * 301,
                min_slot_minutes="120",
                max_slot_minutes="60",
                subject_areas="数学；物理；化学；生物；地学",
            )
        ]
    )
    columns = [column for _row, column, _message in errors_of(job)]
    assert columns == [
        BY_FIELD["functions"].header,
        BY_FIELD["subject_areas"].header,
        BY_FIELD["name"].header,
        BY_FIELD["contact_email"].header,
        BY_FIELD["max_slot_minutes"].header,
    ]
    messages = {column: message for _row, column, message in errors_of(job)}
    assert messages[BY_FIELD["name"].header] == "Ensure this value has at most 50 characters (it has 51)."
    assert messages[BY_FIELD["contact_email"].header] == "Enter a valid email address."


def test_subject_areas_are_stored_as_the_services_store_them(check, write):
    write(check([good_row(1, subject_areas="化学; 环境科学")]))
    assert Instrument.objects.get().subject_areas == "化学；环境科学"


def test_a_retired_instrument_cannot_be_changed_by_import(check, unit):
    from django.utils import timezone

    InstrumentFactory(unit=unit, asset_number="LC-00001", retired_at=timezone.now())
    job = check([good_row(1)])
    assert errors_of(job) == [(2, ASSET, "This instrument is retired; its record can no longer be changed.")]


def test_the_error_list_is_capped_but_counted(check, monkeypatch):
    monkeypatch.setattr(import_rows, "LIST_CAP", 3)
    job = check([good_row(n, original_value="x", commissioned_on="y") for n in range(1, 6)])
    assert len(job.report["errors"]) == 3
    assert job.report["error_total"] == 10
    assert job.error_count == 5


# --- Whose instruments --------------------------------------------------------------------------------


def test_another_units_asset_number_creates_in_the_importing_unit_only(check, write, unit, other_unit):
    theirs = InstrumentFactory(unit=other_unit, asset_number="LC-00001", name="别人的仪器")
    job = write(check([good_row(1)]))
    assert job.to_create == 1
    theirs.refresh_from_db()
    assert theirs.name == "别人的仪器"
    assert Instrument.objects.get(unit=unit).asset_number == "LC-00001"


def test_a_registry_row_of_another_unit_is_refused(manager, unit, other_unit, django_capture_on_commit_callbacks):
    rows = table([good_row(1), good_row(2)])
    rows[0].insert(0, "所属单位统一社会信用代码 Owner unit credit code")
    rows[1].insert(0, unit.credit_code)
    rows[2].insert(0, other_unit.credit_code)
    job = upload_and_check(
        actor=manager, unit=unit, upload=csv_upload(rows), callbacks=django_capture_on_commit_callbacks
    )
    assert job.to_create == 1
    assert errors_of(job) == [
        (
            3,
            "所属单位统一社会信用代码 Owner unit credit code",
            f"This row belongs to another unit ({other_unit.credit_code}); it is not imported into {unit.name}.",
        )
    ]


@pytest.mark.parametrize("who", ["member", "outsider", "other_manager"])
def test_only_the_units_managers_may_import(request, unit, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        importing.import_job_start(actor=actor, unit=unit, uploaded_file=csv_upload(table([good_row(1)])))
    assert not ImportJob.objects.exists()


def test_unit_admins_may_import(check, unit_admin):
    assert check([good_row(1)], actor=unit_admin).to_create == 1


def test_a_manager_who_lost_the_role_cannot_confirm(check, write, manager, unit):
    job = check([good_row(1)])
    manager.memberships.filter(unit=unit).update(role="member")
    manager.__dict__.pop("_unit_roles", None)
    manager.__dict__.pop("_managed_units", None)
    with pytest.raises(PermissionDenied):
        write(job)
    assert not Instrument.objects.exists()


def test_the_write_rechecks_the_confirming_persons_role(check, manager, unit, django_capture_on_commit_callbacks):
    """Between confirm and the task's start the role may go; the task then writes nothing."""
    job = check([good_row(1)])
    with mock.patch("instruments.importing.jobs._enqueue"):
        importing.import_job_confirm(actor=manager, job=job)
    manager.memberships.filter(unit=unit).update(role="member")
    job = importing.import_job_apply(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert not Instrument.objects.exists()


def test_bad_booleans_and_whole_numbers_quote_the_cell(check):
    job = check([good_row(1, customs_supervised="也许", min_lead_hours="两天", max_advance_days="7.5")])
    assert errors_of(job) == [
        (2, BY_FIELD["customs_supervised"].header, "“也许” is neither 是 nor 否 (yes or no)."),
        (2, BY_FIELD["min_lead_hours"].header, "“两天” is not a whole number."),
        (2, BY_FIELD["max_advance_days"].header, "“7.5” is not a whole number."),
    ]
