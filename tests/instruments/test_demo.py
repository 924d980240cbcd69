"""The demo data: loaded after the members' seeder, idempotent, and shaped like Baotou's platform."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import translation

from instruments import catalogue
from instruments.demo import seed as instruments_seed
from instruments.models import Category, FeeItem, Instrument, OpeningHours
from members.demo import seed as members_seed
from members.models import District, Unit
from tests.instruments.catalogue_factories import demo_catalogue, english, ensure_classification


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_catalogue(django_db_blocker):
        yield


def snapshot():
    return (
        Instrument.objects.count(),
        Instrument.history.count(),
        FeeItem.objects.count(),
        OpeningHours.objects.count(),
        Instrument.objects.aggregate(total=Sum("original_value"))["total"],
    )


def test_without_units_the_seeder_adds_nothing(db):
    ensure_classification()
    assert instruments_seed() == []
    assert not Instrument.objects.exists()


def test_seed_demo_runs_this_seeder_after_the_members_one(db, monkeypatch):
    calls = []

    def seeder(stdout=None):
        calls.append((stdout, Unit.objects.filter(name="内蒙古科技大学").exists()))

    monkeypatch.setattr("instruments.demo.seed", seeder)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert len(calls) == 1 and calls[0][0] is not None and calls[0][1]  # the members' units were there
    assert "unitadmin@demo.local" in out.getvalue()


def test_seeding_twice_changes_nothing(db):
    ensure_classification()
    members_seed()
    assert len(instruments_seed()) == 945
    before = snapshot()
    members_seed()
    assert instruments_seed() == []
    assert snapshot() == before


def test_headline_figures_are_baotous(demo, db):
    figures = catalogue.headline_figures()
    assert figures["unit_count"] == 47
    assert figures["instrument_count"] == 945
    assert Decimal("340000000") <= figures["total_value"] <= Decimal("360000000")
    with translation.override("zh-hans"):
        assert catalogue.headline_figures()["total_value_display"].endswith("亿元")  # e.g. 3.50亿元


def test_home_page_shows_them(demo, client):
    html = english(client, reverse("home"))
    assert 'id="figure-units">47<' in html and 'id="figure-instruments">945<' in html
    assert re.search(r'id="figure-value">3[45]\d\.\d\d million yuan<', html)  # Baotou: 3.5亿元


def test_every_main_class_and_every_district_has_instruments(demo, db):
    main_classes = set(Instrument.objects.values_list("category__parent__code", flat=True).distinct()) | set(
        Instrument.objects.filter(category__parent__isnull=True).values_list("category__code", flat=True)
    )
    assert main_classes >= set(Category.objects.filter(parent__isnull=True).values_list("code", flat=True))
    per_district = dict(Instrument.objects.values_list("district__code").annotate(n=Count("pk")))
    assert set(per_district) == set(District.objects.values_list("code", flat=True))


def test_only_approved_units_own_instruments_and_the_biggest_own_most(demo, db):
    assert not Instrument.objects.exclude(unit__status=Unit.Status.APPROVED).exists()
    counts = dict(Instrument.objects.values_list("unit__name").annotate(n=Count("pk")))
    assert len(counts) == 47
    assert max(counts, key=counts.get) == "内蒙古科技大学"


def test_values_look_like_a_city_catalogue(demo, db):
    values = sorted(Instrument.objects.values_list("original_value", flat=True))
    over_ten_million = [v for v in values if v > Decimal("10000000")]
    assert 3 <= len(over_ten_million) <= 6
    assert values[0] >= Decimal("100000")
    assert Decimal("150000") <= values[len(values) // 2] <= Decimal("400000")  # the median
    assert all(v == v.quantize(Decimal("0.01")) for v in values)


def test_some_are_not_shared_some_await_repair_and_shared_ones_have_fees_and_hours(demo, db):
    modes = dict(Instrument.objects.values_list("sharing_mode").annotate(n=Count("pk")))
    statuses = dict(Instrument.objects.values_list("operating_status").annotate(n=Count("pk")))
    assert modes["none"] >= 50 and modes["internal"] >= 50 and modes["external"] >= 500
    assert statuses["awaiting_repair"] >= 20 and statuses["normal"] >= 500
    external = Instrument.objects.filter(sharing_mode="external")
    with_fees = external.filter(fee_items__isnull=False).distinct().count()
    with_hours = external.filter(opening_hours__isnull=False).distinct().count()
    assert with_fees >= 0.8 * external.count() and with_hours >= 0.8 * external.count()


def test_the_named_instruments_are_there(demo, db):
    assert Instrument.objects.get(model="JEM-2100F").manufacturer.startswith("日本电子")
    lcms = Instrument.objects.get(name="液相色谱-质谱联用仪")
    assert lcms.category.code == "0102"
    rock = Instrument.objects.get(model="YSS-600")
    assert rock.name == "微机伺服岩石三轴试验机" and rock.manufacturer == "长沙亚星数控技术有限公司"
    makers = set(Instrument.objects.values_list("manufacturer", flat=True))
    for maker in ("赛默飞", "岛津", "安捷伦", "布鲁克", "蔡司"):
        assert any(maker in m for m in makers), maker


def test_records_are_complete_and_searchable(demo, db):
    for row in Instrument.objects.select_related("unit")[:50]:
        row.full_clean()
    assert not Instrument.objects.filter(search_document="").exists()
    assert "液相色谱-质谱联用仪" in [i.name for i in catalogue.instrument_list_public().filter(pk__in=[])] + [
        i.name for i in Instrument.objects.filter(search_document__contains="质谱")
    ]
