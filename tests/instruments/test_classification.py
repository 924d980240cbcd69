"""The operator's class edits (instruments.services.classification): a renamed class is found
by its new name at once, and only people with the admin's change permission may rename."""

import pytest

from instruments import services
from instruments.exceptions import PermissionDenied
from instruments.models import Instrument
from instruments.search import search_filter
from tests.factories import UserFactory

from .factories import CategoryFactory, InstrumentFactory, TopCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(bureau_group):
    user = UserFactory(is_staff=True)
    user.groups.add(bureau_group)
    return user


def found(query: str) -> set[int]:
    return set(search_filter(Instrument.objects.all(), query).values_list("pk", flat=True))


def test_renaming_a_class_rebuilds_its_instruments_documents(operator):
    tem = InstrumentFactory(name="透射电子显微镜", model="JEM-2100F")
    other = InstrumentFactory(category=CategoryFactory(code="0103", name="X射线仪器", name_en="X-ray instruments"))
    assert found("电子光学仪器") == {tem.pk}

    services.category_update(
        actor=operator, category=tem.category, fields={"name": "电子光学显微仪器", "name_en": "Electron microscopy"}
    )

    assert found("电子光学显微仪器") == {tem.pk}
    assert found("electron microscopy") == {tem.pk}
    assert found("电子光学仪器") == set()
    assert found("x射线仪器") == {other.pk}


def test_renaming_a_main_class_rebuilds_its_subclasses_instruments(operator):
    tem = InstrumentFactory()
    on_main = InstrumentFactory(category=TopCategoryFactory())
    services.category_update(actor=operator, category=TopCategoryFactory(), fields={"name": "分析测试仪器"})
    assert found("分析测试仪器") == {tem.pk, on_main.pk}


def test_moving_a_class_to_another_main_class_rebuilds_the_documents(operator):
    tem = InstrumentFactory()
    physical = TopCategoryFactory(code="02", name="物理性能测试仪器", name_en="Physical property testing instruments")
    services.category_update(actor=operator, category=tem.category, fields={"parent": physical})
    assert found("物理性能测试仪器") == {tem.pk}
    assert found("分析仪器") == set()


def test_a_code_change_leaves_the_documents_as_they_are(operator):
    tem = InstrumentFactory()
    before = Instrument.objects.get(pk=tem.pk).search_document
    changed = services.category_update(actor=operator, category=tem.category, fields={"code": "0199"})
    assert changed.code == "0199"
    assert Instrument.objects.get(pk=tem.pk).search_document == before


def test_only_people_who_may_change_classes_rename_them(db):
    category = CategoryFactory()
    with pytest.raises(PermissionDenied):
        services.category_update(actor=UserFactory(is_staff=True), category=category, fields={"name": "别的名字"})
    category.refresh_from_db()
    assert category.name == "电子光学仪器"


def test_unknown_fields_are_refused(operator):
    with pytest.raises(TypeError, match="unexpected fields"):
        services.category_update(actor=operator, category=CategoryFactory(), fields={"colour": "red"})
