"""Services of the instrument registry: register, edit, status, retire, photos, and their rules."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import override
from PIL import Image

from instruments import images, services
from instruments.exceptions import DomainError, InstrumentRetired, InvalidTransition, RowsInvalid
from instruments.models import FeeItem, Instrument, OpeningHours, Photo
from tests.factories import MembershipFactory, UnitFactory

from .factories import (
    CategoryFactory,
    FeeItemFactory,
    InstrumentFactory,
    OpeningHoursFactory,
    image_upload,
    text_renamed_jpg,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in their English source form."""
    with override("en"):
        yield


def record(**overrides):
    """Every field of the national record, as a manager types it."""
    fields = {
        "asset_number": "ZC-2019-00871",
        "name": "液相色谱-质谱联用仪",
        "name_en": "Liquid chromatography–mass spectrometer",
        "category": CategoryFactory(code="0102", name="质谱仪器", name_en="Mass spectrometry"),
        "source": Instrument.Source.PURCHASED,
        "customs_supervised": True,
        "original_value": Decimal("2680000.00"),
        "country_of_origin": "美国",
        "manufacturer": "安捷伦科技有限公司",
        "model": "6545 Q-TOF",
        "commissioned_on": date(2019, 9, 1),
        "technical_indicators": "质量分辨率 ≥ 40,000；质量精度 < 1 ppm",
        "functions": "小分子定性定量分析",
        "subject_areas": "化学; 药学，生物学",
        "service_content": "样品测试",
        "typical_results": "发表论文 12 篇",
        "operating_status": Instrument.OperatingStatus.NORMAL,
        "sharing_mode": Instrument.SharingMode.EXTERNAL,
        "sharing_rules": "提前两天预约",
        "reference_fees": "",
        "province": "内蒙古自治区",
        "city": "包头市",
        "district": None,
        "street_address": "阿尔丁大街7号",
        "contact_person": "李工",
        "contact_phone": "0472-5950000",
        "contact_email": "ms@example.cn",
        "needs_approval": True,
        "min_slot_minutes": 60,
        "max_slot_minutes": 480,
        "min_lead_hours": 48,
        "max_advance_days": 30,
        "cancel_deadline_hours": 24,
    }
    fields.update(overrides)
    return fields


FEES = [
    {"name": "定性分析", "basis": "sample", "internal_price": "300", "external_price": Decimal("600.5")},
    {"name": "上机", "basis": "hour", "internal_price": Decimal("0"), "external_price": "800.00"},
]
HOURS = [
    {"weekday": 0, "opens": time(8, 30), "closes": time(12, 0)},
    {"weekday": 0, "opens": "12:00", "closes": "17:30"},
    {"weekday": 2, "opens": "09:00", "closes": "17:00"},
]


def test_a_manager_registers_an_instrument_with_fees_hours_and_a_photo(unit, manager):
    instrument = services.instrument_create(
        actor=manager,
        unit=unit,
        fields=record(),
        fee_items=FEES,
        opening_hours=HOURS,
        photos=[{"image": image_upload("JPEG", size=(1600, 1200)), "caption": "主机"}],
    )
    instrument.refresh_from_db()
    assert instrument.unit == unit
    assert instrument.subject_areas == "化学；药学；生物学"
    assert [(f.name, f.internal_price, f.external_price) for f in instrument.fee_items.all()] == [
        ("定性分析", Decimal("300.00"), Decimal("600.50")),
        ("上机", Decimal("0.00"), Decimal("800.00")),
    ]
    assert [str(h) for h in instrument.opening_hours.all()] == [
        f"{OpeningHours.Weekday.MONDAY.label} 08:30–12:00",
        f"{OpeningHours.Weekday.MONDAY.label} 12:00–17:30",
        f"{OpeningHours.Weekday.WEDNESDAY.label} 09:00–17:00",
    ]
    photo = instrument.photos.get()
    assert photo.caption == "主机"
    assert photo.image.name.endswith(".jpg") and default_storage.exists(photo.image.name)
    with Image.open(photo.thumbnail.path) as thumb:
        assert max(thumb.size) == 400
    assert "液相色谱" in instrument.search_document and "6545 q-tof" in instrument.search_document
    created = instrument.history.get()
    assert created.history_user == manager and created.history_change_reason == "created"


def test_a_unit_admin_may_register_too(unit, unit_admin):
    assert services.instrument_create(actor=unit_admin, unit=unit, fields=record()).pk


@pytest.mark.parametrize("role", ["member", "outsider", "other_manager"])
def test_people_who_do_not_manage_the_unit_cannot_register(unit, role, request):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.instrument_create(actor=actor, unit=unit, fields=record())
    assert not Instrument.objects.exists()


@pytest.mark.parametrize("status", ["pending", "suspended", "rejected"])
def test_managers_of_units_that_are_not_approved_cannot_register(status):
    unit = UnitFactory(status=status)
    manager = MembershipFactory(unit=unit, role="manager").user
    with pytest.raises(PermissionDenied):
        services.instrument_create(actor=manager, unit=unit, fields=record())


def test_the_asset_number_is_unique_within_the_unit_with_a_clear_message(unit, manager, other_unit, other_manager):
    services.instrument_create(actor=manager, unit=unit, fields=record())
    with pytest.raises(ValidationError) as err:
        services.instrument_create(actor=manager, unit=unit, fields=record(asset_number=" ZC-2019-00871 "))
    assert "ZC-2019-00871" in err.value.message_dict["asset_number"][0]
    # another unit may use the same number
    assert services.instrument_create(actor=other_manager, unit=other_unit, fields=record()).pk


def test_every_wrong_field_is_named_and_nothing_is_written(unit, manager):
    with pytest.raises(ValidationError) as err:
        services.instrument_create(
            actor=manager,
            unit=unit,
            fields=record(
                name="",
                original_value=Decimal("-1"),
                subject_areas="数学；物理学；化学；天文学；地球科学",
                min_slot_minutes=120,
                max_slot_minutes=60,
                model="x" * 101,
            ),
            fee_items=[{"name": "测试", "basis": "hour", "internal_price": "-5", "external_price": "10"}],
            opening_hours=[{"weekday": 1, "opens": "14:00", "closes": "09:00"}],
            photos=[text_renamed_jpg()],
        )
    errors = err.value.message_dict
    assert {"name", "original_value", "subject_areas", "max_slot_minutes", "model"} <= set(errors)
    assert "at most 4" in errors["subject_areas"][0]
    assert "shorter than the shortest" in errors["max_slot_minutes"][0]
    assert errors["fee_items"][0].startswith("Row 1:")
    assert "later than the opening time" in errors["opening_hours"][0]
    assert "not a JPEG or PNG" in errors["photos"][0]
    assert not Instrument.objects.exists() and not FeeItem.objects.exists() and not Photo.objects.exists()


def test_fee_items_need_names_and_non_negative_prices_with_two_decimals():
    with pytest.raises(RowsInvalid) as err:
        services.clean_fee_items(
            [
                {"name": "ok", "basis": "day", "internal_price": "1", "external_price": "2"},
                {"name": "", "basis": "hour", "internal_price": "1", "external_price": "2"},
                {"name": "负价", "basis": "hour", "internal_price": "-0.01", "external_price": "2"},
                {"name": "三位小数", "basis": "hour", "internal_price": "1.005", "external_price": "2"},
                {"name": "奇怪单位", "basis": "week", "internal_price": "1", "external_price": "2"},
            ]
        )
    assert set(err.value.rows) == {1, 2, 3, 4}
    assert "name" in err.value.rows[1].message_dict
    assert "internal_price" in err.value.rows[2].message_dict
    assert "internal_price" in err.value.rows[3].message_dict
    assert "basis" in err.value.rows[4].message_dict


def test_opening_hours_must_close_after_opening_and_not_overlap_within_a_day():
    with pytest.raises(RowsInvalid) as err:
        services.clean_opening_hours(
            [
                {"weekday": 0, "opens": "08:00", "closes": "18:00"},
                {"weekday": 0, "opens": "09:00", "closes": "10:00"},  # inside the first
                {"weekday": 0, "opens": "11:00", "closes": "12:00"},  # also inside the first
                {"weekday": 1, "opens": "09:00", "closes": "09:00"},  # empty period
                {"weekday": 2, "opens": "08:00", "closes": "12:00"},
                {"weekday": 2, "opens": "12:00", "closes": "17:00"},  # touching is fine
                {"weekday": 3, "opens": "09:00", "closes": "17:00"},
            ]
        )
    assert set(err.value.rows) == {1, 2, 3}
    assert "overlaps" in err.value.rows[1].message_dict["opens"][0]
    assert "08:00–18:00" in err.value.rows[2].message_dict["opens"][0]
    assert "closes" in err.value.rows[3].message_dict


def test_subject_areas_accept_the_usual_separators_and_at_most_four():
    assert services.validate_subject_areas(" 材料科学 ;物理学，化学、 生物学 ") == "材料科学；物理学；化学；生物学"
    assert services.validate_subject_areas("") == ""
    with pytest.raises(ValidationError):
        services.validate_subject_areas("一；二；三；四；五")


def test_update_changes_only_what_is_given_and_records_who_and_why(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    updated = services.instrument_update(
        actor=manager, instrument=instrument, fields={"model": "JSM-7900F Plus", "min_lead_hours": 12}, reason="铭牌"
    )
    assert updated.model == "JSM-7900F Plus" and updated.min_lead_hours == 12
    assert updated.name == "场发射扫描电子显微镜"
    assert "jsm-7900f plus" in Instrument.objects.get(pk=instrument.pk).search_document
    last = updated.history.order_by("-history_id").first()
    assert last.history_user == manager and last.history_change_reason == "updated: 铭牌"
    changed = last.diff_against(last.prev_record).changed_fields
    assert set(changed) == {"model", "min_lead_hours"}


def test_update_without_a_change_writes_no_history(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_update(actor=manager, instrument=instrument, fields={"name": instrument.name})
    assert instrument.history.count() == 1  # the factory's creation only


def test_update_replaces_fee_items_and_opening_hours_only_when_given(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    kept = FeeItemFactory(instrument=instrument, name="形貌观察")
    dropped = FeeItemFactory(instrument=instrument, name="能谱分析")
    OpeningHoursFactory(instrument=instrument)

    services.instrument_update(actor=manager, instrument=instrument, fields={"name": "扫描电镜"})
    assert instrument.fee_items.count() == 2 and instrument.opening_hours.count() == 1

    services.instrument_update(
        actor=manager,
        instrument=instrument,
        fields={},
        fee_items=[
            {"id": kept.pk, "name": "形貌观察", "basis": "hour", "internal_price": "250", "external_price": "500"},
            {"name": "制样", "basis": "sample", "internal_price": "50", "external_price": "80"},
        ],
        opening_hours=[],
    )
    assert sorted(instrument.fee_items.values_list("name", flat=True)) == ["制样", "形貌观察"]
    assert FeeItem.objects.get(pk=kept.pk).internal_price == Decimal("250.00")
    assert not FeeItem.objects.filter(pk=dropped.pk).exists()
    assert not instrument.opening_hours.exists()
    last = instrument.history.order_by("-history_id").first()
    assert last.history_change_reason == "fee_items+opening_hours" and last.history_user == manager
    fee_history = FeeItem.history.filter(instrument_id=instrument.pk).exclude(history_user=None)
    assert sorted(fee_history.values_list("history_type", flat=True)) == ["+", "-", "~"]


def test_a_fee_item_id_of_another_instrument_creates_a_new_row(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    foreign = FeeItemFactory()
    services.instrument_update(
        actor=manager,
        instrument=instrument,
        fields={},
        fee_items=[{"id": foreign.pk, "name": "抢来的", "basis": "hour", "internal_price": 1, "external_price": 2}],
    )
    foreign.refresh_from_db()
    assert foreign.name == "形貌观察" and foreign.instrument_id != instrument.pk
    assert instrument.fee_items.get().name == "抢来的"


@pytest.mark.parametrize("role", ["member", "outsider", "other_manager"])
def test_others_cannot_edit_change_status_retire_or_add_photos(unit, role, request):
    actor = request.getfixturevalue(role)
    instrument = InstrumentFactory(unit=unit)
    photo = Photo.objects.create(instrument=instrument, image="instruments/x.jpg")
    calls = [
        lambda: services.instrument_update(actor=actor, instrument=instrument, fields={"name": "改名"}),
        lambda: services.instrument_set_status(actor=actor, instrument=instrument, operating_status="standby"),
        lambda: services.instrument_retire(actor=actor, instrument=instrument),
        lambda: services.photo_add(actor=actor, instrument=instrument, image_file=image_upload()),
        lambda: services.photo_remove(actor=actor, photo=photo),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    instrument.refresh_from_db()
    assert instrument.name == "场发射扫描电子显微镜" and not instrument.is_retired and photo.pk


def test_a_suspended_unit_can_no_longer_edit(unit, manager):
    instrument = InstrumentFactory(unit=unit)
    unit.status = "suspended"
    unit.save()
    with pytest.raises(PermissionDenied):
        services.instrument_update(actor=manager, instrument=instrument, fields={"name": "改名"})


def test_set_status_records_the_change_and_refuses_a_no_op(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_set_status(
        actor=manager, instrument=instrument, operating_status="awaiting_repair", reason="真空泵故障"
    )
    instrument.refresh_from_db()
    assert instrument.operating_status == "awaiting_repair"
    last = instrument.history.order_by("-history_id").first()
    assert last.history_change_reason == "status: 真空泵故障" and last.history_user == manager
    with pytest.raises(InvalidTransition):
        services.instrument_set_status(actor=manager, instrument=instrument, operating_status="awaiting_repair")
    with pytest.raises(ValidationError):
        services.instrument_set_status(actor=manager, instrument=instrument, operating_status="broken")


def test_retire_takes_the_instrument_out_for_good(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_retire(actor=manager, instrument=instrument, reason="已报废处置")
    instrument.refresh_from_db()
    assert instrument.is_retired
    assert not Instrument.objects.public().filter(pk=instrument.pk).exists()
    last = instrument.history.order_by("-history_id").first()
    assert last.history_change_reason == "retired: 已报废处置" and last.history_user == manager
    for call in (
        lambda: services.instrument_retire(actor=manager, instrument=instrument),
        lambda: services.instrument_update(actor=manager, instrument=instrument, fields={"name": "复活"}),
        lambda: services.instrument_set_status(actor=manager, instrument=instrument, operating_status="normal"),
        lambda: services.photo_add(actor=manager, instrument=instrument, image_file=image_upload()),
    ):
        with pytest.raises(InstrumentRetired):
            call()


def test_photos_are_checked_by_content_not_by_name(manager, unit):
    instrument = InstrumentFactory(unit=unit)
    with pytest.raises(ValidationError) as err:
        services.photo_add(actor=manager, instrument=instrument, image_file=text_renamed_jpg())
    assert "not a JPEG or PNG" in err.value.message_dict["image"][0]
    with pytest.raises(ValidationError) as err:
        services.photo_add(actor=manager, instrument=instrument, image_file=image_upload("GIF", name="cat.png"))
    assert "GIF" in err.value.message_dict["image"][0]
    # a PNG named .jpg is still a PNG, and is stored as one
    photo = services.photo_add(actor=manager, instrument=instrument, image_file=image_upload("PNG", name="x.jpg"))
    assert photo.image.name.endswith(".png")
    assert instrument.photos.count() == 1


def test_a_photo_over_one_megabyte_is_accepted_and_over_five_refused(manager, unit, monkeypatch):
    instrument = InstrumentFactory(unit=unit)
    big = image_upload("PNG", size=(800, 600), noise=True)
    assert big.size > 1024 * 1024
    photo = services.photo_add(actor=manager, instrument=instrument, image_file=big, caption="全景")
    assert photo.thumbnail and photo.caption == "全景"
    monkeypatch.setattr(images, "MAX_PHOTO_BYTES", 1024 * 1024)
    with pytest.raises(ValidationError) as err:
        services.photo_add(
            actor=manager, instrument=instrument, image_file=image_upload("PNG", size=(800, 600), noise=True)
        )
    assert "limit is 1.0" in err.value.message_dict["image"][0]


def test_a_damaged_image_is_refused(manager, unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import image_bytes

    data = image_bytes("JPEG", size=(800, 600), noise=True)
    damaged = SimpleUploadedFile("broken.jpg", data[: len(data) // 3], content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.photo_add(actor=manager, instrument=InstrumentFactory(unit=unit), image_file=damaged)


def test_photo_limit_per_instrument(manager, unit, monkeypatch):
    monkeypatch.setattr(images, "MAX_PHOTOS_PER_INSTRUMENT", 1)
    instrument = InstrumentFactory(unit=unit)
    services.photo_add(actor=manager, instrument=instrument, image_file=image_upload())
    with pytest.raises(DomainError):
        services.photo_add(actor=manager, instrument=instrument, image_file=image_upload())


def test_removing_a_photo_deletes_its_files_after_commit(manager, unit, django_capture_on_commit_callbacks):
    instrument = InstrumentFactory(unit=unit)
    photo = services.photo_add(actor=manager, instrument=instrument, image_file=image_upload(), caption="正面")
    names = [photo.image.name, photo.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_remove(actor=manager, photo=photo)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(default_storage.exists(name) for name in names)
    reasons = list(instrument.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["photo_added: 正面", "photo_removed: 正面"]
