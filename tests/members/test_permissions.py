"""The permission matrix: every role against every action, including who may NOT."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from members import permissions, selectors
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = {
    "view": permissions.can_view_unit,
    "manage_unit": permissions.can_manage_unit,
    "manage_people": permissions.can_manage_people,
    "manage_instruments": permissions.is_unit_manager,
    "book": permissions.can_book_for_unit,
}

# role -> the actions allowed on unit A (approved)
APPROVED_MATRIX = {
    "anonymous": {"view"},
    "outsider": {"view"},
    "pending_joiner": {"view"},
    "member": {"view", "book"},
    "manager": {"view", "manage_instruments", "book"},
    "admin": {"view", "manage_unit", "manage_people", "manage_instruments", "book"},
    "admin_of_other_unit": {"view"},
    "staff_not_bureau": {"view"},
    "bureau": {"view"},
}

# the same people on unit A while it is still pending: nobody but its own people and the bureau
# sees it, and nobody may act for it except the admin completing its profile.
PENDING_MATRIX = {
    "anonymous": set(),
    "outsider": set(),
    "pending_joiner": set(),
    "member": {"view"},
    "manager": {"view"},
    "admin": {"view", "manage_unit", "manage_people"},
    "admin_of_other_unit": set(),
    "staff_not_bureau": set(),
    "bureau": {"view"},
}


@pytest.fixture
def people(officer):
    def build(unit):
        other = UnitFactory()
        return {
            "anonymous": AnonymousUser(),
            "outsider": UserFactory(),
            "pending_joiner": MembershipFactory(unit=unit, status="pending").user,
            "member": MembershipFactory(unit=unit, role="member").user,
            "manager": MembershipFactory(unit=unit, role="manager").user,
            "admin": MembershipFactory(unit=unit, role="admin").user,
            "admin_of_other_unit": MembershipFactory(unit=other, role="admin").user,
            "staff_not_bureau": UserFactory(is_staff=True),
            "bureau": officer,
        }

    return build


@pytest.mark.parametrize(("status", "matrix"), [("approved", APPROVED_MATRIX), ("pending", PENDING_MATRIX)])
def test_permission_matrix(people, status, matrix):
    unit = UnitFactory(status=status)
    who = people(unit)
    for role, allowed in matrix.items():
        for action, check in ACTIONS.items():
            assert check(who[role], unit) == (action in allowed), f"{role} / {action} on a {status} unit"


def test_suspended_unit_people_can_no_longer_act(people):
    unit = UnitFactory(status="suspended")
    who = people(unit)
    for role in who:
        for action in ("manage_unit", "manage_people", "manage_instruments", "book"):
            assert not ACTIONS[action](who[role], unit), f"{role} / {action} on a suspended unit"


def test_only_bureau_decides(people):
    unit = UnitFactory(status="pending")
    who = people(unit)
    assert {role for role, user in who.items() if permissions.can_decide_unit(user)} == {"bureau"}


def test_access_functions_give_the_same_404_for_missing_and_forbidden(people):
    unit = UnitFactory()
    who = people(unit)
    for role in ("outsider", "member", "manager", "admin_of_other_unit", "bureau"):
        with pytest.raises(Http404):
            selectors.unit_get_for_admin(user=who[role], pk=unit.pk)
    with pytest.raises(Http404):
        selectors.unit_get_for_admin(user=who["admin"], pk=unit.pk + 999)
    assert selectors.unit_get_for_admin(user=who["admin"], pk=unit.pk) == unit


def test_bureau_group_has_what_it_needs_and_no_more(bureau_group):
    codenames = set(bureau_group.permissions.values_list("codename", flat=True))
    assert {"view_unit", "change_unit", "decide_unit"} <= codenames
    assert not codenames & {"delete_unit", "add_user", "change_user", "delete_user", "add_unit"}
