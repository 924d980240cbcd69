"""An instrument manager logs in on a phone, registers an instrument with fees, opening hours and a
photo through the form (after one correction), and finds it on the unit's dashboard and history."""

import pytest

from instruments.models import Instrument
from tests.factories import PASSWORD, MembershipFactory, UnitFactory
from tests.instruments.factories import CategoryFactory, image_bytes


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_manager_registers_an_instrument_with_a_photo(page, live_server, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = UnitFactory(name="内蒙古科技大学", short_name="内蒙古科大")
    manager = MembershipFactory(unit=unit, role="manager", user__name="赵磊").user
    CategoryFactory()  # 01 分析仪器 / 0101 电子光学仪器 (a transactional test starts with no seeded classes)
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/units/{unit.pk}/instruments/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/units/{unit.pk}/instruments/")
    assert "尚无仪器" in page.inner_text("#instrument-list")
    screenshot(page, "empty-dashboard")

    page.click(f"a[href='/units/{unit.pk}/instruments/new/']")
    page.wait_for_selector("input[name=asset_number]")
    # the unit's contact is filled in already
    assert page.input_value("input[name=contact_person]") == unit.contact_person
    page.fill("input[name=asset_number]", "ZC-2021-00318")
    page.fill("input[name=name]", "场发射扫描电子显微镜")
    page.fill("input[name=name_en]", "Field-emission scanning electron microscope")
    page.select_option("select[name=category]", label="0101 电子光学仪器")
    page.fill("input[name=model]", "JSM-7900F")
    page.fill("input[name=manufacturer]", "日本电子株式会社")
    page.fill("input[name=country_of_origin]", "日本")
    page.select_option("select[name=source]", "purchased")
    page.check("input[name=customs_supervised]")
    page.fill("input[name=original_value]", "3850000.00")
    page.fill("input[name=commissioned_on]", "2021-06-18")
    page.fill("textarea[name=technical_indicators]", "分辨率 0.6 nm（15 kV）；放大倍数 25–1,000,000")
    page.fill("textarea[name=functions]", "材料表面形貌观察与微区成分分析")
    page.fill("input[name=subject_areas]", "材料科学；物理学")
    page.fill("textarea[name=service_content]", "样品测试、数据分析")
    page.fill("input[name=contact_phone]", "0472-5951234")
    # a slip in the booking settings
    page.fill("input[name=min_slot_minutes]", "120")
    page.fill("input[name=max_slot_minutes]", "60")
    page.fill("input[name='fees-0-name']", "形貌观察")
    page.select_option("select[name='fees-0-basis']", "hour")
    page.fill("input[name='fees-0-internal_price']", "200")
    page.fill("input[name='fees-0-external_price']", "400")
    for row, (opens, closes) in enumerate([("08:30", "12:00"), ("14:00", "17:30")]):
        for day in range(5):  # Monday to Friday
            page.check(f"input[name='hours-{row}-weekdays'][value='{day}']")
        page.fill(f"input[name='hours-{row}-opens']", opens)
        page.fill(f"input[name='hours-{row}-closes']", closes)
    screenshot(page, "register-form")
    page.click("main form button[type=submit]")

    # the mistake is shown beside the field, and nothing typed is lost
    page.wait_for_selector("#error-summary")
    assert "最长预约时长" in page.inner_text("#id_max_slot_minutes_errors")
    assert page.input_value("input[name=name]") == "场发射扫描电子显微镜"
    assert page.input_value("input[name='hours-1-closes']") == "17:30"
    assert page.is_checked("input[name='hours-1-weekdays'][value='4']")
    assert page.input_value("input[name='fees-0-external_price']") == "400"
    screenshot(page, "register-error")

    page.fill("input[name=max_slot_minutes]", "480")
    page.set_input_files(
        "input[name='photo-image']",
        files=[{"name": "sem.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size=(1600, 1200))}],
    )
    page.fill("input[name='photo-caption']", "主机外观")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/units/{unit.pk}/instruments/")
    assert "已登记" in page.inner_text(".messages")
    row = page.inner_text("#instrument-list tbody")
    assert "场发射扫描电子显微镜" in row and "正常" in row and "外部共享" in row and "385.00" in row
    screenshot(page, "dashboard")

    instrument = Instrument.objects.get(unit=unit, asset_number="ZC-2021-00318")
    assert instrument.customs_supervised and instrument.max_slot_minutes == 480
    assert instrument.fee_items.count() == 1 and instrument.opening_hours.count() == 10
    photo = instrument.photos.get()
    assert photo.caption == "主机外观" and photo.thumbnail

    page.click(f"a[href='/instruments/{instrument.pk}/history/']")
    page.wait_for_selector("#history")
    assert "赵磊" in page.inner_text("#history")
    screenshot(page, "history")
