"""The bureau's review queue in the Django admin: filters, decisions one by one and in bulk."""

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse

from members.models import Unit
from members.roles import BUREAU_PERMISSIONS
from tests.factories import DistrictFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:members_unit_changelist")


def test_queue_filters_by_status_type_and_district(client, officer):
    north = DistrictFactory(name="昆都仑区")
    UnitFactory(name="待审医院", status="pending", unit_type="hospital", district=north)
    UnitFactory(name="待审企业", status="pending", unit_type="enterprise")
    UnitFactory(name="已批高校", status="approved")
    client.force_login(officer)
    html = client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "待审医院" in html and "待审企业" in html and "已批高校" not in html
    html = client.get(CHANGELIST, {"status__exact": "pending", "unit_type__exact": "hospital"}).content.decode()
    assert "待审医院" in html and "待审企业" not in html
    html = client.get(CHANGELIST, {"district__id__exact": north.pk}).content.decode()
    assert "待审医院" in html and "待审企业" not in html


def test_approve_one_by_one(client, officer, mailoutbox, django_capture_on_commit_callbacks):
    unit = UnitFactory(status="pending")
    MembershipFactory(unit=unit, role="admin", user=UserFactory(email="a@example.cn"))
    client.force_login(officer)
    url = reverse("admin:members_unit_decide", args=[unit.pk])
    assert unit.name in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "approved" and unit.decided_by == officer
    assert mailoutbox[0].to == ["a@example.cn"]
    history = client.get(url).content.decode()
    assert officer.name in history or officer.email in history


def test_reject_needs_a_reason(client, officer):
    unit = UnitFactory(status="pending")
    client.force_login(officer)
    url = reverse("admin:members_unit_decide", args=[unit.pk])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.status == "pending"
    client.post(url, {"decision": "reject", "reason": "材料不全"})
    unit.refresh_from_db()
    assert (unit.status, unit.decision_reason) == ("rejected", "材料不全")


def test_bulk_approve_and_bulk_reject_with_reason(client, officer):
    pending = UnitFactory.create_batch(3, status="pending")
    client.force_login(officer)
    client.post(CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending[0].pk, pending[1].pk]})
    assert Unit.objects.filter(status="approved").count() == 2

    # the first step asks for the reason; the second confirms
    response = client.post(CHANGELIST, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending[2].pk]})
    assert response.status_code == 200 and "reason" in response.content.decode()
    client.post(
        CHANGELIST,
        {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending[2].pk], "reason": "信用代码与名称不符"},
    )
    pending[2].refresh_from_db()
    assert (pending[2].status, pending[2].decision_reason) == ("rejected", "信用代码与名称不符")


def test_bulk_action_reports_illegal_steps_without_failing(client, officer):
    approved = UnitFactory(status="approved")
    client.force_login(officer)
    response = client.post(CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [approved.pk]}, follow=True)
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_staff_outside_the_bureau_cannot_decide(client):
    unit = UnitFactory(status="pending")
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:members_unit_decide", args=[unit.pk])).status_code == 403
    client.post(CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [unit.pk]})
    unit.refresh_from_db()
    assert unit.status == "pending"


def test_unit_people_cannot_reach_the_admin(client):
    unit = UnitFactory(status="pending")
    admin = MembershipFactory(unit=unit, role="admin").user
    client.force_login(admin)
    response = client.get(reverse("admin:members_unit_decide", args=[unit.pk]))
    assert response.status_code == 302  # to the admin login: not staff


def test_officer_cannot_delete_units(client, officer):
    unit = UnitFactory()
    client.force_login(officer)
    assert client.get(reverse("admin:members_unit_delete", args=[unit.pk])).status_code == 403


def held(group):
    return {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}


def test_the_bureau_group_holds_every_installed_apps_share_and_no_more(bureau_group):
    declared = {pair for config in apps.get_app_configs() for pair in getattr(config, "bureau_permissions", ())}
    assert {label for label, _codename in declared} == {
        "members",
        "instruments",
        "bookings",
        "subsidies",
        "reports",
        "axes",
    }
    assert held(bureau_group) == declared
    assert set(BUREAU_PERMISSIONS) <= held(bureau_group)
    assert not {("members", "delete_unit"), ("members", "change_user")} & held(bureau_group)
    # Marking subsidies paid is a separate permission, given to finance officers one by one.
    assert ("subsidies", "pay_application") not in held(bureau_group)


def test_migrate_keeps_the_bureau_group_in_step(bureau_group):
    bureau_group.permissions.clear()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    declared = {pair for config in apps.get_app_configs() for pair in getattr(config, "bureau_permissions", ())}
    assert held(bureau_group) == declared


def test_seeding_members_keeps_the_groups_permissions(bureau_group):
    from members.demo import seed

    before = held(bureau_group)
    seed()
    assert held(bureau_group) == before
