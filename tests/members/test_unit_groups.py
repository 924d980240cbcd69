"""Related units under one actual controller: the selectors the subsidies count by, the declaration
at registration, the bureau's confirmation and removal (services and admin), the profile page."""

from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from members import services
from members.exceptions import DomainError, InvalidTransition
from members.models import Notification, Unit, UnitGroup
from members.roles import BUREAU_PERMISSIONS
from members.selectors import cap_holder_key, related_unit_ids, units_related
from tests.factories import MembershipFactory, UnitFactory, UnitGroupFactory, UserFactory
from tests.members.test_views import unit_form_data

pytestmark = pytest.mark.django_db

UNIT_CHANGELIST = reverse("admin:members_unit_changelist")


@pytest.fixture
def group():
    return UnitGroupFactory(name="青岛海联控股集团", controller="刘海峰")


@pytest.fixture
def family(group):
    """Three confirmed units of one group, a fourth that only declared it, and an outsider."""
    confirmed = UnitFactory.create_batch(3, unit_type="enterprise", group=group, group_confirmed=True)
    declared = UnitFactory(unit_type="enterprise", group=group, group_confirmed=False)
    outsider = UnitFactory(unit_type="enterprise")
    return confirmed, declared, outsider


# --- Selectors --------------------------------------------------------------------------------


def test_a_unit_without_a_group_is_related_only_to_itself():
    unit = UnitFactory()
    assert related_unit_ids(unit) == frozenset({unit.pk}) == related_unit_ids(unit.pk)
    assert units_related(unit.pk, unit.pk)
    assert cap_holder_key(unit) == cap_holder_key(unit.pk) == f"unit:{unit.pk}"


def test_a_confirmed_group_relates_all_its_confirmed_units(family, group):
    (a, b, c), declared, outsider = family
    assert related_unit_ids(a) == frozenset({a.pk, b.pk, c.pk})
    assert related_unit_ids(c.pk) == frozenset({a.pk, b.pk, c.pk})
    assert units_related(a.pk, b.pk) and units_related(c.pk, a.pk)
    assert not units_related(a.pk, outsider.pk) and not units_related(outsider.pk, b.pk)
    assert cap_holder_key(a) == cap_holder_key(b.pk) == f"group:{group.pk}"
    assert cap_holder_key(outsider) == f"unit:{outsider.pk}"


def test_an_unconfirmed_declaration_counts_for_nothing(family):
    (a, _b, _c), declared, _outsider = family
    assert related_unit_ids(declared) == frozenset({declared.pk})
    assert a.pk not in related_unit_ids(declared.pk) and declared.pk not in related_unit_ids(a)
    assert not units_related(a.pk, declared.pk) and not units_related(declared.pk, a.pk)
    assert cap_holder_key(declared) == cap_holder_key(declared.pk) == f"unit:{declared.pk}"


def test_a_missing_id_is_never_related():
    unit = UnitFactory()
    assert not units_related(None, None)
    assert not units_related(unit.pk, None) and not units_related(None, unit.pk)


def test_a_deleted_group_leaves_every_unit_on_its_own(family, group):
    (a, b, _c), _declared, _outsider = family
    group.delete()
    a.refresh_from_db()
    assert a.group is None
    assert related_unit_ids(a) == frozenset({a.pk})
    assert not units_related(a.pk, b.pk)
    assert cap_holder_key(a) == cap_holder_key(a.pk) == f"unit:{a.pk}"


def test_each_selector_costs_at_most_one_query(family, django_assert_num_queries):
    (a, b, _c), declared, _outsider = family
    with django_assert_num_queries(1):
        related_unit_ids(a.pk)
    with django_assert_num_queries(1):
        related_unit_ids(declared)
    with django_assert_num_queries(1):
        assert units_related(a.pk, b.pk)
    with django_assert_num_queries(1):
        assert not units_related(a.pk, declared.pk)
    with django_assert_num_queries(0):
        assert units_related(a.pk, a.pk) and not units_related(None, a.pk)
    with django_assert_num_queries(1):
        cap_holder_key(a.pk)
    with django_assert_num_queries(0):
        cap_holder_key(a)


# --- Services ---------------------------------------------------------------------------------


def test_an_administrator_declares_a_new_group_that_waits_for_the_bureau():
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    unit = services.unit_group_declare(actor=admin, unit=unit, group_name=" 青岛海联控股集团 ", controller="刘海峰")
    group = UnitGroup.objects.get()
    assert (group.name, group.controller) == ("青岛海联控股集团", "刘海峰")
    assert unit.group == group and not unit.group_confirmed
    assert related_unit_ids(unit) == frozenset({unit.pk})
    assert unit.history.first().history_change_reason == "group declared: 青岛海联控股集团 (刘海峰)"
    assert unit.history.first().history_user == admin


def test_a_declaration_finds_the_group_whatever_its_case(group):
    UnitGroupFactory(name="Haier Group")
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    unit = services.unit_group_declare(actor=admin, unit=unit, group_name="HAIER group", controller="张瑞敏")
    assert unit.group.name == "Haier Group"
    assert UnitGroup.objects.count() == 2


def test_one_name_whatever_its_case_is_one_group_in_the_database():
    UnitGroup.objects.create(name="Haier Group", controller="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitGroup.objects.create(name="HAIER GROUP", controller="b")


def test_a_concurrent_declaration_of_the_same_new_name_joins_the_group_just_created(group):
    """The other declaration committed between this one's look-up and its insert."""
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    real_filter = UnitGroup.objects.filter
    calls = []

    def first_lookup_misses(*args, **kwargs):
        calls.append(kwargs)
        return UnitGroup.objects.none() if len(calls) == 1 else real_filter(*args, **kwargs)

    with mock.patch.object(UnitGroup.objects, "filter", side_effect=first_lookup_misses):
        unit = services.unit_group_declare(actor=admin, unit=unit, group_name="青岛海联控股集团", controller="x")
    assert unit.group == group and UnitGroup.objects.count() == 1


def test_declaring_again_the_confirmed_group_keeps_the_confirmation(group):
    unit = UnitFactory(group=group, group_confirmed=True)
    admin = MembershipFactory(unit=unit, role="admin").user
    unit = services.unit_group_declare(actor=admin, unit=unit, group_name=group.name, controller=group.controller)
    assert unit.group_confirmed


def test_only_the_units_administrator_declares(group):
    unit = UnitFactory()
    member = MembershipFactory(unit=unit, role="member").user
    for actor in (member, UserFactory(), MembershipFactory(role="admin").user):
        with pytest.raises(PermissionDenied):
            services.unit_group_declare(actor=actor, unit=unit, group_name="某集团", controller="某人")
    unit.refresh_from_db()
    assert unit.group is None


@pytest.mark.parametrize(("group_name", "controller"), [("某集团", ""), ("", "某人"), ("  ", "某人")])
def test_a_declaration_needs_both_the_name_and_the_controller(group_name, controller):
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    with pytest.raises(DomainError):
        services.unit_group_declare(actor=admin, unit=unit, group_name=group_name, controller=controller)
    assert not UnitGroup.objects.exists()


def test_the_bureau_confirms_and_the_units_managers_are_told(officer, group, django_capture_on_commit_callbacks):
    unit = UnitFactory(name="海联检测", group=group)
    admin = MembershipFactory(unit=unit, role="admin").user
    manager = MembershipFactory(unit=unit, role="manager").user
    MembershipFactory(unit=unit, role="member")
    with django_capture_on_commit_callbacks(execute=True):
        unit = services.unit_group_confirm(actor=officer, unit=unit)
    assert unit.group_confirmed
    assert unit.history.first().history_change_reason == "group confirmed: 青岛海联控股集团"
    assert unit.history.first().history_user == officer
    notes = Notification.objects.all()
    assert {n.recipient for n in notes} == {admin, manager}
    note = notes.first()
    assert note.subject == "科技局已确认海联检测属于“青岛海联控股集团”"
    assert "刘海峰" in note.body and "不予补贴" in note.body
    with override("en"):
        assert note.subject == "The bureau confirmed that 海联检测 belongs to “青岛海联控股集团”"
    with pytest.raises(InvalidTransition):
        services.unit_group_confirm(actor=officer, unit=unit)


def test_confirming_a_unit_without_a_group_is_refused(officer):
    with pytest.raises(DomainError):
        services.unit_group_confirm(actor=officer, unit=UnitFactory())


def test_the_bureau_removes_a_unit_from_its_group_with_a_reason(officer, family, group):
    (a, b, _c), _declared, _outsider = family
    admin = MembershipFactory(unit=a, role="admin").user
    a = services.unit_group_remove(actor=officer, unit=a, reason="股权已转让")
    assert a.group is None and not a.group_confirmed
    assert a.history.first().history_change_reason == "group removed: 青岛海联控股集团: 股权已转让"
    assert not units_related(a.pk, b.pk)
    note = Notification.objects.get(recipient=admin)
    assert "股权已转让" in note.body and "青岛海联控股集团" in note.subject
    with pytest.raises(DomainError):
        services.unit_group_remove(actor=officer, unit=a)


def test_only_the_bureau_confirms_or_removes(group):
    unit = UnitFactory(group=group)
    unit_admin = MembershipFactory(unit=unit, role="admin").user
    for actor in (unit_admin, UserFactory(is_staff=True), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.unit_group_confirm(actor=actor, unit=unit)
        with pytest.raises(PermissionDenied):
            services.unit_group_remove(actor=actor, unit=unit)
    unit.refresh_from_db()
    assert unit.group == group and not unit.group_confirmed


# --- Registration and the profile page ----------------------------------------------------------


def test_a_group_declared_at_registration_shows_on_the_profile_as_awaiting(client, district):
    client.force_login(UserFactory())
    data = unit_form_data(district, group_name="青岛海联控股集团", controller="刘海峰")
    response = client.post(reverse("members:unit_register"), data)
    unit = Unit.objects.get()
    assert response.status_code == 302
    assert (unit.group.name, unit.group.controller, unit.group_confirmed) == ("青岛海联控股集团", "刘海峰", False)
    html = client.get(unit.get_absolute_url()).content.decode()
    assert "青岛海联控股集团" in html and "刘海峰" in html and "待科技局确认" in html


def test_registering_with_an_existing_groups_name_joins_it(client, district, group):
    client.force_login(UserFactory())
    client.post(
        reverse("members:unit_register"), unit_form_data(district, group_name="青岛海联控股集团", controller="x")
    )
    assert Unit.objects.get().group == group
    assert UnitGroup.objects.count() == 1


def test_registering_with_both_fields_blank_declares_no_group(client, district):
    client.force_login(UserFactory())
    client.post(reverse("members:unit_register"), unit_form_data(district, group_name="", controller=""))
    assert Unit.objects.get().group is None
    assert not UnitGroup.objects.exists()


@pytest.mark.parametrize(("group_name", "controller"), [("青岛海联控股集团", ""), ("", "刘海峰")])
def test_registration_with_only_one_of_the_two_fields_is_a_form_error(client, district, group_name, controller):
    client.force_login(UserFactory())
    data = unit_form_data(district, group_name=group_name, controller=controller)
    response = client.post(reverse("members:unit_register"), data)
    assert response.status_code == 200
    assert "请同时填写集团名称和实际控制人，或两项都不填。" in response.content.decode()
    assert not Unit.objects.exists() and not UnitGroup.objects.exists()


def test_the_edit_page_does_not_offer_the_group(client, group):
    unit = UnitFactory(group=group, group_confirmed=True)
    client.force_login(MembershipFactory(unit=unit, role="admin").user)
    html = client.get(reverse("members:unit_edit", args=[unit.pk])).content.decode()
    assert 'name="group_name"' not in html
    assert 'name="group_name"' in client.get(reverse("members:unit_register")).content.decode()


def test_the_profile_shows_a_confirmed_group_at_no_extra_query(client, group):
    alone = UnitFactory()
    with CaptureQueriesContext(connection) as without_group:
        html = client.get(alone.get_absolute_url()).content.decode()
    assert "所属关联单位集团" not in html
    unit = UnitFactory(group=group, group_confirmed=True)
    with CaptureQueriesContext(connection) as with_group:
        html = client.get(unit.get_absolute_url()).content.decode()
    assert "所属关联单位集团" in html and "青岛海联控股集团" in html and "实际控制人：" in html
    assert "刘海峰" in html and "待科技局确认" not in html
    assert len(with_group) == len(without_group)


# --- The bureau's admin -----------------------------------------------------------------------


def test_the_bureau_holds_the_unit_group_permissions(bureau_group):
    for codename in ("view_unitgroup", "add_unitgroup", "change_unitgroup"):
        assert ("members", codename) in BUREAU_PERMISSIONS
        assert bureau_group.permissions.filter(codename=codename).exists()
    assert not bureau_group.permissions.filter(codename="delete_unitgroup").exists()


def test_the_admin_action_confirms_group_memberships(client, officer, group):
    units = UnitFactory.create_batch(2, group=group)
    lonely = UnitFactory()
    client.force_login(officer)
    response = client.post(
        UNIT_CHANGELIST,
        {"action": "confirm_group_selected", ACTION_CHECKBOX_NAME: [u.pk for u in [*units, lonely]]},
        follow=True,
    )
    assert response.status_code == 200
    assert set(Unit.objects.filter(group_confirmed=True)) == set(units)
    assert related_unit_ids(units[0]) == frozenset(u.pk for u in units)
    html = response.content.decode()
    assert "已更新 2 个单位。" in html
    assert f"{lonely.name}：该单位未申报所属关联单位集团。" in html  # the unit without a group is reported, not failed


def test_the_admin_action_removes_from_the_group_with_an_optional_reason(client, officer, family):
    (a, b, _c), _declared, _outsider = family
    client.force_login(officer)
    response = client.post(UNIT_CHANGELIST, {"action": "remove_group_selected", ACTION_CHECKBOX_NAME: [a.pk]})
    assert response.status_code == 200 and a.name in response.content.decode()  # the step that asks for the reason
    a.refresh_from_db()
    assert a.group_confirmed
    client.post(UNIT_CHANGELIST, {"action": "remove_group_selected", ACTION_CHECKBOX_NAME: [a.pk], "reason": ""})
    a.refresh_from_db()
    assert a.group is None and not units_related(a.pk, b.pk)


def test_staff_outside_the_bureau_cannot_use_the_group_actions(client, group):
    unit = UnitFactory(group=group)
    client.force_login(UserFactory(is_staff=True))
    client.post(UNIT_CHANGELIST, {"action": "confirm_group_selected", ACTION_CHECKBOX_NAME: [unit.pk]})
    unit.refresh_from_db()
    assert not unit.group_confirmed
    assert client.get(reverse("admin:members_unitgroup_changelist")).status_code == 403


def test_the_unit_list_shows_and_filters_group_membership(client, officer, family):
    (a, _b, _c), declared, outsider = family
    client.force_login(officer)
    html = client.get(UNIT_CHANGELIST, {"group_confirmed__exact": "0", "group__isempty": "0"}).content.decode()
    assert declared.name in html and a.name not in html and outsider.name not in html


def test_the_group_admin_lists_counts_searches_and_shows_its_units(client, officer, family, group):
    UnitGroupFactory(name="另一集团", controller="王五")
    client.force_login(officer)
    changelist = reverse("admin:members_unitgroup_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    row = response.context["cl"].result_list.get(pk=group.pk)
    assert (row.unit_count, row.confirmed_count) == (4, 3)
    html = client.get(changelist, {"q": "刘海峰"}).content.decode()
    assert "青岛海联控股集团" in html and "另一集团" not in html
    html = client.get(reverse("admin:members_unitgroup_change", args=[group.pk])).content.decode()
    assert all(unit.name in html for unit in (*family[0], family[1]))
    html = client.get(reverse("admin:members_unit_change", args=[family[1].pk])).content.decode()
    assert "青岛海联控股集团" in html  # shown on the unit, read only: it changes through the services


def test_the_bureau_adds_a_group_in_the_admin(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("admin:members_unitgroup_add"),
        {
            "name": "包头稀土控股集团",
            "controller": "赵六",
            "note": "",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
            "units-MIN_NUM_FORMS": "0",
            "units-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert UnitGroup.objects.get().controller == "赵六"


# --- Demo data --------------------------------------------------------------------------------


def test_the_demo_has_one_confirmed_group_and_one_waiting_declaration():
    from members.demo import seed

    seed()
    seed()
    confirmed = UnitGroup.objects.get(name="内蒙古一机集团")
    members = list(confirmed.units.all())
    assert len(members) == 3 and all(u.group_confirmed and u.unit_type == "enterprise" for u in members)
    assert related_unit_ids(members[0]) == frozenset(u.pk for u in members)
    waiting = Unit.objects.get(group__name="青山创新控股集团")
    assert not waiting.group_confirmed and cap_holder_key(waiting) == f"unit:{waiting.pk}"
    assert UnitGroup.objects.count() == 2
