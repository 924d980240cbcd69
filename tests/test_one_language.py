"""One language at a time: an English page shows the English names of classes, districts, units
and instruments (the instrument's Chinese name beside its English one), English statuses and
English amounts; a Chinese page shows none of the English labels."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from bookings.models import Booking, ServiceRecord
from core.transitions import history_note
from instruments.models import Category, Instrument
from members.models import Unit
from tests.bookings.factories import (
    BookingFactory,
    FeeItemFactory,
    InstrumentFactory,
    ServiceRecordFactory,
    member_of,
)
from tests.factories import DistrictFactory, UnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")

# (Chinese, English) of each label the pages show.
CLASS = ("电子光学仪器", "Electron optics")
MAIN_CLASS = ("分析仪器", "Analytical instruments")
# Not in the factory's unit address: addresses are free text in Chinese and are not names.
DISTRICT = ("东河区", "Donghe District")
OWNER = ("内蒙古科技大学", "Inner Mongolia University of Science and Technology")
REQUESTER_UNIT = ("包头稀宝新材料科技有限公司", "Baotou Xibao New Materials Technology Co., Ltd.")
INSTRUMENT = ("场发射透射电子显微镜", "Field-emission transmission electron microscope")
VALUE = ("227.66万元", "2.28 million yuan")
BOOKING_STATUS = ("待审批", "Requested")
OPERATING_STATUS = ("正常", "Normal")
CHINESE, ENGLISH = 0, 1


@pytest.fixture
def pages(db, client):
    district = DistrictFactory(name=DISTRICT[CHINESE], name_en=DISTRICT[ENGLISH])
    owner = UnitFactory(name=OWNER[CHINESE], name_en=OWNER[ENGLISH], district=district)
    enterprise = UnitFactory(
        name=REQUESTER_UNIT[CHINESE], name_en=REQUESTER_UNIT[ENGLISH], district=district, unit_type="enterprise"
    )
    instrument = InstrumentFactory(
        unit=owner,
        name=INSTRUMENT[CHINESE],
        name_en=INSTRUMENT[ENGLISH],
        category=Category.objects.get(code="0101"),
        original_value=Decimal("2276600.00"),
        operating_status=Instrument.OperatingStatus.NORMAL,
    )
    FeeItemFactory(instrument=instrument)
    requester = member_of(enterprise, name="张伟")
    start = datetime.combine(timezone.localdate() + timedelta(days=7), time(9), tzinfo=SHANGHAI)
    booking = BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=enterprise,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=Booking.Status.REQUESTED,
    )
    client.force_login(requester)

    def get(language):
        urls = {
            "catalogue": reverse("instruments:catalogue"),
            "instrument": instrument.get_absolute_url(),
            "unit": owner.get_absolute_url(),
            "booking": reverse("bookings:detail", args=[booking.pk]),
            "calendar": reverse("bookings:calendar", args=[instrument.pk]),
        }
        return {
            name: without_addresses(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
            for name, url in urls.items()
        }

    return get


ADDRESS = re.compile(r'<dd id="(?:unit-address|instrument-location)">[^<]*</dd>')


def without_addresses(html: str) -> str:
    """The page without its address lines: an address is postal text (its district included),
    written as it is to be found on the spot and on a map, in Chinese on every page; not a label."""
    return ADDRESS.sub("", html)


EXPECTED = {
    "catalogue": [CLASS, MAIN_CLASS, DISTRICT, OWNER, INSTRUMENT, VALUE],
    "instrument": [CLASS, MAIN_CLASS, OWNER, INSTRUMENT, VALUE, OPERATING_STATUS],
    "unit": [OWNER, DISTRICT],
    "booking": [OWNER, REQUESTER_UNIT, INSTRUMENT, BOOKING_STATUS],
    "calendar": [OWNER, INSTRUMENT],
}


def test_english_pages_show_english_labels(pages):
    """English pages: every label in English; the instrument's Chinese name only beside its English one."""
    html = pages("en")
    for page, labels in EXPECTED.items():
        for label in labels:
            assert label[ENGLISH] in html[page], (page, label[ENGLISH])
            if label is INSTRUMENT:
                assert f'<span class="other-name" lang="zh-Hans">{INSTRUMENT[CHINESE]}</span>' in html[page], page
            else:
                assert label[CHINESE] not in html[page], (page, label[CHINESE])
        assert "万元" not in html[page] and "ten thousand" not in html[page], page


def test_chinese_pages_show_no_english_labels(pages):
    """Chinese pages: the Chinese labels, and none of the English ones (the instrument's English
    name appears only as its own line on the instrument page, marked as English)."""
    html = pages("zh-hans")
    for page, labels in EXPECTED.items():
        for label in labels:
            assert label[CHINESE] in html[page], (page, label[CHINESE])
            if label is INSTRUMENT and page == "instrument":
                assert f'<p class="lead" lang="en">{INSTRUMENT[ENGLISH]}</p>' in html[page]
            else:
                assert label[ENGLISH] not in html[page], (page, label[ENGLISH])
        assert "million yuan" not in html[page], page


@pytest.mark.django_db
def test_a_unit_without_an_english_name_shows_its_chinese_name_in_english():
    unit = UnitFactory(name="包头市精工检测技术有限公司", name_en="")
    with translation.override("en"):
        assert unit.display_name == "包头市精工检测技术有限公司"


@pytest.mark.django_db
def test_the_service_record_on_a_chinese_booking_page_counts_hours_in_chinese(client):
    booking = BookingFactory(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2, hours=-2)
    )
    booking.status = Booking.Status.COMPLETED
    booking.save()
    ServiceRecordFactory(
        instrument=booking.instrument, booking=booking, started_at=booking.starts_at, ended_at=booking.ends_at
    )
    assert ServiceRecord.objects.filter(booking=booking).exists()
    client.force_login(booking.requester)
    url = reverse("bookings:detail", args=[booking.pk])
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert " 小时 · " in chinese and " h · " not in chinese
    assert " h · " in english


def test_history_notes_read_in_the_readers_language():
    """A stored "rejected: 材料不全" or "registered" reads in the page's language; the person's
    own reason stays as written."""
    with translation.override("zh-hans"):
        assert history_note(Unit, "rejected: 材料不全") == "已驳回：材料不全"
        assert history_note(Unit, "registered") == "已登记"
        assert history_note(Unit, "something else") == "something else"
    with translation.override("en"):
        assert history_note(Unit, "rejected: 材料不全") == "Rejected: 材料不全"
        assert history_note(Unit, "registered") == "Registered"


@pytest.mark.django_db
def test_a_duplicate_credit_code_reads_naturally_in_chinese():
    unit = UnitFactory()
    copy = Unit(name="另一单位", credit_code=unit.credit_code)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            copy.validate_unique()
        assert "该统一社会信用代码已有会员单位注册。" in str(error.value)
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            copy.validate_unique()
        assert "A unit with this unified social credit code is already registered." in str(error.value)


@pytest.mark.django_db
def test_choice_lists_name_districts_classes_and_units_in_the_readers_language(client):
    """Drop-downs are drawn from the records' names (``__str__``): the units directory's district
    filter, the unit registration form and the catalogue's class filter read in English on English
    pages and in Chinese on Chinese ones."""
    DistrictFactory(name=DISTRICT[CHINESE], name_en=DISTRICT[ENGLISH])
    client.force_login(member_of(UnitFactory(name=OWNER[CHINESE], name_en=OWNER[ENGLISH]), role="admin"))
    for url in (reverse("members:unit_list"), reverse("members:unit_register"), reverse("instruments:catalogue")):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        options = re.compile(r"<option[^>]*>([^<]*)</option>")
        english_options, chinese_options = options.findall(english), options.findall(chinese)
        if "instruments" in url:
            assert any(MAIN_CLASS[ENGLISH] in o for o in english_options), url
            assert not any(MAIN_CLASS[CHINESE] in o for o in english_options), url
        else:
            assert DISTRICT[ENGLISH] in english_options and DISTRICT[CHINESE] not in english_options, url
            assert DISTRICT[CHINESE] in chinese_options and DISTRICT[ENGLISH] not in chinese_options, url
