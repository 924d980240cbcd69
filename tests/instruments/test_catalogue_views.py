"""The public catalogue page, the public instrument page and the home page's figures."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core import money
from instruments import catalogue, search_limit, services
from instruments.models import Instrument
from members.models import Unit
from tests.factories import DistrictFactory, UnitFactory
from tests.instruments.catalogue_factories import english, ensure_classification, instrument
from tests.instruments.factories import FeeItemFactory, OpeningHoursFactory, image_upload

URL = reverse("instruments:catalogue")


@pytest.fixture(autouse=True)
def classes(db):
    return ensure_classification()


def results(client, **params) -> list[Instrument]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def names(client, **params) -> set[str]:
    return {i.name for i in results(client, **params)}


# --- who and what is listed -----------------------------------------------------------------------


def test_anyone_sees_only_public_instruments(client, unit):
    instrument(unit=unit, name="场发射扫描电镜")
    instrument(unit=unit, name="已退役电镜", retired_at=timezone.now())
    instrument(unit=UnitFactory(status=Unit.Status.PENDING), name="待审单位电镜")
    instrument(unit=UnitFactory(status=Unit.Status.SUSPENDED), name="暂停单位电镜")
    assert names(client) == {"场发射扫描电镜"}


def test_search_box_finds_chinese_and_model_fragments(client, unit):
    instrument(unit=unit, code="0102", name="液相色谱-质谱联用仪", model="Xevo TQ-S micro")
    instrument(unit=unit, code="0101", name="透射电子显微镜", model="JEM-2100F")
    assert names(client, search="质谱") == {"液相色谱-质谱联用仪"}
    assert names(client, search="2100") == {"透射电子显微镜"}
    html = client.get(URL, {"search": "质谱"}).content.decode()
    assert 'value="质谱"' in html


# --- every filter ---------------------------------------------------------------------------------


def test_a_main_class_includes_its_subclasses_and_a_subclass_is_exact(client, unit):
    instrument(unit=unit, code="0101", name="电镜")
    instrument(unit=unit, code="0102", name="质谱仪")
    instrument(unit=unit, code="0201", name="万能试验机")
    assert names(client, category="01") == {"电镜", "质谱仪"}
    assert names(client, category="0102") == {"质谱仪"}
    assert names(client, category="02") == {"万能试验机"}


def test_district_is_where_the_instrument_is_else_where_its_unit_is(client):
    kundulun = DistrictFactory(code="150203", name="昆都仑区")
    qingshan = DistrictFactory(code="150204", name="青山区")
    unit = UnitFactory(district=kundulun)
    instrument(unit=unit, name="在昆区", district=None)
    instrument(unit=unit, name="装在青山", district=qingshan)
    assert names(client, district="150203") == {"在昆区"}
    assert names(client, district="150204") == {"装在青山"}


def test_owner_unit_and_unit_type(client, unit):
    hospital = UnitFactory(unit_type=Unit.Type.HOSPITAL, name="包头市中心医院")
    instrument(unit=unit, name="大学的")
    instrument(unit=hospital, name="医院的")
    assert names(client, unit=hospital.pk) == {"医院的"}
    assert names(client, unit_type="hospital") == {"医院的"}
    assert names(client, unit_type="university") == {"大学的"}


def test_value_range_is_in_ten_thousand_yuan(client, unit):
    instrument(unit=unit, name="四十九万", original_value=Decimal("490000.00"))
    instrument(unit=unit, name="五十万", original_value=Decimal("500000.00"))
    instrument(unit=unit, name="一百万", original_value=Decimal("1000000.00"))
    instrument(unit=unit, name="一千五百万", original_value=Decimal("15000000.00"))
    assert names(client, value_min="50", value_max="100") == {"五十万", "一百万"}
    assert names(client, value_min="1000") == {"一千五百万"}
    assert names(client, value_max="49.5") == {"四十九万"}


def test_operating_status_and_sharing_mode(client, unit):
    instrument(unit=unit, name="待修的", operating_status=Instrument.OperatingStatus.AWAITING_REPAIR)
    instrument(unit=unit, name="不共享的", sharing_mode=Instrument.SharingMode.NONE)
    instrument(unit=unit, name="正常共享的")
    assert names(client, operating_status="awaiting_repair") == {"待修的"}
    assert names(client, sharing_mode="none") == {"不共享的"}
    assert names(client, sharing_mode="external", operating_status="normal") == {"正常共享的"}


def test_online_booking_means_external_in_order_and_with_opening_hours(client, unit):
    bookable = instrument(unit=unit, name="可在线预约")
    OpeningHoursFactory(instrument=bookable)
    instrument(unit=unit, name="没有开放时间")
    internal = instrument(unit=unit, name="仅内部共享", sharing_mode=Instrument.SharingMode.INTERNAL)
    OpeningHoursFactory(instrument=internal)
    broken = instrument(unit=unit, name="待修", operating_status=Instrument.OperatingStatus.AWAITING_REPAIR)
    OpeningHoursFactory(instrument=broken)
    assert names(client, online_booking="true") == {"可在线预约"}
    assert names(client, online_booking="false") == {"没有开放时间", "仅内部共享", "待修"}
    assert {i.name for i in results(client) if i.online_booking} == {"可在线预约"}


def test_filters_that_make_no_sense_are_reported_and_ignored(client, unit):
    instrument(unit=unit, name="电镜")
    response = client.get(URL, {"category": "zz", "value_min": "lots"})
    assert response.status_code == 200
    assert {i.name for i in response.context["page"]} == {"电镜"}
    assert response.context["filter"].errors.keys() == {"category", "value_min"}


# --- facets, sorting, pages -----------------------------------------------------------------------


def test_facets_count_classes_and_districts_of_the_current_query(client):
    kundulun = DistrictFactory(code="150203", name="昆都仑区")
    qingshan = DistrictFactory(code="150204", name="青山区")
    in_k, in_q = UnitFactory(district=kundulun), UnitFactory(district=qingshan)
    instrument(unit=in_k, code="0101", name="电镜甲")
    instrument(unit=in_k, code="0102", name="质谱甲")
    instrument(unit=in_q, code="0102", name="质谱乙")
    instrument(unit=in_q, code="0201", name="试验机")
    instrument(unit=in_q, code="0201", name="另一台", sharing_mode=Instrument.SharingMode.NONE)

    context = client.get(URL, {"category": "0102", "sharing_mode": "external"}).context
    # Classes ignore the class filter itself (so every class shows what it would give) but
    # follow the others; districts follow every filter but their own.
    assert [(f["value"], f["count"], f["selected"]) for f in context["category_facets"]] == [
        ("01", 3, True),
        ("02", 1, False),
    ]
    assert [(f["label"], f["count"]) for f in context["district_facets"]] == [("昆都仑区", 1), ("青山区", 1)]
    html = client.get(URL, {"category": "0102"}).content.decode()
    assert "district=150204" in html and "category=0102" in html


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"category": "01"},
        {"category": "0102"},
        {"district": "150204"},
        {"category": "01", "district": "150203"},
        {"category": "0102", "district": "150204", "search": "质谱"},
        {"category": "02", "district": "150203"},
    ],
)
def test_total_and_facets_from_one_query_say_what_each_filter_says(client, params):
    """The grouped counts equal, for each figure, the rows its own filters give: the total every
    filter, the class facet every filter but the class, the district facet every filter but the
    district (an instrument without a district counts where its unit is)."""
    kundulun = DistrictFactory(code="150203", name="昆都仑区")
    qingshan = DistrictFactory(code="150204", name="青山区")
    in_k, in_q = UnitFactory(district=kundulun), UnitFactory(district=qingshan)
    instrument(unit=in_k, code="0101", name="电镜甲")
    instrument(unit=in_k, code="0102", name="质谱甲", district=qingshan)
    instrument(unit=in_q, code="0102", name="质谱乙")
    instrument(unit=in_q, code="0102", name="质谱丙", district=kundulun)
    instrument(unit=in_q, code="0201", name="试验机")
    instrument(unit=in_k, code="01", name="质谱丁")
    instrument(unit=UnitFactory(district=kundulun, status=Unit.Status.PENDING), code="0101", name="待审")

    def expected(without):
        rows = Instrument.objects.public().select_related("category", "district", "unit__district")
        if "search" in params:
            rows = [r for r in rows if params["search"] in r.name]
        code, place = params.get("category"), params.get("district")
        if code and "category" not in without:
            rows = [r for r in rows if code in (r.category.code, r.category.parent and r.category.parent.code)]
        if place and "district" not in without:
            rows = [r for r in rows if (r.district or r.unit.district).code == place]
        return rows

    context = client.get(URL, params).context
    assert context["page"].paginator.count == len(expected(())) == len(context["page"].object_list)
    by_class = {}
    for r in expected(("category",)):
        main = (r.category.parent or r.category).code
        by_class[main] = by_class.get(main, 0) + 1
    assert {f["value"]: f["count"] for f in context["category_facets"]} == by_class
    by_place = {}
    for r in expected(("district",)):
        code = (r.district or r.unit.district).code
        by_place[code] = by_place.get(code, 0) + 1
    assert {f["value"]: f["count"] for f in context["district_facets"]} == by_place
    selected = [f["value"] for f in context["district_facets"] if f["selected"]]
    assert selected == [params["district"]] if params.get("district") in by_place else selected == []


def test_sort_by_value_newest_and_relevance(client, unit):
    now = timezone.now()
    old = instrument(unit=unit, name="旧的质谱", original_value=Decimal("900000"), functions="质谱分析")
    new = instrument(unit=unit, name="新的仪器", original_value=Decimal("100000"), functions="可做质谱分析")
    mid = instrument(unit=unit, name="中间的", original_value=Decimal("500000"), functions="质谱")
    for row, days in ((old, 30), (mid, 20), (new, 10)):
        Instrument.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=days))
    assert [i.name for i in results(client, sort="value_desc")] == ["旧的质谱", "中间的", "新的仪器"]
    assert [i.name for i in results(client, sort="value_asc")] == ["新的仪器", "中间的", "旧的质谱"]
    assert [i.name for i in results(client, sort="newest")] == ["新的仪器", "中间的", "旧的质谱"]
    assert [i.name for i in results(client)] == ["新的仪器", "中间的", "旧的质谱"]  # default: newest
    # Searching: the name match first, then the newest.
    assert [i.name for i in results(client, search="质谱")] == ["旧的质谱", "新的仪器", "中间的"]


def test_pages_of_ten_twenty_or_fifty(client, unit):
    for n in range(25):
        instrument(unit=unit, name=f"仪器{n:02d}")
    page = client.get(URL, {"per_page": 10, "page": 3}).context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (25, 3, 5)
    assert len(client.get(URL).context["page"].object_list) == 20  # the default
    assert len(client.get(URL, {"per_page": 7}).context["page"].object_list) == 20  # not offered: default


# Classes, districts (the filter form's choices), the count with both facets (one grouping query),
# rows, photos: five queries whatever the page size (and one more to check an owner unit's id).
CATALOGUE_QUERIES = 5


@pytest.mark.parametrize("rows", [10, 50])
def test_a_page_takes_the_same_queries_for_ten_or_fifty_rows(client, django_assert_num_queries, manager, unit, rows):
    for n in range(rows):
        row = instrument(unit=unit, name=f"电镜{n}", district=DistrictFactory())
        FeeItemFactory(instrument=row)
        OpeningHoursFactory(instrument=row)
    services.photo_add(actor=manager, instrument=row, image_file=image_upload())
    with django_assert_num_queries(CATALOGUE_QUERIES):
        response = client.get(URL, {"per_page": rows, "search": "电镜", "category": "01", "online_booking": "true"})
    assert len(response.context["page"].object_list) == rows


def test_the_owner_unit_is_chosen_by_id_and_the_page_lists_no_other_unit(client, unit, django_assert_num_queries):
    """A national registry's 10,000 units are not sent with every page: the owner select holds
    "any" and the chosen unit, and the page's script looks others up in the units API."""
    other = UnitFactory(name="另一家检测技术有限公司")
    idle = UnitFactory(name="没有仪器的检测中心")  # listed in no result: only a unit list would name it
    instrument(unit=unit, name="本单位电镜")
    instrument(unit=other, name="别家电镜")
    page = client.get(URL).content.decode()
    assert idle.name not in page and 'data-unit-search="/api/v1/units/"' in page
    assert "members/unit-search.js" in page

    with django_assert_num_queries(CATALOGUE_QUERIES + 1):
        response = client.get(URL, {"unit": other.pk})
    assert {i.name for i in response.context["page"].object_list} == {"别家电镜"}
    assert f'<option value="{other.pk}" selected>{other.name}</option>' in response.content.decode()
    assert unit.name not in response.content.decode() and idle.name not in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "0", "99999999", "99999999999999999999"])
def test_an_unknown_owner_unit_is_reported_and_ignored(client, unit, value):
    Unit.objects.filter(pk=99999999).delete()
    instrument(unit=unit, name="本单位电镜")
    response = client.get(URL, {"unit": value})
    assert response.status_code == 200
    assert "unit" in response.context["filter"].form.errors
    assert {i.name for i in response.context["page"].object_list} == {"本单位电镜"}


def test_a_pending_unit_is_not_a_choice(client, unit):
    pending = UnitFactory(status=Unit.Status.PENDING)
    response = client.get(URL, {"unit": pending.pk})
    assert "unit" in response.context["filter"].form.errors


# --- the instrument's page ------------------------------------------------------------------------


def test_instrument_page_shows_the_record_fees_hours_photos_and_contacts(client, manager, unit):
    row = instrument(
        unit=unit,
        name="透射电子显微镜",
        model="JEM-2100F",
        original_value=Decimal("7600000.00"),
        sharing_rules="送样前请电话预约。",
        reference_fees="校外按外部价格收费。",
    )
    FeeItemFactory(instrument=row, name="高分辨成像", internal_price=Decimal("600"), external_price=Decimal("1200"))
    OpeningHoursFactory(instrument=row, weekday=2, opens=time(8, 30), closes=time(12, 0))
    photo = services.photo_add(actor=manager, instrument=row, image_file=image_upload(), caption="整机")

    html = english(client, row.get_absolute_url())
    for text in (
        "透射电子显微镜",
        "JEM-2100F",
        "日本电子株式会社",
        "7.60 million yuan",
        "分辨率 0.6 nm",
        "材料表面形貌观察",
        "高分辨成像",
        "1200.00",
        "600.00",
        "08:30–12:00",
        "送样前请电话预约。",
        "校外按外部价格收费。",
        unit.name,
        unit.contact_person,
        unit.phone,
        row.contact_phone,
    ):
        assert text in html, text
    assert f'<a href="{photo.image.url}"><img src="{photo.thumbnail.url}"' in html


def test_similar_instruments_same_subclass_first_then_same_main_class(client, unit):
    row = instrument(unit=unit, code="0101", name="本机")
    instrument(unit=unit, code="0101", name="同中类")
    instrument(unit=unit, code="0102", name="同大类")
    instrument(unit=unit, code="0201", name="别的大类")
    instrument(unit=unit, code="0101", name="已退役的", retired_at=timezone.now())
    similar = client.get(row.get_absolute_url()).context["similar"]
    assert [i.name for i in similar] == ["同中类", "同大类"]


def test_similar_instruments_are_a_few(unit):
    row = instrument(unit=unit, code="0101")
    for _ in range(6):
        instrument(unit=unit, code="0101")
    assert len(catalogue.similar_instruments(row)) == catalogue.SIMILAR_COUNT


def test_similar_instruments_are_the_first_of_the_whole_order(unit):
    """On both databases (PostgreSQL narrows to a few candidates per class and sharing mode first):
    the answer is the head of the full order, same subclass, then shared externally, then newest,
    ties broken by id, with retired ones and those of units not approved left out."""
    now = timezone.now()
    pending = UnitFactory(status=Unit.Status.PENDING)
    modes = list(Instrument.SharingMode.values)
    rows = []
    for n in range(40):
        code = ("0101", "0102", "0103", "01", "0201")[n % 5]
        row = instrument(
            unit=pending if n % 11 == 0 else unit,
            code=code,
            sharing_mode=modes[n % 3],
            retired_at=now if n % 13 == 0 else None,
        )
        Instrument.objects.filter(pk=row.pk).update(created_at=now - timedelta(hours=n % 7))  # ties too
        rows.append(row)

    def expected(row, count):
        row.refresh_from_db()
        main = row.category.parent_id or row.category_id
        candidates = [
            r
            for r in Instrument.objects.public().select_related("category")
            if r.pk != row.pk and (r.category.parent_id or r.category_id) == main
        ]
        candidates.sort(
            key=lambda r: (
                r.category_id != row.category_id,
                r.sharing_mode != Instrument.SharingMode.EXTERNAL,
                -r.created_at.timestamp(),
                -r.pk,
            )
        )
        return [r.pk for r in candidates[:count]]

    for row in rows[:12]:
        for count in (1, 4, 9):
            assert [r.pk for r in catalogue.similar_instruments(row, count=count)] == expected(row, count)


def test_similar_candidates_are_read_once_whatever_the_planner_guesses(postgres, unit):
    """The candidates are an init plan ("id = ANY(ARRAY(...))"), so they are read once. As an IN
    subquery, a planner misled by stale statistics ran them again for each row of the main class:
    620 ms for one page of the 945-instrument benchmark, 3 ms now."""
    from django.test.utils import CaptureQueriesContext

    rows = [instrument(unit=unit, code=code) for code in ("0101", "0102", "0101", "0103")]
    with CaptureQueriesContext(postgres) as queries:
        assert len(catalogue.similar_instruments(rows[0])) == 3
    with postgres.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + queries.captured_queries[-1]["sql"])
        plan = cursor.fetchone()[0][0]["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    init_plans = [n for n in nodes(plan) if n.get("Parent Relationship") == "InitPlan"]
    reading_classes = [n for n in init_plans if any(m.get("Relation Name") == "instruments_category" for m in nodes(n))]
    assert reading_classes and all(n["Actual Loops"] == 1 for n in reading_classes)


def test_instrument_page_takes_a_fixed_number_of_queries(client, django_assert_num_queries, unit):
    row = instrument(unit=unit)
    for n in range(5):
        FeeItemFactory(instrument=row, name=f"项目{n}")
        OpeningHoursFactory(instrument=row, weekday=n)
        instrument(unit=unit)
    # The instrument, its photos, fee items and opening hours, the similar ones.
    with django_assert_num_queries(5):
        assert client.get(row.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda unit: instrument(unit=unit, retired_at=timezone.now()),
        lambda unit: instrument(unit=UnitFactory(status=Unit.Status.PENDING)),
        lambda unit: instrument(unit=UnitFactory(status=Unit.Status.REJECTED)),
        lambda unit: instrument(unit=UnitFactory(status=Unit.Status.SUSPENDED)),
    ],
    ids=["retired", "pending unit", "rejected unit", "suspended unit"],
)
def test_instruments_outside_the_catalogue_are_not_found(client, unit, make):
    assert client.get(make(unit).get_absolute_url()).status_code == 404


def test_a_missing_instrument_is_not_found(client):
    assert client.get(reverse("instruments:detail", args=[999999])).status_code == 404


def test_the_owner_unit_page_is_linked_and_the_booking_block_is_left_for_bookings(client, unit):
    row = instrument(unit=unit)
    response = client.get(row.get_absolute_url())
    assert unit.get_absolute_url() in response.content.decode()
    assert "instruments/catalogue/detail.html" in [t.name for t in response.templates]


# --- the home page ----------------------------------------------------------------------------------


def test_home_shows_figures_from_the_database(client, unit):
    UnitFactory()
    UnitFactory(status=Unit.Status.PENDING)
    instrument(unit=unit, original_value=Decimal("1200000.00"))
    instrument(unit=unit, original_value=Decimal("800000.00"))
    instrument(unit=unit, original_value=Decimal("5000000.00"), retired_at=timezone.now())
    html = english(client, reverse("home"))
    assert '<span class="number" id="figure-units">2</span>' in html
    assert '<span class="number" id="figure-instruments">2</span>' in html
    assert '<span class="number" id="figure-value">2.00 million yuan</span>' in html
    assert f'action="{URL}"' in html and 'name="search"' in html


def test_large_totals_are_shown_in_yi_in_chinese_and_millions_in_english():
    with translation.override("zh-hans"):
        assert money.format_large(Decimal("350000900.00")) == "3.50亿元"
        assert money.format_large(Decimal("99990000.00")) == "9,999.00万元"
        assert money.format_wan(Decimal("856000.00")) == "85.60万元"
    with translation.override("en"):
        assert money.format_large(Decimal("350000900.00")) == "350.00 million yuan"
        assert money.format_large(Decimal("0")) == "0.00 yuan"
        assert money.format_wan(Decimal("7600000.00")) == "7.60 million yuan"


# --- a search with more results than it lists -----------------------------------------------------


def test_a_search_with_more_results_than_the_limit_lists_the_best_and_says_so(client, unit, monkeypatch):
    """Past SEARCH_LIMIT matches the page lists the best SEARCH_LIMIT, says there are more, and
    its facets name classes without counts; the results of a chosen class are counted again."""
    monkeypatch.setattr(search_limit, "SEARCH_LIMIT", 3)
    for n in range(4):
        instrument(unit=unit, code="0102", name=f"质谱仪{n}")
    tester = instrument(unit=unit, code="0201", name="试验机", functions="可做质谱样品前处理")

    context = client.get(URL, {"search": "质谱", "per_page": 10}).context
    page = context["page"]
    assert context["more"] and (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (3, 1, 3)
    assert tester not in page.object_list  # a title match for every listed one
    assert context["category_facets"] and all(f["count"] is None for f in context["category_facets"])
    html = client.get(URL, {"search": "质谱"}).content.decode()
    assert "找到超过 3 台仪器" in html and "找到 3 台仪器" not in html
    with translation.override("en"):
        html = client.get(URL, {"search": "质谱"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "More than 3 instruments found" in html

    context = client.get(URL, {"search": "质谱", "category": "02"}).context
    assert not context["more"] and context["page"].paginator.count == 1
    assert list(context["page"].object_list) == [tester]
    assert [f["value"] for f in context["category_facets"] if f["selected"]] == ["02"]

    monkeypatch.setattr(search_limit, "SEARCH_LIMIT", 5)  # enough: exact counts again
    context = client.get(URL, {"search": "质谱", "per_page": 50}).context  # (not the cached page)
    assert not context["more"] and context["page"].paginator.count == 5
    assert {f["value"]: f["count"] for f in context["category_facets"]} == {"01": 4, "02": 1}
