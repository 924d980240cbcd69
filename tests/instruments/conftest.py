"""Fixtures of the instrument registry tests: a unit, its people, and a private media folder."""

import pytest

from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded photos go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def unit(db):
    return UnitFactory(name="内蒙古科技大学", short_name="内蒙古科大")


@pytest.fixture
def manager(unit):
    return MembershipFactory(unit=unit, role="manager", user__name="赵磊").user


@pytest.fixture
def unit_admin(unit):
    return MembershipFactory(unit=unit, role="admin").user


@pytest.fixture
def member(unit):
    return MembershipFactory(unit=unit, role="member").user


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def other_unit(db):
    return UnitFactory(name="包头稀土研究院")


@pytest.fixture
def other_manager(other_unit):
    return MembershipFactory(unit=other_unit, role="manager").user
