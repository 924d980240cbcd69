"""The bureau's registry screens: every instrument, the catalogue's filters, the change history."""

from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.urls import reverse

from instruments import services
from tests.factories import PASSWORD, DistrictFactory, UnitFactory

from .factories import CategoryFactory, InstrumentFactory

pytestmark = pytest.mark.django_db

# What the bureau needs of this app (InstrumentsConfig.bureau_permissions).
INSTRUMENT_PERMISSIONS = [
    ("instruments", "view_instrument"),
    ("instruments", "view_feeitem"),
    ("instruments", "view_openinghours"),
    ("instruments", "view_photo"),
    ("instruments", "view_category"),
    ("instruments", "add_category"),
    ("instruments", "change_category"),
    ("instruments", "view_importjob"),
]


def test_the_bureau_group_reads_the_registry(bureau_group):
    held = {(p.content_type.app_label, p.codename) for p in bureau_group.permissions.select_related("content_type")}
    assert set(INSTRUMENT_PERMISSIONS) <= held
    assert not {("instruments", "delete_instrument"), ("instruments", "change_instrument")} & held


@pytest.fixture
def bureau(officer, bureau_group, client):
    """A bureau officer (the group as migrate makes it), logged in, reading English."""
    client.login(request=HttpRequest(), email=officer.email, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def registry(db):
    north, south = DistrictFactory(code="150203", name="昆都仑区"), DistrictFactory(code="150207", name="九原区")
    university = UnitFactory(unit_type="university", district=north)
    enterprise = UnitFactory(unit_type="enterprise", district=south)
    xrd = CategoryFactory(code="0103", name="X射线仪器")
    return {
        "sem": InstrumentFactory(unit=university, name="扫描电镜", original_value=Decimal("3850000")),
        "xrd": InstrumentFactory(
            unit=enterprise, name="衍射仪", category=xrd, original_value=Decimal("1200000"), district=north
        ),
        "press": InstrumentFactory(
            unit=enterprise,
            name="岩石三轴试验机",
            category=CategoryFactory(
                code="0201", name="力学性能测试仪器", parent__code="02", parent__name="物理性能测试仪器"
            ),
            original_value=Decimal("420000"),
            operating_status="awaiting_repair",
            sharing_mode="internal",
        ),
    }


def listed(response):
    return {i.name for i in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"扫描电镜", "衍射仪", "岩石三轴试验机"}),
        ("class=01", {"扫描电镜", "衍射仪"}),
        ("class=02", {"岩石三轴试验机"}),
        ("district=150203", {"扫描电镜", "衍射仪"}),  # the XRD is installed there though its unit is not
        ("district=150207", {"岩石三轴试验机"}),
        ("unit_type=enterprise", {"衍射仪", "岩石三轴试验机"}),
        ("operating_status__exact=awaiting_repair", {"岩石三轴试验机"}),
        ("sharing_mode__exact=internal", {"岩石三轴试验机"}),
        ("value=lt50", {"岩石三轴试验机"}),
        ("value=50-200", {"衍射仪"}),
        ("value=200-500", {"扫描电镜"}),
        ("value=500%2B", set()),
        ("q=三轴", {"岩石三轴试验机"}),
    ],
)
def test_bureau_sees_every_instrument_with_the_filters(bureau, registry, query, expected):
    response = bureau.get(reverse("admin:instruments_instrument_changelist") + "?" + query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_bureau_exports_the_selected_instruments(bureau, registry):
    response = bureau.post(
        reverse("admin:instruments_instrument_changelist"),
        {"action": "export_registry_csv", "_selected_action": [registry["sem"].pk, registry["xrd"].pk]},
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "扫描电镜" in body and "衍射仪" in body and "岩石三轴试验机" not in body


def test_retired_instruments_are_filtered_apart(bureau, registry):
    sem = registry["sem"]
    sem.retired_at = sem.created_at
    sem.save()
    url = reverse("admin:instruments_instrument_changelist")
    assert listed(bureau.get(url + "?retired=yes")) == {"扫描电镜"}
    assert "扫描电镜" not in listed(bureau.get(url + "?retired=no"))


def test_bureau_reads_the_full_history_with_who_and_what(bureau, unit, manager):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_set_status(actor=manager, instrument=instrument, operating_status="standby", reason="节假日")
    response = bureau.get(reverse("admin:instruments_instrument_history", args=[instrument.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert manager.email in page or manager.name in page
    assert "Operating status changed; 节假日" in page


def test_bureau_can_read_but_not_change_or_delete_instruments(bureau, registry):
    sem = registry["sem"]
    change = bureau.get(reverse("admin:instruments_instrument_change", args=[sem.pk]))
    assert change.status_code == 200 and change.context["has_change_permission"] is False
    assert (
        bureau.post(reverse("admin:instruments_instrument_delete", args=[sem.pk]), {"post": "yes"}).status_code == 403
    )
    assert bureau.get(reverse("admin:instruments_instrument_add")).status_code == 403


def test_bureau_extends_the_classification(bureau):
    response = bureau.post(
        reverse("admin:instruments_category_add"),
        {"code": "13", "name": "激光器", "name_en": "Lasers", "parent": ""},
    )
    assert response.status_code == 302
    from instruments.models import Category

    assert Category.objects.get(code="13").name == "激光器"


def test_renaming_a_class_in_the_admin_makes_the_search_find_it_by_the_new_name(bureau, registry):
    from instruments.models import Instrument
    from instruments.search import search_filter

    xrd = registry["xrd"]
    response = bureau.post(
        reverse("admin:instruments_category_change", args=[xrd.category.pk]),
        {"code": "0103", "name": "X射线衍射仪器", "name_en": "X-ray diffraction", "parent": xrd.category.parent.pk},
    )
    assert response.status_code == 302
    assert [i.pk for i in search_filter(Instrument.objects.all(), "x射线衍射仪器")] == [xrd.pk]
    assert [i.pk for i in search_filter(Instrument.objects.all(), "x-ray diffraction")] == [xrd.pk]


def test_staff_outside_the_bureau_see_no_instruments(client, registry):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.login(request=HttpRequest(), email=staff.email, password=PASSWORD)
    assert client.get(reverse("admin:instruments_instrument_changelist")).status_code == 403


def test_a_superuser_edit_in_the_admin_keeps_the_search_document(client, registry):
    from tests.factories import UserFactory

    root = UserFactory(is_staff=True, is_superuser=True)
    client.login(request=HttpRequest(), email=root.email, password=PASSWORD)
    sem = registry["sem"]
    url = reverse("admin:instruments_instrument_change", args=[sem.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": "冷场发射扫描电镜",
            "commissioned_on": sem.commissioned_on.isoformat(),
            **{f"{p}-TOTAL_FORMS": "0" for p in ("fee_items", "opening_hours", "photos")},
            **{f"{p}-INITIAL_FORMS": "0" for p in ("fee_items", "opening_hours", "photos")},
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    sem.refresh_from_db()
    assert "冷场发射扫描电镜" in sem.search_document
    assert sem.history.order_by("-history_id").first().history_user == root
