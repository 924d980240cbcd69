"""Chinese pages use full-width punctuation between their pieces (名称：值, 甲，乙；丙, 单位（简称）),
English pages ASCII marks with a space after them. Each page below joins a label to its value, a
name to a note in brackets or several values in a list; the test reads its visible text."""

import html as html_lib
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, FundingSource
from subsidies.models.choices import TierCondition
from tests.bookings.factories import BookingFactory, FeeItemFactory, InstrumentFactory, member_of
from tests.factories import UnitFactory
from tests.subsidies.factories import ProgrammeFactory, paid_record, tier

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = "\u4e00-\u9fff"
# An ASCII mark touching a Chinese character, or an ASCII bracket after one with a space between.
HALF_WIDTH = re.compile(rf"[{CJK}][:;,()]|[:;,(][{CJK}]|[{CJK}] \(")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture
def pages(client):
    owner = UnitFactory(name="内蒙古科技大学", short_name="内蒙古科大", name_en="Inner Mongolia University of S&T")
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    instrument = InstrumentFactory(unit=owner, name="场发射透射电子显微镜", original_value=Decimal("2276600.00"))
    FeeItemFactory(instrument=instrument, name="高分辨透射电镜测试")
    FeeItemFactory(instrument=instrument, name="电子衍射")
    requester = member_of(enterprise, role="admin", name="张伟")
    manager = member_of(owner, role="manager", name="赵磊")
    start = datetime.combine(timezone.localdate() + timedelta(days=7), time(9), tzinfo=SHANGHAI)
    booking = BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=enterprise,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=Booking.Status.REQUESTED,
        project_name="稀土永磁材料研发",
        funding_source=FundingSource.ENTERPRISE,
        chosen=list(instrument.fee_items.order_by("pk")),
    )
    record = paid_record(
        instrument=instrument,
        unit=enterprise,
        amount="900.00",
        computed_amount=Decimal("1000.00"),
        amount_reason="协议价",
        project_name="稀土永磁材料研发",
    )
    programme = ProgrammeFactory(name="大型仪器共享补助", cap_per_application=None)
    tier(programme, TierCondition.HIGH_TECH, "0.2000")

    def get(language):
        urls = {
            "instrument": (None, instrument.get_absolute_url()),
            "unit": (None, owner.get_absolute_url()),
            "calendar": (requester, reverse("bookings:calendar", args=[instrument.pk])),
            "booking": (manager, reverse("bookings:detail", args=[booking.pk])),
            "record": (manager, reverse("bookings:record_detail", args=[record.pk])),
            "records": (manager, reverse("bookings:record_list")),
            "subsidies": (requester, reverse("subsidies:index")),
        }
        texts = {}
        for name, (user, url) in urls.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (name, response.status_code)
            texts[name] = visible_text(response.content.decode())
        return texts

    return get


def test_chinese_pages_use_full_width_punctuation(pages):
    for name, text in pages("zh-hans").items():
        found = sorted({text[max(m.start() - 12, 0) : m.end() + 12].strip() for m in HALF_WIDTH.finditer(text)})
        assert found == [], name


def test_the_pieces_read_with_full_width_marks_in_chinese_and_ascii_ones_in_english(pages):
    chinese, english = pages("zh-hans"), pages("en")
    assert "内蒙古科技大学（高等院校，" in chinese["instrument"]
    assert "Inner Mongolia University of S&T (University, " in english["instrument"]
    assert "内蒙古科大）" in chinese["unit"] and "(内蒙古科大)" in english["unit"]
    assert "高分辨透射电镜测试：" in chinese["calendar"] and "高分辨透射电镜测试: " in english["calendar"]
    assert "稀土永磁材料研发（企业自筹）" in chinese["booking"]
    assert re.search(r"按小时；电子衍射：", chinese["booking"])
    assert re.search(r"per hour; 电子衍射: ", english["booking"])
    assert "900.00元（计算值 1,000.00元；协议价）" in chinese["record"]
    assert "(computed 1,000.00 yuan; 协议价)" in english["record"]
    assert "每次申请不设上限；" in chinese["subsidies"]
