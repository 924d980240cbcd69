"""Duplicate-purchase review (查重评议): which instruments are similar and in what order, their
hours over the last twelve months and the 1,200-hour line, the three verdicts, the dated record,
and who may ask for and read a review (the same 404 for missing and another unit's)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Outage, SlotHold
from core.exceptions import DomainError
from instruments.models import Category, Instrument, OpeningHours
from members.models import Unit
from reports import review as selectors
from reports.models import DuplicateReview
from reports.services import duplicate_review_create
from tests.bookings.factories import ServiceRecordFactory
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.instruments.factories import CategoryFactory, InstrumentFactory, TopCategoryFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPECS = "加速电压 200 kV；点分辨率 0.23 nm"


def worked(instrument, hours, *, days_ago=40, unit=None):
    """A service of ``hours`` a while ago (well inside the last twelve months)."""
    started = timezone.now() - timedelta(days=days_ago)
    return ServiceRecordFactory(
        instrument=instrument,
        started_at=started,
        ended_at=started + timedelta(hours=2),
        hours=Decimal(hours),
        user_unit=unit,
        is_external=unit is not None and unit.pk != instrument.unit_id,
    )


def subcategory(code, name):
    top = TopCategoryFactory(code=code[:2], name=f"大类{code[:2]}")
    return CategoryFactory(code=code, name=name, parent=top)


@pytest.fixture
def asking(db):
    """The unit planning the purchase and its administrator."""
    unit = UnitFactory(name="内蒙古科技大学")
    admin = MembershipFactory(unit=unit, role="admin", user=UserFactory(name="李主任")).user
    return unit, admin


@pytest.fixture
def region(db):
    """Electron optics (0101) in the region, worked out by hand:

    - tem_busy   JEM-2100F     1,300 h in the last 12 months: not under-used (1,300 ≥ 1,200);
    - tem_idle   JEM-2100Plus    500 h: under-used, shared externally, normal: blocks a purchase;
    - sem        SU8010            0 h: under-used;
    - holder     0108, a TEM holder with the very model entered: same 大类, listed after all 0101;
    - never listed: a 0201 testing machine (another 大类), a retired TEM, a pending unit's TEM.
    """
    eo = subcategory("0101", "电子光学仪器")
    micro = subcategory("0108", "显微镜及图象分析仪器")
    mech = subcategory("0201", "力学性能测试仪器")
    owner_b, owner_c = UnitFactory(name="包头钢铁研究院"), UnitFactory(name="内蒙古大学")
    pending = UnitFactory(name="待审核单位", status=Unit.Status.PENDING)
    tem = {"name": "透射电子显微镜", "category": eo, "commissioned_on": datetime(2020, 5, 1).date()}
    made = {
        "sem": InstrumentFactory(unit=owner_b, category=eo, name="扫描电子显微镜", model="SU8010"),
        "tem_idle": InstrumentFactory(unit=owner_c, model="JEM-2100Plus", **tem),
        "tem_busy": InstrumentFactory(unit=owner_b, model="JEM-2100F", **tem),
        "holder": InstrumentFactory(unit=owner_c, category=micro, name="透射电子显微镜样品杆", model="JEM-2100F"),
        "mech": InstrumentFactory(unit=owner_b, category=mech, name="电子万能试验机", model="JEM-2100F"),
        "retired": InstrumentFactory(unit=owner_b, model="JEM-2100F", retired_at=timezone.now(), **tem),
        "pending": InstrumentFactory(unit=pending, model="JEM-2100F", **tem),
    }
    worked(made["tem_busy"], "1000")
    worked(made["tem_busy"], "300", days_ago=200)
    worked(made["tem_idle"], "500")
    worked(made["tem_idle"], "900", days_ago=400)  # more than a year ago: does not count
    return made


def ask(unit, user, category, **fields):
    values = {"name": "透射电子显微镜", "model": "JEM-2100F", "specifications": SPECS, "price": Decimal("6800000.00")}
    values.update(fields)
    return duplicate_review_create(actor=user, unit=unit, category=category, **values)


# --- Similar instruments and their order ---------------------------------------------------------


def test_model_core_ignores_punctuation_case_and_the_variant_letter():
    assert selectors.model_core("JEM-2100F") == "jem2100"
    assert selectors.model_core("ｊｅｍ 2100") == "jem2100"
    assert selectors.model_core("SU-8010") == "su8010"
    assert selectors.model_core("X") == ""


def test_terms_are_han_bigrams_and_latin_words():
    terms = selectors.search_terms(name="透射电镜", model="JEM-2100F", specifications="分辨率 0.23 nm；泵")
    assert sorted(terms) == sorted(["电镜", "射电", "透射", "jem-2100f", "分辨", "辨率", "泵", "0.23", "nm"])


def test_same_subcategory_first_ranked_by_the_model_then_the_other_subcategories(region):
    eo = Category.objects.get(code="0101")
    rows = selectors.similar_instruments(category=eo, name="透射电子显微镜", model="JEM-2100F", specifications=SPECS)
    order = [row["pk"] for row in rows]
    r = region
    # The two TEMs share the model's core (tem_busy even its exact spelling), the SEM only words;
    # the 0108 holder has the very model but is of another subcategory, so it comes after them.
    assert order == [r["tem_busy"].pk, r["tem_idle"].pk, r["sem"].pk, r["holder"].pk]
    assert [row["same_subcategory"] for row in rows] == [1, 1, 1, 0]


def test_another_subcategory_is_listed_only_when_it_shares_something(region):
    micro = Category.objects.get(code="0108")
    rows = selectors.similar_instruments(category=micro, name="荧光定量仪", model="Q5", specifications="")
    assert [row["pk"] for row in rows] == [region["holder"].pk]


# --- Use, the 1,200-hour line and the verdicts ---------------------------------------------------


def test_not_justified_when_a_same_subcategory_instrument_is_under_used_and_bookable(asking, region):
    unit, admin = asking
    review = ask(unit, admin, Category.objects.get(code="0101"))
    assert review.verdict == "not_justified"
    listed = {row["id"]: row for row in review.result["instruments"]}
    busy, idle, sem = listed[region["tem_busy"].pk], listed[region["tem_idle"].pk], listed[region["sem"].pk]
    # 1,000 + 300 hours; the 900 of more than a year ago do not count.
    assert (busy["effective_hours"], busy["under_used"], busy["utilisation"]) == ("1300.00", False, "0.8125")
    assert (idle["effective_hours"], idle["under_used"], idle["blocks"]) == ("500.00", True, True)
    assert (sem["effective_hours"], sem["under_used"]) == ("0.00", True)
    assert busy["underuse_line"] == "1200.00"
    assert busy["unit"] == "包头钢铁研究院" and busy["original_value"] == "3850000.00"
    assert review.result["counts"] == {"similar": 4, "same_subcategory": 3, "under_used_bookable": 2, "under_used": 3}
    sentence = selectors.verdict_sentence(review)
    assert "1,200" in sentence and "财科教〔2019〕1号" in sentence


def test_review_when_similar_ones_exist_but_none_is_under_used_and_bookable(asking, region):
    unit, admin = asking
    Instrument.objects.filter(pk__in=[region["tem_idle"].pk, region["sem"].pk]).update(
        sharing_mode=Instrument.SharingMode.NONE
    )
    review = ask(unit, admin, Category.objects.get(code="0101"))
    assert review.verdict == "review"
    assert review.result["counts"]["under_used"] == 3  # under-used, but nobody can book them
    assert review.result["counts"]["under_used_bookable"] == 0


def test_internal_sharing_blocks_a_purchase_only_of_the_same_unit(asking, region):
    unit, admin = asking
    Instrument.objects.filter(pk__in=[region["tem_idle"].pk, region["sem"].pk]).update(
        sharing_mode=Instrument.SharingMode.INTERNAL
    )
    assert ask(unit, admin, Category.objects.get(code="0101")).verdict == "review"
    Instrument.objects.filter(pk=region["sem"].pk).update(unit=unit)
    assert ask(unit, admin, Category.objects.get(code="0101")).verdict == "not_justified"


def test_an_instrument_awaiting_repair_does_not_block(asking, region):
    unit, admin = asking
    Instrument.objects.filter(pk__in=[region["tem_idle"].pk, region["sem"].pk]).update(
        operating_status=Instrument.OperatingStatus.AWAITING_REPAIR
    )
    assert ask(unit, admin, Category.objects.get(code="0101")).verdict == "review"


def test_justified_when_nothing_similar_exists(asking, region):
    unit, admin = asking
    astro = subcategory("0401", "天体测量仪器")
    review = ask(unit, admin, astro, name="天体测量仪", model="AM-1", specifications="测角精度 0.1 角秒")
    assert review.verdict == "justified"
    assert review.result["instruments"] == []
    assert "1,200" in selectors.verdict_sentence(review)


def test_the_line_is_pro_rated_for_an_instrument_commissioned_during_the_year(asking, db):
    unit, admin = asking
    eo = subcategory("0101", "电子光学仪器")
    today = timezone.localdate()
    young = InstrumentFactory(
        category=eo, name="透射电子显微镜", model="JEM-2100F", commissioned_on=today - timedelta(days=72)
    )
    worked(young, "300", days_ago=10)
    review = ask(unit, admin, eo)
    row = review.result["instruments"][0]
    # In service 73 of the last 365 days (today included): line 1,200 × 73/365 = 240 hours.
    assert row["underuse_line"] == "240.00"
    assert row["under_used"] is False
    assert review.verdict == "review"


def test_free_hours_are_the_opening_hours_not_held(db):
    eo = subcategory("0101", "电子光学仪器")
    instrument = InstrumentFactory(category=eo)
    OpeningHours.objects.create(instrument=instrument, weekday=0, opens=time(8, 30), closes=time(12, 0))
    start = datetime(2030, 3, 4, tzinfo=SHANGHAI)  # a Monday
    a, b = datetime(2030, 3, 4, 9, tzinfo=SHANGHAI), datetime(2030, 3, 4, 10, tzinfo=SHANGHAI)
    outage = Outage.objects.create(instrument=instrument, starts_at=a, ends_at=b, kind="repair")
    SlotHold.objects.create(instrument=instrument, starts_at=a, ends_at=b, kind="outage", outage=outage)
    closed = InstrumentFactory(category=eo)
    free = selectors.free_hours([instrument.pk, closed.pk], start=start, end=start + timedelta(days=7))
    assert free == {instrument.pk: ("3.50", "2.50"), closed.pk: ("0.00", "0.00")}


def test_the_review_takes_the_same_queries_for_one_or_many_instruments(asking):
    unit, admin = asking
    eo = subcategory("0102", "质谱仪器")
    fields = {"unit": unit, "category": eo, "model": "6545", "specifications": "分辨率", "price": 1}
    selectors.review_findings(name="液相色谱质谱联用仪", now=timezone.now(), **fields)  # the settings row exists
    InstrumentFactory(category=eo, name="液相色谱质谱联用仪", model="6545")
    with CaptureQueriesContext(connection) as one_query:
        one = selectors.review_findings(name="液相色谱质谱联用仪", now=timezone.now(), **fields)
    for _ in range(24):
        InstrumentFactory(category=eo, name="液相色谱质谱联用仪", model="6545")
    with CaptureQueriesContext(connection) as many_query:
        many = selectors.review_findings(name="液相色谱质谱联用仪", now=timezone.now(), **fields)
    assert len(one.result["instruments"]) == 1 and len(many.result["instruments"]) == selectors.LIMIT
    assert len(one_query.captured_queries) == len(many_query.captured_queries) <= 5


def test_the_record_keeps_what_was_found_that_day(asking, region):
    unit, admin = asking
    review = ask(unit, admin, Category.objects.get(code="0101"))
    worked(region["tem_idle"], "2000", days_ago=5)
    review.refresh_from_db()
    assert review.verdict == "not_justified"
    assert review.created_by == admin and review.price == Decimal("6800000.00")
    idle = next(row for row in review.result["instruments"] if row["id"] == region["tem_idle"].pk)
    assert idle["effective_hours"] == "500.00"


def test_a_main_category_is_refused(asking, region):
    unit, admin = asking
    with pytest.raises(DomainError):
        ask(unit, admin, Category.objects.get(code="01"))


# --- Who may ask and read ------------------------------------------------------------------------


def test_only_managers_of_the_unit_and_the_bureau_may_ask(asking, region, officer):
    unit, admin = asking
    eo = Category.objects.get(code="0101")
    member = MembershipFactory(unit=unit, role="member").user
    other_admin = MembershipFactory(unit=UnitFactory(), role="admin").user
    for user in (member, other_admin):
        with pytest.raises(PermissionDenied):
            ask(unit, user, eo)
    manager = MembershipFactory(unit=unit, role="manager").user
    assert ask(unit, manager, eo).unit == unit
    assert ask(unit, officer, eo).created_by == officer
    unit.status = Unit.Status.SUSPENDED
    unit.save()
    with pytest.raises(PermissionDenied):
        ask(unit, officer, eo)


def log_in(client, user):
    client.force_login(user)


def test_a_unit_administrator_asks_on_the_page_and_reads_the_record(client, asking, region):
    unit, admin = asking
    log_in(client, admin)
    page = client.get(reverse("reports:review_new"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["unit"].queryset) == [unit]
    data = {
        "unit": unit.pk,
        "category": Category.objects.get(code="0101").pk,
        "name": "透射电子显微镜",
        "model": "JEM-2100F",
        "specifications": SPECS,
        "price": "6800000",
    }
    response = client.post(reverse("reports:review_new"), data)
    review = DuplicateReview.objects.get()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    detail = client.get(review.get_absolute_url())
    text = detail.content.decode()
    assert str(selectors.VERDICT_LABELS["not_justified"]) in text
    assert selectors.verdict_sentence(review) in text
    assert "680.00万元" in text and "包头钢铁研究院" in text and "李主任" in text
    local = timezone.localtime(review.created_at, SHANGHAI)
    assert f"{local:%Y-%m-%d %H:%M}" in text
    assert f"review-{review.pk}" in client.get(reverse("reports:review_new")).content.decode()


def test_an_enterprise_member_and_another_unit_get_404(client, asking, region, officer):
    unit, admin = asking
    review = ask(unit, admin, Category.objects.get(code="0101"))
    enterprise = UnitFactory(unit_type="enterprise")
    member = MembershipFactory(unit=enterprise, role="member").user
    log_in(client, member)
    assert client.get(reverse("reports:review_new")).status_code == 404
    assert client.get(review.get_absolute_url()).status_code == 404
    other = MembershipFactory(unit=UnitFactory(), role="admin").user
    log_in(client, other)
    assert client.get(reverse("reports:review_new")).status_code == 200
    assert client.get(review.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:review_detail", args=[review.pk + 1000])).status_code == 404
    assert f"review-{review.pk}" not in client.get(reverse("reports:review_new")).content.decode()
    # Posting for a unit the user does not manage is refused by the form's choices.
    data = {"unit": unit.pk, "category": review.category_id, "name": "x", "specifications": "y", "price": "1"}
    response = client.post(reverse("reports:review_new"), data)
    assert response.status_code == 200 and DuplicateReview.objects.count() == 1
    log_in(client, officer)
    assert client.get(review.get_absolute_url()).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(reverse("reports:review_new"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_of_past_reviews_takes_the_same_queries_for_one_or_fifty(client, asking, region):
    unit, admin = asking
    first = ask(unit, admin, Category.objects.get(code="0101"))
    log_in(client, admin)
    with CaptureQueriesContext(connection) as one:
        assert f"review-{first.pk}" in client.get(reverse("reports:review_new")).content.decode()
    fields = {f: getattr(first, f) for f in ("unit", "category", "name", "model", "specifications", "price")}
    DuplicateReview.objects.bulk_create(
        [DuplicateReview(**fields, result=first.result, verdict="review", created_by=admin) for _ in range(49)]
    )
    with CaptureQueriesContext(connection) as fifty:
        page = client.get(reverse("reports:review_new"))
    assert len(page.context["reviews"]) == 20  # a page of them
    assert len(one.captured_queries) == len(fifty.captured_queries)
